"""Penalty referrals: tiers by severity/category, escalation across weeks from the database alone."""
from __future__ import annotations

from pathlib import Path

import pytest

from qa_audit.core.model import Call, Finding, Segment
from qa_audit.score.penalty import build_referrals, load_penalties, load_referrals, referral_id, week_bounds
from qa_audit.store.db import Store

TEXT = "您好我是明德资产的，你再不还钱我们就去你单位闹，让你同事都知道。"
EV = "去你单位闹"


def week_call(cid: str, agent: str, started: str, team: str = "一组") -> Call:
    return Call(cid, agent, started, callee_relation="debtor", metadata={"team": team},
                segments=[Segment(12.5, 18.0, "agent", TEXT), Segment(18.4, 20.0, "customer", "你敢！")])


def threat(cid: str, sev: str = "high", cat: str = "threat", rule: str = "THREAT-001") -> Finding:
    a = TEXT.index(EV)
    return Finding(cid, rule, cat, sev, 0, 12.5, 18.0, "agent", EV, a, a + len(EV), "坐席以上门相威胁",
                   "lexicon 去…单位闹; agent; not negated; score 0.92")


def run_week(db: Path, calls_findings, period: str):
    """One weekly run in its own Store session (as `qa-audit run` would do)."""
    s = Store(db)
    try:
        for c, fs in calls_findings:
            s.save_call(c, fs)
        return build_referrals(s, period=period)
    finally:
        s.close()


def test_second_week_escalates_from_the_database_alone(tmp_path):
    db = tmp_path / "history.sqlite3"
    w1 = run_week(db, [(week_call("W1-1", "A007", "2026-11-17T10:00:00+08:00"), [threat("W1-1")]),
                       (week_call("W1-2", "A008", "2026-11-17T11:00:00+08:00"), [])], "2026-W47")
    assert [(r.agent_id, r.tier, r.prior_count) for r in w1] == [("A007", 2, 0)]
    assert w1[0].tier_name == "书面警告"

    w2 = run_week(db, [(week_call("W2-1", "A007", "2026-11-24T15:00:00+08:00"), [threat("W2-1")])],
                  "2026-W48")
    assert len(w2) == 1
    r = w2[0]
    assert r.agent_id == "A007" and r.prior_count == 1 and r.tier == 3 and r.tier_name == "通报批评/罚款"
    assert r.prior_calls[0]["call_id"] == "W1-1"
    assert any("此前违规 1 通" in s and "升 1 档" in s for s in r.steps)

    # both referrals are in the DB; week 1's tier is unchanged by week 2
    s = Store(db)
    rows = s.conn.execute("SELECT agent_id, period, tier FROM referrals ORDER BY period").fetchall()
    assert [tuple(x) for x in rows] == [("A007", "2026-W47", 2), ("A007", "2026-W48", 3)]
    # rebuilding is idempotent (same ids, no duplicates)
    again = build_referrals(s)
    assert {(x.period, x.tier) for x in again} == {("2026-W47", 2), ("2026-W48", 3)}
    assert s.conn.execute("SELECT COUNT(*) FROM referrals").fetchone()[0] == 2
    assert {x.referral_id for x in again} == {referral_id("A007", "2026-W47"), referral_id("A007", "2026-W48")}
    s.close()


def test_referral_lists_what_a_reviewer_needs(tmp_path):
    refs = run_week(tmp_path / "h.db", [(week_call("C1", "A007", "2026-11-24T15:00:00+08:00"), [threat("C1")])],
                    "2026-W48")
    r = refs[0]
    d = r.to_dict()
    assert d["agent_id"] == "A007" and d["team"] == "一组" and d["period"] == "2026-W48"
    v = d["violations"][0]
    assert v["call_id"] == "C1" and v["start"] == 12.5 and v["time_label"] == "00:12.5"
    assert EV in v["excerpt"] and v["rule"] == "THREAT-001" and v["category_label"] == "威胁恐吓"
    assert v["basis"]  # from the registry, else from the rubric item that watches it
    for blank in ("reviewer", "reviewer_signature", "decision", "decision_date", "agent_signature"):
        assert d[blank] == ""
    assert "威胁恐吓" in r.reason and "第 2 档" in r.reason
    saved = load_referrals(Store(tmp_path / "h.db"))
    assert saved[0].to_dict() == d


def test_window_boundaries(tmp_path):
    """90-day window before the period start (Monday 2026-11-23): 2026-08-25 is inside, 08-24 outside."""
    start, _ = week_bounds("2026-W48")
    assert start.isoformat() == "2026-11-23"
    db = tmp_path / "h.db"
    s = Store(db)
    s.save_call(week_call("OLD", "A1", "2026-08-24T23:59:00+08:00"), [threat("OLD")])
    s.save_call(week_call("NOW", "A1", "2026-11-23T08:30:00+08:00"), [threat("NOW")])
    r = build_referrals(s, period="2026-W48")[0]
    assert r.prior_count == 0 and r.tier == 2
    s.save_call(week_call("IN", "A1", "2026-08-25T00:00:00+08:00"), [threat("IN")])
    r = build_referrals(s, period="2026-W48")[0]
    assert r.prior_count == 1 and r.tier == 3
    assert build_referrals(s, period="2026-W48", window_days=30)[0].prior_count == 0
    s.close()


