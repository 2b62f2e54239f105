"""Dial-log loading, number masking and the DIAL-* rules at their boundaries."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qa_audit.core.dial_log import DialIndex, DialLogError, hash_number, load_dial_log, mask_number, number_key
from qa_audit.detect.rules.dial import in_window, judged_weeks, parse_hhmm, run_dial_rules

KEY = b"test-key"
HEADER = ["call_id", "file", "agent_id", "team", "case_id", "callee_number", "callee_relation",
          "started_at", "connected", "duration"]
DEBTOR = "13812348000"
CONTACT = "13900000002"


def write_log(tmp_path: Path, rows: list[dict], name: str = "dial.csv") -> Path:
    p = tmp_path / name
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=HEADER)
        w.writeheader()
        for i, r in enumerate(rows):
            row = {"call_id": f"X{i:04d}", "file": "", "agent_id": "A001", "team": "T1",
                   "case_id": "C1", "callee_number": DEBTOR, "callee_relation": "debtor",
                   "connected": "yes", "duration": "60"}
            row.update(r)
            w.writerow(row)
    return p


def findings(tmp_path, rows, **opts):
    recs, errs = load_dial_log(write_log(tmp_path, rows), KEY)
    assert errs == []
    return recs, run_dial_rules(recs, opts)


def by_rule(fs, code):
    return [f for f in fs if f.rule == code]


# --- forbidden window -------------------------------------------------------------------------
@pytest.mark.parametrize("hhmm,forbidden", [
    ("21:59:59", False), ("22:00:00", True), ("23:30:00", True), ("00:00:00", True),
    ("07:59:59", True), ("08:00:00", False), ("12:00:00", False),
])
def test_forbidden_window_boundaries(tmp_path, hhmm, forbidden):
    _, fs = findings(tmp_path, [{"started_at": f"2026-11-10T{hhmm}+08:00"}])
    hits = by_rule(fs, "DIAL-001")
    assert bool(hits) is forbidden
    if hits:
        f = hits[0]
        assert f.call_id == "X0000" and f.segment is None and f.category == "dial_frequency"
        assert hhmm in f.explanation and "22:00–08:00" in f.explanation


def test_forbidden_window_uses_local_time_of_the_call(tmp_path):
    # 14:30 UTC is 22:30 in Beijing: forbidden; 13:59 UTC is 21:59 in Beijing: allowed
    _, fs = findings(tmp_path, [{"started_at": "2026-11-10T14:30:00+00:00"},
                                {"started_at": "2026-11-10T22:30:00+08:00"},
                                {"started_at": "2026-11-10T21:59:00+08:00"}])
    # the first is 14:30 in its own zone (UTC): allowed; only the Beijing 22:30 is forbidden
    assert [f.call_id for f in by_rule(fs, "DIAL-001")] == ["X0001"]


def test_forbidden_window_configurable(tmp_path):
    rows = [{"started_at": "2026-11-10T21:00:00+08:00"}, {"started_at": "2026-11-10T08:30:00+08:00"}]
    _, fs = findings(tmp_path, rows, dial_forbidden_start="21:00", dial_forbidden_end="09:00")
    assert sorted(f.call_id for f in by_rule(fs, "DIAL-001")) == ["X0000", "X0001"]


def test_window_helpers():
    s, e = parse_hhmm("22:00"), parse_hhmm("08:00")
    assert in_window(parse_hhmm("22:00"), s, e) and not in_window(parse_hhmm("21:59"), s, e)
    assert in_window(parse_hhmm("07:59"), s, e) and not in_window(parse_hhmm("08:00"), s, e)
    # non-wrapping window
    assert in_window(parse_hhmm("12:30"), parse_hhmm("12:00"), parse_hhmm("13:00"))
    with pytest.raises(ValueError):
        parse_hhmm("25h")


# --- connected calls a day ---------------------------------------------------------------------
def day(n, relation="debtor", number=DEBTOR, connected="yes", date="2026-11-10", start_hour=9,
        case="C1"):
    return [{"started_at": f"{date}T{start_hour + i:02d}:00:00+08:00", "callee_relation": relation,
             "callee_number": number, "connected": connected, "case_id": case} for i in range(n)]


def test_third_connected_call_allowed_fourth_is_finding(tmp_path):
    _, fs = findings(tmp_path, day(3))
    assert by_rule(fs, "DIAL-002") == []
    _, fs = findings(tmp_path, day(4))
    hits = by_rule(fs, "DIAL-002")
    assert [f.call_id for f in hits] == ["X0003"]
    assert hits[0].details["count"] == 4 and hits[0].details["limit"] == 3


def test_fifth_call_is_a_second_finding_and_days_are_separate(tmp_path):
    rows = day(5) + day(3, date="2026-11-11")
    _, fs = findings(tmp_path, rows)
    assert [f.call_id for f in by_rule(fs, "DIAL-002")] == ["X0003", "X0004"]


def test_unanswered_calls_do_not_count_as_connected(tmp_path):
    rows = day(3) + day(2, connected="no", start_hour=15)
    _, fs = findings(tmp_path, rows)
    assert by_rule(fs, "DIAL-002") == []


def test_contact_calls_counted_separately_from_debtor(tmp_path):
    # 3 debtor + 3 contact on one day: neither limit crossed (together they would be 6)
    rows = day(3) + day(3, relation="contact", number=CONTACT, start_hour=13)
    _, fs = findings(tmp_path, rows)
    assert by_rule(fs, "DIAL-002") == [] and by_rule(fs, "DIAL-003") == []
    # a 4th contact call crosses the contact limit only
    rows = day(3) + day(4, relation="contact", number=CONTACT, start_hour=13)
    _, fs = findings(tmp_path, rows)
    assert by_rule(fs, "DIAL-002") == []
    assert [f.call_id for f in by_rule(fs, "DIAL-003")] == ["X0006"]
    # two different contact persons are counted each on their own
    rows = day(2, relation="contact", number=CONTACT) + \
        day(2, relation="contact", number="13900000003", start_hour=12)
    _, fs = findings(tmp_path, rows)
    assert by_rule(fs, "DIAL-003") == []


# --- unanswered attempts -------------------------------------------------------------------------
def test_sixth_unanswered_allowed_seventh_is_finding(tmp_path):
    _, fs = findings(tmp_path, day(6, connected="no"))
    assert by_rule(fs, "DIAL-004") == []
    _, fs = findings(tmp_path, day(7, connected="no"))
    hits = by_rule(fs, "DIAL-004")
    assert [f.call_id for f in hits] == ["X0006"]
    assert "#7" in hits[0].explanation


def test_unanswered_counted_per_number(tmp_path):
    rows = day(4, connected="no") + day(4, connected="no", number=CONTACT, relation="contact",
                                        start_hour=13)
    _, fs = findings(tmp_path, rows)
    assert by_rule(fs, "DIAL-004") == []


# --- weekly minimum --------------------------------------------------------------------------------
def week_rows(case, debtor_dates, connected="no", contact_dates=()):
    rows = [{"started_at": f"{d}T10:00:00+08:00", "case_id": case, "connected": connected,
             "callee_number": "1380000" + case[-4:].rjust(4, "0")} for d in debtor_dates]
    rows += [{"started_at": f"{d}T11:00:00+08:00", "case_id": case, "connected": "yes",
              "callee_relation": "contact", "callee_number": CONTACT} for d in contact_dates]
    return rows


# 2026-11-09 is a Monday (W46), 2026-11-15 a Sunday
MON, TUE, WED, THU, SUN = "2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12", "2026-11-15"


def test_weekly_minimum_unreachable_needs_four(tmp_path):
    span = week_rows("C9000", [MON, WED, SUN], connected="yes")  # reached, 3 calls, spans the week
    ok = week_rows("C0001", [MON, TUE, WED, THU])  # 4 unanswered: enough for unreachable
    short = week_rows("C0002", [MON, TUE, WED])  # 3 unanswered: one short
    recs, fs = findings(tmp_path, span + ok + short)
    assert judged_weeks(recs) == ["2026-W46"]
    hits = by_rule(fs, "DIAL-005")
    assert [f.call_id for f in hits] == ["CASE-C0002-2026-W46"]
    d = hits[0].details
    assert d["debtor_attempts"] == 3 and d["minimum"] == 4 and d["reached"] is False


def test_weekly_minimum_reachable_needs_three_and_contacts_do_not_count(tmp_path):
    span = week_rows("C9000", [MON, WED, SUN], connected="yes")
    ok = week_rows("C0003", [MON, TUE, WED], connected="yes")  # reached, 3 attempts
    short = week_rows("C0004", [MON, TUE], connected="yes", contact_dates=[WED, THU])
    _, fs = findings(tmp_path, span + ok + short)
    hits = by_rule(fs, "DIAL-005")
    assert [f.call_id for f in hits] == ["CASE-C0004-2026-W46"]
    d = hits[0].details
    assert d == {**d, "debtor_attempts": 2, "contact_attempts": 2, "minimum": 3, "reached": True}


def test_partial_weeks_are_not_judged(tmp_path):
    recs, fs = findings(tmp_path, week_rows("C0005", [TUE, WED]))  # Tue..Wed only
    assert judged_weeks(recs) == []
    assert by_rule(fs, "DIAL-005") == []
    # unless the weeks are named
    assert by_rule(run_dial_rules(recs, {"dial_weeks": ["2026-W46"]}), "DIAL-005")


# --- loading, masking, bad rows ------------------------------------------------------------------------
def test_numbers_masked_and_hashed_never_clear(tmp_path):
    recs, fs = findings(tmp_path, day(7, connected="no", start_hour=1))
    r = recs[0]
    assert r.callee_masked == "138****8000"
    assert r.callee_hash == hash_number("+86 138-1234-8000", KEY) != hash_number(DEBTOR, b"other")
    assert not hasattr(r, "callee_number")
    blob = repr(recs) + "".join(repr(f.to_dict()) for f in fs)
    assert DEBTOR not in blob and "138****8000" in blob


def test_mask_number_shapes():
    assert mask_number("13812348000") == "138****8000"
    assert mask_number("+86 13812348000") == "138****8000"
    assert mask_number("0105551234") == "01******34"
    assert mask_number("") == ""


def test_bad_rows_reported_rest_used(tmp_path):
    p = tmp_path / "dial.csv"
    p.write_text(
        ",".join(HEADER) + "\n"
        "A1,,A001,T1,C1,13812348000,debtor,2026-11-10T10:00:00+08:00,yes,30\n"
        "A2,,A001,T1,C1,13812348000,debtor,2026-11-31T25:00,yes,30\n"
        "A3,,A001,T1,C1,13812348000,debtor,2026-11-10T11:00:00+08:00,maybe,30\n"
        "A4,,A001,T1,C1,13812348000,debtor,2026-11-10 12:00:00,no,0\n"
        "A1,,A001,T1,C1,13812348000,debtor,2026-11-10T13:00:00+08:00,yes,30\n", encoding="utf-8")
    recs, errs = load_dial_log(p, KEY)
    assert [r.call_id for r in recs] == ["A1", "A4"]
    assert recs[1].started_at.utcoffset().total_seconds() == 8 * 3600 and recs[1].warnings
    where = [w for w, _ in errs]
    assert where == [f"{p}:3", f"{p}:4", f"{p}:6"]
    reasons = " | ".join(r for _, r in errs)
    assert "bad started_at '2026-11-31T25:00'" in reasons
    assert "bad connected value 'maybe'" in reasons and "duplicate call_id 'A1'" in reasons


def test_unusable_logs_raise_naming_the_file(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("", encoding="utf-8")
    with pytest.raises(DialLogError, match="empty.csv"):
        load_dial_log(p, KEY)
    q = tmp_path / "noid.csv"
    q.write_text("agent_id,started_at\nA1,2026-11-10T10:00:00+08:00\n", encoding="utf-8")
    with pytest.raises(DialLogError, match=r"noid.csv:1: .*call_id or file"):
        load_dial_log(q, KEY)


def test_gbk_dial_log_and_chinese_headers(tmp_path):
    p = tmp_path / "gbk.csv"
    p.write_bytes("通话编号,录音文件,坐席工号,案件号,被叫号码,关系,拨打时间,是否接通\n"
                  "Z1,Z1.wav,A9,C7,13812348000,债务人,2026-11-10T22:10:00+08:00,是\n".encode("gbk"))
    recs, errs = load_dial_log(p, KEY)
    assert errs == [] and recs[0].callee_relation == "debtor" and recs[0].connected
    idx = DialIndex(recs)
    assert idx.match(path="/x/Z1.wav") is recs[0] and idx.match(call_id="Z1") is recs[0]
    assert by_rule(run_dial_rules(recs), "DIAL-001")[0].call_id == "Z1"


def test_number_key_is_kept_in_the_store(tmp_path, monkeypatch):
    from qa_audit.store.db import Store

    monkeypatch.delenv("QA_AUDIT_NUMBER_KEY", raising=False)
    s = Store(tmp_path / "h.sqlite3")
    k1 = number_key(s)
    s.close()
    assert number_key(Store(tmp_path / "h.sqlite3")) == k1 and len(k1) == 64
    assert number_key(Store(tmp_path / "other.sqlite3")) != k1


def test_rules_are_registered_with_docs():
    from qa_audit.detect.rules import registry

    codes = [r.code for r in registry.select(scopes=["dial_log"])]
    assert codes == ["DIAL-001", "DIAL-002", "DIAL-003", "DIAL-004", "DIAL-005", "DIAL-006", "DIAL-007",
                     "DIAL-008"]
    for code in codes:
        assert "**Bad**" in registry.get(code).doc()
    assert [r.code for r in registry.select(ignore=["DIAL-00[2-8]"], scopes=["dial_log"])] == ["DIAL-001"]
