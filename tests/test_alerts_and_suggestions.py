"""Alerts (预警, issue 11) and the learned model's suggestions (issue 12) side by side: neither is a
violation until (for a suggestion) a supervisor confirms it; each has its own lane in the review
queue; an alert alone leaves a call in the 抽检 population; the evaluation keeps both tallies."""
from __future__ import annotations

import re

import pytest

from qa_audit.core.model import Call, Finding, Segment
from qa_audit.review import metrics as M
from qa_audit.review import sampling as S
from qa_audit.score.penalty import build_referrals
from qa_audit.score.scoring import score_call, score_store
from qa_audit.store.db import Store

PW = "correct-horse-9"
TEXT_A = "您好，这里是泰和银行信用卡中心。"
TEXT_C = "你们再打我就去12378投诉你们。"


def _call(cid: str, agent: str = "A1") -> Call:
    return Call(call_id=cid, agent_id=agent, started_at="2026-11-23T10:00:00+08:00", callee_relation="debtor",
                segments=[Segment(0.0, 3.0, "agent", TEXT_A), Segment(3.0, 6.0, "customer", TEXT_C)])


def _alert(cid: str) -> Finding:
    a = TEXT_C.index("投诉")
    return Finding(cid, "ALERT-001", "complaint_risk", "alert", 1, 3.0, 6.0, "customer", "投诉", a, a + 2,
                   "客户表示将投诉（投诉风险预警，不扣分）", "test alert")


def _suggestion(cid: str) -> Finding:
    return Finding(cid, "ML-THREAT", "threat", "medium", 0, 0.0, 3.0, "agent", "这里", 3, 5, "模型建议",
                   "test", 0.9, {"suggested": True, "model_p": 0.9})


def _violation(cid: str) -> Finding:
    return Finding(cid, "THREAT-001", "threat", "high", 0, 0.0, 3.0, "agent", "泰和", 3, 5, "坐席威胁",
                   "test", 0.9, {"entry": "x"})


def test_score_and_referrals_count_neither_alerts_nor_pending_suggestions(tmp_path):
    store = Store(tmp_path / "h.sqlite3")
    call = _call("X1")
    fs = [_alert("X1"), _suggestion("X1")]
    store.save_call(call, fs)
    card = score_call(call, fs)
    assert card.total == card.max_points and not card.fatal and card.counted == []
    assert card.alerts == [fs[0].finding_id] and card.suggested == [fs[1].finding_id]
    assert build_referrals(store, period="2026-W48") == []
    # a supervisor confirms both: the suggestion now counts, the alert still never does
    for f in fs:
        store.add_review(f.finding_id, "sup", "confirm")
    card = score_store(store, ["X1"])[0]
    assert card.counted == [fs[1].finding_id] and card.alerts == [fs[0].finding_id] and card.suggested == []
    assert card.total < card.max_points
    refs = build_referrals(store, period="2026-W48")
    assert [v.rule for r in refs for v in r.violations] == ["ML-THREAT"]
    store.close()


def test_an_alert_alone_leaves_a_call_in_the_sample_population(tmp_path):
    store = Store(tmp_path / "h.sqlite3")
    store.save_call(_call("ALERT", "A1"), [_alert("ALERT")])
    store.save_call(_call("SUGG", "A1"), [_suggestion("SUGG")])
    store.save_call(_call("VIOL", "A1"), [_violation("VIOL")])
    store.save_call(_call("BOTH", "A1"), [_alert("BOTH"), _violation("BOTH")])
    assert S.flagged_calls(store) == {"VIOL", "BOTH"}
    s = S.draw_sample(store, "2026-W48", 1.0)
    assert sorted(s.call_ids) == ["ALERT", "SUGG"] and s.unflagged == 2
    m = M.measure(store, "2026-W48")
    assert m.flagged == 2
    store.close()


@pytest.fixture()
def web(tmp_path):
    from fastapi.testclient import TestClient

    from qa_audit.web import auth, create_app

    db = tmp_path / "h.sqlite3"
    s = Store(db)
    s.save_call(_call("ALERT"), [_alert("ALERT")])
    s.save_call(_call("SUGG"), [_suggestion("SUGG")])
    s.save_call(_call("VIOL"), [_violation("VIOL")])
    s.save_call(_call("ALL3"), [_alert("ALL3"), _suggestion("ALL3"), _violation("ALL3")])
    score_store(s, ["ALERT", "SUGG", "VIOL", "ALL3"])
    auth.add_user(s, "sup", PW, "supervisor")
    s.close()
    c = TestClient(create_app(db))
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    c.post("/login", data={"username": "sup", "password": PW, "csrf": tok, "next": "/"})
    return c


