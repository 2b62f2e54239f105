"""Issue 12, production measurement and calibration: κ on textbook data, Wilson intervals, the
weekly 抽检 sample (deterministic, stratified, only unflagged calls, top-up), precision per rule and
miss rate from decisions, model suggestions never counted before a confirmation, the review pages
(lanes, 抽检 verdicts, calibration blindness, the check box) and their CLI commands."""
from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from qa_audit.cli import app as cli_app
from qa_audit.core.model import Call, Finding, Segment
from qa_audit.review import agreement as AG
from qa_audit.review import metrics as M
from qa_audit.review import sampling as S
from qa_audit.review import store as R
from qa_audit.store.db import Store
from qa_audit.web import auth, create_app

PW = "review-pass-1"


# --- κ ------------------------------------------------------------------------------------------
def test_cohen_kappa_textbook_example():
    # Cohen's κ example (Wikipedia "Cohen's kappa"): 50 proposals, A and B both yes 20, A yes B no 5,
    # A no B yes 10, both no 15 -> p_o = 0.7, p_e = 0.5, κ = 0.4
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    assert AG.cohen_kappa(pairs) == pytest.approx(0.4)
    assert AG.cohen_kappa([("y", "y"), ("n", "n")]) == pytest.approx(1.0)
    assert AG.cohen_kappa([("y", "n"), ("n", "y")]) == pytest.approx(-1.0)
    assert AG.cohen_kappa([("n", "n")] * 5) is None  # chance agreement already perfect: undefined
    assert AG.cohen_kappa([]) is None


