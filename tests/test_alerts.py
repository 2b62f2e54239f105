"""Customer-side alerts (预警, severity "alert": complaint_risk, vulnerable_customer) are never
violations: no points, no referral; the review app shows them in their own lane, the summary report
counts them per agent and team, and the eval measures any category of the labels (issue 11)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qa_audit.core.model import SEVERITIES, Call, Finding, Segment
from qa_audit.detect.detector import Detector
from qa_audit.detect.evaluate import evaluate
from qa_audit.score.penalty import build_referrals, load_penalties
from qa_audit.score.rubric import RubricError, default_rubric, load_rubric
from qa_audit.score.scoring import score_call, score_store
from qa_audit.store.db import Store

TEXT_A = "您好，我是瑞丰银行的小王，您的账单逾期了。"
TEXT_C = "你们再打我就去12378投诉你们，我妈住院了我哪有钱。"
TEXT_B = "那是你的事，今天必须还。"


def a_call(cid="C1", agent="A1", team="一组", started="2026-11-23T10:00:00+08:00") -> Call:
    return Call(cid, agent, started, callee_relation="debtor", metadata={"team": team},
                segments=[Segment(0.0, 4.0, "agent", TEXT_A), Segment(4.5, 8.0, "customer", TEXT_C),
                          Segment(8.5, 11.0, "agent", TEXT_B)])


def alert(cid="C1", cat="complaint_risk", rule="ALERT-001", word="投诉") -> Finding:
    a = TEXT_C.index(word)
    return Finding(cid, rule, cat, "alert", 1, 4.5, 8.0, "customer", word, a, a + len(word),
                   "客户表示将投诉（投诉风险预警，不扣分）", "test alert")


def violation(cid="C1") -> Finding:
    a = TEXT_B.index("那是你的事")
    return Finding(cid, "VULN-001", "vulnerable_pressure", "high", 2, 8.5, 11.0, "agent", "那是你的事", a, a + 5,
                   "坐席仍持续施压", "test violation")


def test_alert_is_an_allowed_severity_ranked_below_low():
    assert "alert" in SEVERITIES and SEVERITIES.index("alert") < SEVERITIES.index("low")


def test_alerts_never_deduct_points():
    rub = default_rubric("call")
    fs = [alert(), alert(cat="vulnerable_customer", rule="ALERT-002", word="住院")]
    k = score_call(a_call(), fs, rub)
    assert k.total == 100 and not k.fatal and k.counted == [] and k.unmatched == []
    assert sorted(k.alerts) == sorted(f.finding_id for f in fs)
    # whatever a reviewer does with it
    k = score_call(a_call(), fs, rub, {fs[0].finding_id: {"status": "confirmed", "severity": "high"}})
    assert k.total == 100 and k.counted == []
    # a violation next to them still counts
    k = score_call(a_call(), fs + [violation()], rub)
    assert k.total == 96 and k.counted == [violation().finding_id]
    item = next(i for i in k.items if i.id == "MANNER-04")
    assert item.deducted == 4 and [h.rule for h in item.hits] == ["VULN-001"]


def test_a_rubric_cannot_deduct_for_alerts(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text("name: x\nkind: call\ngrades: [{name: 合格, min: 0}]\nsections:\n  - name: s\n    items:\n"
                 "      - {id: I1, name: n, points: 5, deduction: {alert: 1, low: 2}, watch: {categories: [threat]}}\n",
                 encoding="utf-8")
    with pytest.raises(RubricError, match="alerts never deduct"):
        load_rubric(p)


def test_alerts_never_feed_referrals(tmp_path):
    s = Store(tmp_path / "h.sqlite3")
    s.save_call(a_call("C1"), [alert("C1")])
    s.save_call(a_call("C2", agent="A2"), [alert("C2"), violation("C2")])
    refs = build_referrals(s, period="2026-W48")
    assert [r.agent_id for r in refs] == ["A2"]
    assert [v.rule for v in refs[0].violations] == ["VULN-001"] and refs[0].tier == 2  # category tier
    assert "alert" not in load_penalties().severity_tier
    p = tmp_path / "p.yaml"
    p.write_text((Path(__file__).resolve().parents[1] / "rubrics" / "penalties.yaml").read_text(encoding="utf-8")
                 .replace("min_severity: low", "min_severity: alert"), encoding="utf-8")
    with pytest.raises(RubricError, match="min_severity"):
        load_penalties(p)
    s.close()


def test_new_categories_have_penalty_tiers_and_rubric_items():
    pen = load_penalties()
    assert pen.category_tier["contact_pressure"] == 2 and pen.category_tier["vulnerable_pressure"] == 2
    call, text = default_rubric("call"), default_rubric("text")
    red6 = next(i for i in call.items if i.id == "RED-06")
    assert red6.fatal and red6.categories == ("contact_pressure",)
    assert next(i for i in text.items if i.id == "T-CONTENT-03").codes == ("NOTICE-001",)


# --- the review app -------------------------------------------------------------------------------
@pytest.fixture()
def web(tmp_path):
    from fastapi.testclient import TestClient

    from qa_audit.web import auth, create_app

    db = tmp_path / "h.sqlite3"
    s = Store(db)
    s.save_call(a_call("ALERTONLY", agent="A1"), [alert("ALERTONLY")])
    s.save_call(a_call("BOTH", agent="A2"), [alert("BOTH"), violation("BOTH")])
    score_store(s, ["ALERTONLY", "BOTH"])
    auth.add_user(s, "sup", "correct-horse-9", "supervisor")
    s.close()
    c = TestClient(create_app(db))
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    c.post("/login", data={"username": "sup", "password": "correct-horse-9", "csrf": tok, "next": "/"})
    return c, db


def test_queue_has_a_separate_alert_lane(web):
    c, _ = web
    q = c.get("/queue").text
    assert "/calls/BOTH" in q and "/calls/ALERTONLY" not in q and "预警" in q
    qa = c.get("/queue", params={"lane": "alert"}).text
    assert "/calls/ALERTONLY" in qa and "/calls/BOTH" in qa and "不扣分" in qa
    # the alert lane lists only the alerts: BOTH's row counts one finding, category 投诉风险预警
    row = qa[qa.index("/calls/BOTH"):]
    row = row[:row.index("</tr>")]
    assert "投诉风险预警" in row and "对特殊困难客户施压" not in row
    assert c.get("/queue", params={"lane": "nonsense"}).status_code == 200


def test_an_alert_has_no_severity_to_override(web):
    c, db = web
    page = c.get("/calls/ALERTONLY").text
    tok = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    fid = alert("ALERTONLY").finding_id
    r = c.post(f"/findings/{fid}/review", data={"action": "severity", "severity": "high", "csrf": tok},
               follow_redirects=False)
    assert r.status_code == 400
    vid = violation("BOTH").finding_id
    r = c.post(f"/findings/{vid}/review", data={"action": "severity", "severity": "alert", "csrf": tok},
               follow_redirects=False)
    assert r.status_code == 400
    assert Store(db).review_state(vid)["severity"] is None


# --- the summary report ---------------------------------------------------------------------------
def test_summary_counts_alerts_per_agent_and_team(tmp_path):
    from qa_audit.report.writer import write_reports

    s = Store(tmp_path / "h.sqlite3")
    s.save_call(a_call("C1", agent="A1", team="一组"),
                [alert("C1"), alert("C1", cat="vulnerable_customer", rule="ALERT-002", word="住院")])
    s.save_call(a_call("C2", agent="A1", team="一组"), [alert("C2")])
    s.save_call(a_call("C3", agent="A2", team="二组"), [violation("C3")])
    ids = ["C1", "C2", "C3"]
    score_store(s, ids)
    build_referrals(s, call_ids=ids)
    out = tmp_path / "out"
    write_reports(out, s, ids)
    s.close()
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert "投诉风险预警" in html and "困难客户预警" in html

    def row(key):
        m = re.search(rf"<tr><td>{key}</td>(.*?)</tr>", html, re.S)
        assert m, key
        return [x for x in re.findall(r'<td class="n">([^<]*)</td>', m.group(1))]

    # 通话数 违规通话 违规项 平均得分 合格率 一票否决 投诉风险预警 困难客户预警
    a1, a2 = row("A1"), row("A2")
    assert a1[0] == "2" and a1[1] == "0" and a1[2] == "0" and a1[6:8] == ["2", "1"], a1
    assert a2[1] == "1" and a2[6:8] == ["0", "0"], a2
    t1 = row("一组")
    assert t1[6:8] == ["2", "1"], t1
    calls_csv = (out / "calls.csv").read_text(encoding="utf-8-sig")
    assert "预警数" in calls_csv


# --- the eval -------------------------------------------------------------------------------------
def test_eval_measures_every_category_of_the_labels(tmp_path):
    calls = {
        "E1": ("contact", ["喂，是王磊吗？我是瑞丰银行的。", "我是他妈妈，他不在家。", "你是他紧急联系人，就有义务替他还款。"]),
        "E2": ("debtor", ["您好，我是瑞丰银行的，请问是刘洋吗？", "是我，你们再打我就去投诉。", "好的，您的意见我记录了。"]),
        "E3": ("debtor", ["您好，我是瑞丰银行的，请问是刘洋吗？", "是我，我下周还。", "好的，谢谢。"]),
    }
    labels = {"E1": [{"category": "contact_pressure", "segment": 2, "quote": "就有义务替他还款"},
                     {"category": "third_party_disclosure", "segment": 2, "quote": "就有义务替他还款"}],
              "E2": [{"category": "complaint_risk", "segment": 1, "quote": "投诉"}],
              "E3": []}
    for cid, (rel, turns) in calls.items():
        c = Call(cid, "A1", "2026-11-23T10:00:00+08:00", callee_relation=rel,
                 segments=[Segment(i * 4.0, i * 4.0 + 3, "agent" if i % 2 == 0 else "customer", t)
                           for i, t in enumerate(turns)])
        (tmp_path / f"{cid}.json").write_text(c.to_json(), encoding="utf-8")
    (tmp_path / "labels.jsonl").write_text("".join(
        json.dumps({"call_id": k, "violations": v}, ensure_ascii=False) + "\n" for k, v in labels.items()),
        encoding="utf-8")
    rep = evaluate([tmp_path], tmp_path / "labels.jsonl", detector=Detector.load())
    assert {"contact_pressure", "complaint_risk"} <= set(rep.categories)
    assert rep.categories["contact_pressure"].tp == 1 and rep.categories["complaint_risk"].tp == 1
    # E2 (only an alert labelled) and E3 are compliant; E2's alert finding does not flag it
    assert rep.compliant_calls == 2 and rep.compliant_flagged == 0
    text = rep.format()
    assert re.search(r"complaint_risk .*\(alert\)", text) and "contact_pressure" in text