def _links(html: str) -> set[str]:
    return set(re.findall(r'class="call-link" href="/calls/([^"]+)"', html))


def test_queue_has_three_lanes_each_with_only_its_own_findings(web):
    rules = web.get("/queue").text
    assert _links(rules) == {"VIOL", "ALL3"}
    assert _links(web.get("/queue", params={"lane": "rules"}).text) == {"VIOL", "ALL3"}
    alerts = web.get("/queue", params={"lane": "alert"}).text
    assert _links(alerts) == {"ALERT", "ALL3"} and "不扣分" in alerts
    sugg = web.get("/queue", params={"lane": "suggested"}).text
    assert _links(sugg) == {"SUGG", "ALL3"}
    for page in (rules, alerts, sugg):  # every lane links to the others and to 抽检
        assert "违规复核" in page and 'href="/queue?lane=alert"' in page and 'href="/queue?lane=suggested"' in page
        assert 'href="/sample"' in page
    # one finding per row in each lane for the call that has all three
    for page in (rules, alerts, sugg):
        row = page[page.index("/calls/ALL3"):]
        row = row[:row.index("</tr>")]
        assert re.search(r"<td>1</td>", row), row
    assert _links(web.get("/queue", params={"lane": "nonsense"}).text) == {"VIOL", "ALL3"}


def test_eval_keeps_the_alert_categories_and_the_lexicon_only_vs_combined_tallies(tmp_path):
    """A call labelled only with an alert is compliant in both tallies; a suggestion the lexicons did
    not make counts only in the combined one (lexicon + model)."""
    import json

    import numpy as np

    from qa_audit.detect.detector import Detector
    from qa_audit.detect.evaluate import evaluate
    from qa_audit.detect.learned import SecondOpinion
    from qa_audit.detect.learned.features import DENSE, MODEL_CATEGORIES
    from qa_audit.detect.learned.model import LinearModel

    C = len(MODEL_CATEGORIES)
    W = np.zeros((1, C), dtype=np.float32)
    W[0, MODEL_CATEGORIES.index("threat")] = 40.0  # 东西: a threat to the toy model (not to the lexicons)
    toy = LinearModel(["东西"], W, np.zeros((len(DENSE), C), dtype=np.float32), np.full(C, -3.0, dtype=np.float32),
                      list(MODEL_CATEGORIES), np.full(C, 0.6), np.full(C, 0.4), [], {"note": "toy"})
    calls = {
        "E1": ["您好，我是瑞丰银行的，请问是刘洋吗？", "是我，你们再打我就去投诉。", "好的，您的意见我记录了。"],
        "E2": ["您好，我是瑞丰银行的，请问是刘洋吗？", "是我。", "今晚我带上那个东西去看看你。"],
    }
    labels = {"E1": [{"category": "complaint_risk", "segment": 1}], "E2": [{"category": "threat", "segment": 2}]}
    for cid, turns in calls.items():
        c = Call(cid, "A1", "2026-11-23T10:00:00+08:00", callee_relation="debtor",
                 segments=[Segment(i * 4.0, i * 4.0 + 3, "agent" if i % 2 == 0 else "customer", t)
                           for i, t in enumerate(turns)])
        (tmp_path / f"{cid}.json").write_text(c.to_json(), encoding="utf-8")
    (tmp_path / "labels.jsonl").write_text("".join(
        json.dumps({"call_id": k, "violations": v}, ensure_ascii=False) + "\n" for k, v in labels.items()),
        encoding="utf-8")
    det = Detector.load(second_opinion=False)
    det.second_opinion = SecondOpinion(toy)
    rep = evaluate([tmp_path], tmp_path / "labels.jsonl", detector=det)
    cb = rep.combined
    assert cb is not None and rep.calls == cb.calls == 2
    for r in (rep, cb):
        assert r.categories["complaint_risk"].tp == 1
        assert r.compliant_calls == 1 and r.compliant_flagged == 0  # E1: an alert only
    assert rep.categories["threat"].fn == 1 and cb.categories["threat"].tp == 1
    text = rep.format()
    assert "lexicon + model" in text and re.search(r"complaint_risk .*\(alert\)", text)
    assert "alerts are not violations" in text and "lexicon misses the model found" in text