def test_dismissed_violations_do_not_count(tmp_path):
    db = tmp_path / "h.db"
    s = Store(db)
    old = threat("P1")
    s.save_call(week_call("P1", "A1", "2026-11-17T10:00:00+08:00"), [old])
    s.save_call(week_call("P2", "A1", "2026-11-24T10:00:00+08:00"), [threat("P2")])
    assert build_referrals(s, period="2026-W48")[0].tier == 3
    s.add_review(old.finding_id, "sup", "dismiss", reason="误报")
    r = build_referrals(s, period="2026-W48")[0]
    assert r.prior_count == 0 and r.tier == 2
    # week 1 now has nothing left to refer: its saved referral is removed
    assert build_referrals(s, period="2026-W47") == []
    assert s.conn.execute("SELECT period FROM referrals").fetchall()[0][0] == "2026-W48"
    assert s.conn.execute("SELECT COUNT(*) FROM referrals").fetchone()[0] == 1
    # severity override by a reviewer changes the base tier
    ab = threat("P2", cat="abuse", rule="ABUSE-001")
    s.save_call(week_call("P2", "A1", "2026-11-24T10:00:00+08:00"), [ab])
    assert build_referrals(s, period="2026-W48")[0].tier == 2  # high → tier 2
    s.add_review(ab.finding_id, "sup", "severity", severity="low")
    r = build_referrals(s, period="2026-W48")[0]
    assert r.tier == 1 and r.tier_name == "口头警告" and r.violations[0].severity == "low"
    s.close()


def test_tier_rules_severity_category_repeat_and_cap(tmp_path):
    s = Store(tmp_path / "h.db")
    # critical → at least tier 2 even for a category without minimum
    s.save_call(week_call("X1", "B1", "2026-11-24T10:00:00+08:00"),
                [threat("X1", sev="critical", cat="unauthorized_waiver", rule="WAIVER-001")])
    # impersonation → at least tier 3
    s.save_call(week_call("X2", "B2", "2026-11-24T10:00:00+08:00"),
                [threat("X2", sev="medium", cat="impersonation", rule="IMP-001")])
    # 3 violating calls in one week (+1) and 3 prior (+2): capped at tier 4
    for i in range(3):
        s.save_call(week_call(f"P{i}", "B3", f"2026-10-0{i + 1}T10:00:00+08:00"), [threat(f"P{i}", sev="low", cat="abuse")])
        s.save_call(week_call(f"Q{i}", "B3", f"2026-11-2{i + 4}T10:00:00+08:00"), [threat(f"Q{i}", sev="high", cat="abuse")])
    refs = {r.agent_id: r for r in build_referrals(s, period="2026-W48")}
    assert refs["B1"].tier == 2
    assert refs["B2"].tier == 3 and any("冒充" in x for x in refs["B2"].steps)
    assert refs["B3"].prior_count == 3 and len(refs["B3"].violation_calls) == 3
    assert refs["B3"].tier == 4 and any("已达最高档" in x for x in refs["B3"].steps)
    # agent filter: only that agent is rebuilt, the others stay
    only = build_referrals(s, period="2026-W48", agent_ids=["B1"])
    assert [r.agent_id for r in only] == ["B1"]
    assert s.conn.execute("SELECT COUNT(*) FROM referrals").fetchone()[0] == 3
    # min_severity in the procedure filters low findings out
    pen = load_penalties()
    pen.min_severity = "critical"
    refs2 = {r.agent_id for r in build_referrals(s, period="2026-W48", penalties=pen, save=False)}
    assert refs2 == {"B1"}
    s.close()


def test_period_from_call_ids_and_bad_period(tmp_path):
    s = Store(tmp_path / "h.db")
    s.save_call(week_call("C1", "A1", "2026-11-24T10:00:00+08:00"), [threat("C1")])
    assert [r.period for r in build_referrals(s, call_ids=["C1"])] == ["2026-W48"]
    with pytest.raises(ValueError, match="ISO week"):
        build_referrals(s, period="November")
    s.close()


def test_dismissal_in_week_1_de_escalates_saved_week_2(tmp_path):
    """The web app rebuilds only the reviewed call's week; later weeks that counted it follow."""
    s = Store(tmp_path / "h.db")
    first = threat("E1")
    s.save_call(week_call("E1", "A5", "2026-11-17T10:00:00+08:00"), [first])
    s.save_call(week_call("E2", "A5", "2026-11-24T10:00:00+08:00"), [threat("E2")])
    build_referrals(s)
    tiers = dict(s.conn.execute("SELECT period, tier FROM referrals").fetchall())
    assert tiers == {"2026-W47": 2, "2026-W48": 3}
    s.add_review(first.finding_id, "sup", "dismiss", reason="误报")
    assert build_referrals(s, period="2026-W47", agent_ids=["A5"]) == []
    tiers = dict(s.conn.execute("SELECT period, tier FROM referrals").fetchall())
    assert tiers == {"2026-W48": 2}
    s.close()