def test_fleiss_kappa_textbook_example():
    # Fleiss (1971) worked example as given by Wikipedia "Fleiss' kappa": 10 subjects, 14 raters,
    # 5 categories -> P̄ = 0.378, P̄e = 0.213, κ = 0.210
    table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
             [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert AG.fleiss_kappa(table) == pytest.approx(0.20993, abs=1e-4)
    with pytest.raises(ValueError):
        AG.fleiss_kappa([[1, 1], [2, 1]])  # not the same number of ratings per item
    # two raters: Fleiss' κ is Scott's π, which equals Cohen's κ when both raters' margins agree
    pairs = [(1, 1)] * 6 + [(0, 0)] * 6 + [(1, 0)] * 2 + [(0, 1)] * 2
    fl = AG.fleiss_kappa([[int(a == 0) + int(b == 0), int(a == 1) + int(b == 1)] for a, b in pairs])
    assert fl == pytest.approx(AG.cohen_kappa(pairs))


def test_agreement_picks_cohen_for_two_raters_and_fleiss_for_more():
    two = {f"c{i}": {"a": v, "b": w} for i, (v, w) in enumerate([(True, True), (False, False), (True, False),
                                                                    (False, False)])}
    ag = AG.agreement(two, "threat")
    assert ag.method == "Cohen" and ag.items == 4 and ag.observed == 0.75
    assert ag.kappa == pytest.approx(AG.cohen_kappa([(True, True), (False, False), (True, False), (False, False)]))
    three = {f"c{i}": {"a": v, "b": v, "c": not v if i == 0 else v} for i, v in enumerate([True, False, True])}
    ag3 = AG.agreement(three, "abuse")
    assert ag3.method == "Fleiss" and ag3.raters == 3 and ag3.items == 3
    assert ag3.kappa == pytest.approx(AG.fleiss_kappa([[1, 2], [3, 0], [0, 3]]))


# --- Wilson ----------------------------------------------------------------------------------------
def test_wilson_interval_known_values():
    p, lo, hi = M.wilson(5, 10)
    assert p == 0.5 and lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    p, lo, hi = M.wilson(0, 10)
    assert p == 0 and lo == 0 and hi == pytest.approx(0.2775, abs=1e-4)
    assert M.wilson(0, 0) == (None, None, None)
    p, lo, hi = M.wilson(20, 20)
    assert hi == 1.0 and lo == pytest.approx(0.8389, abs=1e-4)


# --- a database of calls -----------------------------------------------------------------------------
def _call(cid: str, agent: str, day: int = 23, text: str = "您好，这里是泰和银行信用卡中心。") -> Call:
    return Call(call_id=cid, agent_id=agent, started_at=f"2026-11-{day:02d}T10:00:00+08:00",
                callee_relation="debtor", segments=[Segment(0, 3, "agent", text), Segment(3, 5, "customer", "嗯。")])


def _finding(cid: str, rule: str = "THREAT-001", category: str = "threat", suggested: bool = False,
             severity: str = "critical") -> Finding:
    d = {"suggested": True, "model_p": 0.9} if suggested else {"entry": "x"}
    return Finding(cid, rule, category, severity, 0, 0.0, 3.0, "agent", "这里", 3, 5, "坐席威胁", "test", 0.9, d)


def _store(tmp_path, n_agents=3, per_agent=20, flagged_every=4) -> Store:
    store = Store(tmp_path / "h.sqlite3")
    with store.transaction() as con:
        for a in range(n_agents):
            for k in range(per_agent):
                cid = f"A{a}-{k:03d}"
                fs = [_finding(cid)] if flagged_every and k % flagged_every == 0 else []
                store.save_call(_call(cid, f"A{a}"), fs, con=con)
    return store


def test_sample_is_deterministic_stratified_and_only_unflagged(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    s1 = S.draw_sample(_store(tmp_path / "x"), "2026-W48", 0.2)
    s2 = S.draw_sample(_store(tmp_path / "y"), "2026-W48", 0.2)
    assert s1.call_ids == s2.call_ids and s1.seed == S.week_seed("2026-W48")  # same week, same calls
    assert s1.unflagged == 45 and s1.calls == 60
    flagged = {f"A{a}-{k:03d}" for a in range(3) for k in range(0, 20, 4)}
    assert not set(s1.call_ids) & flagged
    for agent, (k, n) in s1.by_agent.items():  # every agent: floor or ceil of rate × stratum
        assert n == 15 and k in (3, 4)
        assert sum(1 for c in s1.call_ids if c.startswith(agent + "-")) == k
    other = S.draw_sample(_store(tmp_path), "2026-W49", 0.2)  # no call in W49
    assert other.call_ids == [] and other.calls == 0
    again = S.draw_sample(Store(tmp_path / "x" / "h.sqlite3"), "2026-W48", 0.2)
    assert again.existing and again.call_ids == s1.call_ids  # drawn once


def test_inclusion_rate_and_model_suggestions_do_not_flag(tmp_path):
    store = _store(tmp_path, n_agents=4, per_agent=50, flagged_every=0)
    store.save_call(_call("A0-000", "A0"), [_finding("A0-000", "ML-THREAT", suggested=True)])
    assert "A0-000" not in S.flagged_calls(store)
    s = S.draw_sample(store, "2026-W48", 0.1)
    assert s.unflagged == 200 and 18 <= len(s.call_ids) <= 22  # 10 % of 200, ± the per-agent remainders


def test_top_up_samples_only_new_calls_and_redraw_refused_after_a_verdict(tmp_path):
    store = _store(tmp_path)
    s = S.draw_sample(store, "2026-W48", 0.5)
    first = set(s.call_ids)
    R.add_verdict(store, sorted(first)[0], "sup", "sample", [])
    with store.transaction() as con:
        for k in range(20):
            store.save_call(_call(f"N-{k:02d}", "A9", day=24), [], con=con)
    t = S.draw_sample(store, "2026-W48", 0.5)
    new = set(t.call_ids) - first
    assert first <= set(t.call_ids) and new and all(c.startswith("N-") for c in new)
    assert t.added == len(new) and 8 <= len(new) <= 12 and t.unflagged == 65
    with pytest.raises(R.ReviewError):
        S.draw_sample(store, "2026-W48", 0.5, redraw=True)
    with pytest.raises(R.ReviewError):
        S.draw_sample(store, "2026-W48", 0)


def test_verdicts_are_append_only(tmp_path):
    store = _store(tmp_path)
    vid = R.add_verdict(store, "A0-001", "sup", "sample", ["threat"], 0, "漏检")
    with pytest.raises(sqlite3.DatabaseError):
        store.conn.execute("UPDATE call_verdicts SET categories_json='[]' WHERE verdict_id=?", (vid,))
    with pytest.raises(sqlite3.DatabaseError):
        store.conn.execute("DELETE FROM call_verdicts")
    with pytest.raises(R.ReviewError):
        R.add_verdict(store, "A0-001", "sup", "sample", ["not_a_category"])
    with pytest.raises(R.ReviewError):
        R.add_verdict(store, "NOPE", "sup", "sample", [])


def test_precision_per_rule_and_miss_rate(tmp_path):
    store = _store(tmp_path)  # 15 flagged calls (THREAT-001), 45 unflagged
    fids = [f.finding_id for a in range(3) for k in range(0, 20, 4) for f in store.findings_for_call(f"A{a}-{k:03d}")]
    for fid in fids[:9]:
        store.add_review(fid, "sup", "confirm")
    for fid in fids[9:12]:
        store.add_review(fid, "sup", "dismiss", reason="误报")
    store.add_review(fids[12], "sup", "confirm")
    store.add_review(fids[12], "ag", "appeal", reason="不服")
    store.add_review(fids[12], "sup", "final_overturn", reason="撤销")
    store.save_call(_call("A0-001", "A0"), [_finding("A0-001", "ML-ABUSE", "abuse", suggested=True)])
    store.add_review(store.findings_for_call("A0-001")[0].finding_id, "sup", "dismiss", reason="模型误报")
    s = S.draw_sample(store, "2026-W48", 0.5)
    for i, cid in enumerate(s.call_ids[:10]):
        R.add_verdict(store, cid, "sup", "sample", ["threat"] if i < 2 else [], 0, "漏检" if i < 2 else "")
    R.add_verdict(store, s.call_ids[0], "sup", "sample", ["threat", "abuse"], 0, "更正")  # the latest counts
    m = M.measure(store, "2026-W48")
    rule = {(r.rule, r.suggested): r for r in m.rules}
    t = rule[("THREAT-001", False)]
    assert (t.confirmed, t.dismissed, t.pending) == (9, 4, 2)
    assert t.precision.value == pytest.approx(9 / 13)
    assert (t.precision.low, t.precision.high) == pytest.approx(M.wilson(9, 13)[1:])
    ml = rule[("ML-ABUSE", True)]
    assert (ml.confirmed, ml.dismissed) == (0, 1)
    assert m.sample_reviewed == 10 and (m.miss.k, m.miss.n) == (2, 10)
    assert m.miss_by_category["abuse"].k == 1 and m.miss_by_category["threat"].k == 2
    est, lo, hi = m.estimated_missed()
    assert est == pytest.approx(0.2 * m.unflagged) and lo < est < hi
    assert m.flagged_reviewed == 13 and m.flagged_true == 9
    rec, rlo, rhi = m.estimated_recall()
    tp = m.flagged * 9 / 13
    assert rec == pytest.approx(tp / (tp + est)) and rlo < rec < rhi
    text = M.format_text(m)
    assert "THREAT-001" in text and "漏检率" in text and "20.0%" in text


# --- suggestions never count before a confirmation ------------------------------------------------------
def test_model_suggestion_is_not_counted_or_fatal_until_confirmed(tmp_path):
    from qa_audit.score.penalty import build_referrals
    from qa_audit.score.scoring import score_call, score_store

    store = Store(tmp_path / "h.sqlite3")
    call = _call("S1", "A1")
    sug = _finding("S1", "ML-THREAT", "threat", suggested=True)
    store.save_call(call, [sug])
    card = score_call(call, [sug])
    assert not card.fatal and card.total == card.max_points and card.suggested == [sug.finding_id]
    assert build_referrals(store, period="2026-W48") == []
    assert score_store(store, ["S1"])[0].total == card.max_points
    store.add_review(sug.finding_id, "sup", "confirm")
    card2 = score_store(store, ["S1"])[0]
    assert card2.fatal and card2.total < card.total and card2.suggested == []
    refs = build_referrals(store, period="2026-W48")
    assert [r.agent_id for r in refs] == ["A1"]


# --- the review app ----------------------------------------------------------------------------------
def _db_with_users(tmp_path) -> Path:
    store = _store(tmp_path, n_agents=2, per_agent=10)
    store.save_call(_call("A0-001", "A0"), [_finding("A0-001", "ML-ABUSE", "abuse", suggested=True)])
    for u, role in (("sup", "supervisor"), ("aud", "auditor"), ("aud2", "auditor")):
        auth.add_user(store, u, PW, role)
    return store.path


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


def _login(db: Path, user: str) -> tuple[TestClient, str]:
    c = TestClient(create_app(db))
    tok = _csrf(c.get("/login").text)
    r = c.post("/login", data={"username": user, "password": PW, "csrf": tok, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303
    return c, _csrf(c.get("/queue").text)


def test_queue_lanes_keep_suggestions_apart(tmp_path):
    db = _db_with_users(tmp_path)
    c, _ = _login(db, "sup")
    rules = c.get("/queue").text
    sugg = c.get("/queue?lane=suggested").text
    links = lambda html: set(re.findall(r'class="call-link" href="/calls/([^"]+)"', html))  # noqa: E731
    assert "A0-001" not in links(rules) and "A0-000" in links(rules)
    assert links(sugg) == {"A0-001"}
    assert "模型建议 · 确认前不计分" in c.get("/calls/A0-001").text


def test_sample_lane_and_verdict_flow(tmp_path):
    db = _db_with_users(tmp_path)
    c, tok = _login(db, "sup")
    assert c.post("/sample/draw", data={"week": "2026-W48", "rate": "0.5"}).status_code == 403  # no CSRF
    r = c.post("/sample/draw", data={"csrf": tok, "week": "2026-W48", "rate": "0.5"})
    assert r.status_code == 200 and "抽检（新抽取）" in r.text
    ids = re.findall(r'class="call-link" href="/calls/([^"]+)"', r.text)
    sampled = S.sampled_calls(Store(db), "2026-W48")
    assert ids == [x["call_id"] for x in sampled] and len(ids) >= 5
    page = c.get(f"/calls/{ids[0]}").text
    assert 'data-purpose="sample"' in page
    r = c.post(f"/calls/{ids[0]}/verdict", data={"csrf": tok, "purpose": "sample", "category": "threat"})
    assert r.status_code == 400  # a missed violation needs a note
    r = c.post(f"/calls/{ids[0]}/verdict", data={"csrf": tok, "purpose": "sample", "category": "threat",
                                                 "segment": "0", "note": "漏检：暗示上门"})
    assert r.status_code == 200 and "已记录抽检结论：威胁恐吓" in r.text
    c.post(f"/calls/{ids[1]}/verdict", data={"csrf": tok, "purpose": "sample"})
    q = c.get("/quality?week=2026-W48").text
    assert 'id="miss-rate">50.0%' in q
    # an auditor reads but does not decide 抽检
    a, atok = _login(db, "aud")
    r = a.post(f"/calls/{ids[2]}/verdict", data={"csrf": atok, "purpose": "sample"})
    assert r.status_code == 403
    # an unsampled call takes no 抽检 verdict
    r = c.post("/calls/A0-000/verdict", data={"csrf": tok, "purpose": "sample"})
    assert r.status_code == 409


def test_calibration_is_blind_until_closed_and_gives_kappa(tmp_path):
    db = _db_with_users(tmp_path)
    c, tok = _login(db, "sup")
    store = Store(db)
    store.add_review(store.findings_for_call("A0-000")[0].finding_id, "sup", "confirm")
    r = c.post("/calibration", data={"csrf": tok, "name": "第一轮", "reviewer": ["aud", "aud2"],
                                      "calls": "A0-000 A0-002 A0-003 A1-001"})
    assert r.status_code == 200
    set_id = str(r.url).rsplit("/", 1)[1]
    a, atok = _login(db, "aud")
    b, btok = _login(db, "aud2")
    # the supervisor's confirmation is hidden from the auditors while the round is open
    page = a.get("/calls/A0-000").text
    assert "已确认" not in page and "他人结论已隐藏" in page and 'id="score-total"' not in page
    assert "校准中" in a.get("/queue").text
    votes_a = {"A0-000": ["threat"], "A0-002": [], "A0-003": ["abuse"], "A1-001": []}
    votes_b = {"A0-000": ["threat"], "A0-002": [], "A0-003": [], "A1-001": ["abuse"]}
    for client_, t, votes in ((a, atok, votes_a), (b, btok, votes_b)):
        for cid, cats in votes.items():
            r = client_.post(f"/calls/{cid}/verdict", data={"csrf": t, "purpose": "calibration", "set_id": set_id,
                                                           "category": cats, "note": "见第1句" if cats else ""})
            assert r.status_code == 200
    # aud does not see aud2's verdict, nor the κ page of the open round
    page = a.get("/calls/A0-003").text
    assert page.count("整通结论记录") == 1 and "aud2" not in page.split("整通结论记录")[1]
    assert 'id="kappa-hidden"' in a.get(f"/calibration/{set_id}").text
    # someone else's assignment cannot be answered
    r = c.post("/calls/A0-000/verdict", data={"csrf": tok, "purpose": "calibration", "set_id": set_id})
    assert r.status_code == 403
    rep = AG.calibration_report(store, set_id)
    threat = next(x for x in rep.categories if x.category == "threat")
    abuse = next(x for x in rep.categories if x.category == "abuse")
    assert threat.method == "Cohen" and threat.kappa == pytest.approx(1.0)
    assert abuse.kappa == pytest.approx(AG.cohen_kappa([(False, False), (False, False), (True, False), (False, True)]))
    assert {(d.call_id, d.category) for d in rep.disagreements} == {("A0-003", "abuse"), ("A1-001", "abuse")}
    html = c.get(f"/calibration/{set_id}").text
    assert 'id="kappa"' in html and "A1-001" in html.split('id="disagreements"')[1]
    c.post(f"/calibration/{set_id}/close", data={"csrf": tok})
    assert 'id="kappa"' in a.get(f"/calibration/{set_id}").text
    assert "已确认" in a.get("/calls/A0-000").text  # closed: decisions visible again


def test_check_page_needs_csrf_and_explains(tmp_path):
    db = _db_with_users(tmp_path)
    c, tok = _login(db, "aud")
    assert c.post("/check", data={"text": "坐席：明天我们的人就去你单位"}).status_code == 403
    r = c.post("/check", data={"csrf": tok, "text": "坐席：明天我们的人就去你单位\n客户：你敢"})
    assert r.status_code == 200 and "THREAT-001" in r.text and "明天我们的人就去你单位" in r.text
    assert 'class="ok-box clean"' not in r.text
    r = c.post("/check", data={"csrf": tok, "text": "坐席：您放心，我们不会上门，也不会联系您的单位。"})
    assert r.status_code == 200 and 'class="ok-box clean"' in r.text


# --- CLI ------------------------------------------------------------------------------------------
def test_check_command_exit_status():
    r = CliRunner().invoke(cli_app, ["check", "坐席: 明天我们的人就去你单位", "客户: 你敢来试试"])
    assert r.exit_code == 1, r.output
    assert "THREAT-001" in r.output and "证据：“明天我们的人就去你单位”" in r.output and "依据" in r.output
    r = CliRunner().invoke(cli_app, ["check", "坐席: 您放心，我们不会上门，也不会给您单位打电话。"])
    assert r.exit_code == 0, r.output
    assert "未发现违规" in r.output
    r = CliRunner().invoke(cli_app, ["check", "   "])
    assert r.exit_code == 2


def test_sample_and_eval_db_commands(tmp_path):
    store = _store(tmp_path)
    db = str(store.path)
    r = CliRunner().invoke(cli_app, ["sample", "--db", db, "--week", "2026-W48", "--rate", "0.2"])
    assert r.exit_code == 0, r.output
    ids = S.sampled_calls(store, "2026-W48")
    assert ids and all(x["call_id"] in r.output for x in ids)
    R.add_verdict(store, ids[0]["call_id"], "sup", "sample", ["abuse"], 0, "漏检")
    store.add_review(store.findings_for_call("A0-000")[0].finding_id, "sup", "confirm")
    out = tmp_path / "m.json"
    r = CliRunner().invoke(cli_app, ["eval", "--db", db, "--week", "2026-W48", "--json", str(out)])
    assert r.exit_code == 0, r.output
    assert "THREAT-001" in r.output and "漏检率" in r.output
    js = json.loads(out.read_text(encoding="utf-8"))
    assert js["miss_rate"]["k"] == 1 and js["miss_rate"]["n"] == 1
    assert CliRunner().invoke(cli_app, ["sample", "--db", db, "--week", "48"]).exit_code == 2


def test_config_keys_for_second_opinion_and_sampling(tmp_path):
    from qa_audit.core.config import Config, ConfigError

    cfg = Config.from_dict({"second_opinion": True, "sample_rate": 0.05})
    assert cfg.second_opinion is True and cfg.sample_rate == 0.05
    with pytest.raises(ConfigError):
        Config.from_dict({"sample_rate": 2})
    with pytest.raises(ConfigError):
        Config.from_dict({"second_opinion": "missing.npz"}, str(tmp_path / "qa-audit.yaml"))


def test_weekly_run_draws_the_sample_and_reports_it(tmp_path):
    import shutil

    from qa_audit.batch.pipeline import run

    src = Path(__file__).resolve().parents[1] / "samples" / "dev"
    inp = tmp_path / "in"
    inp.mkdir()
    for p in sorted(src.glob("D00*.json"))[:16]:
        shutil.copy(p, inp / p.name)
    db = tmp_path / "h.sqlite3"
    s = run([inp], tmp_path / "out", db, sample_rate=0.5, progress=False)
    store = Store(db)
    weeks = {r["week"]: r for r in store.conn.execute("SELECT * FROM audit_sample_weeks")}
    assert weeks and s.options["audit_sample"].keys() == weeks.keys()
    flagged = S.flagged_calls(store)
    sampled = [r["call_id"] for r in store.conn.execute("SELECT call_id FROM audit_samples")]
    assert sampled and not set(sampled) & flagged
    assert any(line.startswith("audit sample (抽检)") for line in s.lines())
    R.add_verdict(store, sampled[0], "sup", "sample", ["threat"], None, "漏检")
    from qa_audit.report.writer import write_reports

    paths = write_reports(tmp_path / "out2", store)
    html = Path(paths["summary"]).read_text(encoding="utf-8")
    assert 'id="production"' in html and "漏检率" in html
    # a run without a rate draws nothing
    s2 = run([inp], tmp_path / "out3", tmp_path / "other.sqlite3", progress=False)
    assert "audit_sample" not in s2.options
