"""专用电话 and 全程录音 (issue 11): DIAL-006 / DIAL-007 / DIAL-008 at their boundaries, the
``designated_lines`` config (a list, or a file relative to the config) and the batch's reconciliation
of the dial log with its recordings (pseudo-calls, warnings and notes in the run summary)."""
from __future__ import annotations

import csv
import json
import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import batchkit as kit  # noqa: E402

from qa_audit.batch.pipeline import run  # noqa: E402
from qa_audit.core.config import Config, ConfigError  # noqa: E402
from qa_audit.core.dial_log import load_dial_log  # noqa: E402
from qa_audit.core.model import Call, Segment  # noqa: E402
from qa_audit.detect.rules.dial import run_dial_rules  # noqa: E402
from qa_audit.detect.rules.dial_line import (line_notes, normalize_line, reconcile_recordings,  # noqa: E402
                                             run_recording_rules)

KEY = b"test-key"
LINES = ["021-61234567", "4008001234"]


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("QA_AUDIT_NUMBER_KEY", "dial-line-test")


def write_log(path: Path, rows: list[dict], caller_line: bool = True) -> Path:
    header = ["call_id", "file", "agent_id", "team", "case_id", "callee_number", "callee_relation",
              "started_at", "connected", "duration"] + (["caller_line"] if caller_line else [])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        for i, r in enumerate(rows):
            row = {"call_id": f"X{i:04d}", "file": "", "agent_id": "A001", "team": "T1", "case_id": f"C{i}",
                   "callee_number": "13812348000", "callee_relation": "debtor",
                   "started_at": f"2026-11-10T{9 + i:02d}:00:00+08:00", "connected": "yes", "duration": "60",
                   "caller_line": "02161234567"}
            row.update(r)
            w.writerow(row)
    return path


def by_rule(fs, code):
    return [f for f in fs if f.rule == code]


# --- DIAL-006: designated lines -----------------------------------------------------------------
def test_every_attempt_from_another_line_is_a_finding(tmp_path):
    recs, errs = load_dial_log(write_log(tmp_path / "d.csv", [
        {"caller_line": "021-6123 4567"},            # designated, written differently
        {"caller_line": "+86 400 800 1234"},         # designated
        {"caller_line": "13912345678", "connected": "no", "duration": "0"},  # a mobile, unanswered
        {"caller_line": "02161234568"},              # one digit off
        {"caller_line": ""},                         # not recorded: not judged
    ]), KEY)
    assert errs == [] and recs[0].caller_line == "021-6123 4567" and recs[4].caller_line == ""
    fs = by_rule(run_dial_rules(recs, {"designated_lines": LINES}), "DIAL-006")
    assert [f.call_id for f in fs] == ["X0002", "X0003"]
    assert fs[0].category == "designated_line" and fs[0].severity == "high" and "13912345678" in fs[0].explanation
    assert fs[0].message == "未使用公司登记的专用催收电话拨打" and "主叫号码 13912345678" in fs[0].evidence
    assert fs[0].reason == "从主叫号码 13912345678 拨打，不是公司登记的专用催收电话（DIAL-006）"
    assert normalize_line("021-6123 4567") == normalize_line("02161234567") != normalize_line("02161234568")


def test_no_designated_lines_or_no_caller_line_column_skips_with_a_note(tmp_path):
    recs, _ = load_dial_log(write_log(tmp_path / "d.csv", [{"caller_line": "13912345678"}]), KEY)
    assert by_rule(run_dial_rules(recs, {}), "DIAL-006") == []
    notes = line_notes(recs, {}, dial_log_given=True)
    assert len(notes) == 1 and "no designated_lines" in notes[0]
    bare, _ = load_dial_log(write_log(tmp_path / "bare.csv", [{}], caller_line=False), KEY)
    assert bare[0].caller_line is None
    assert by_rule(run_dial_rules(bare, {"designated_lines": LINES}), "DIAL-006") == []
    notes = line_notes(bare, {"designated_lines": LINES}, dial_log_given=True)
    assert len(notes) == 1 and "no caller_line column" in notes[0]
    assert line_notes(recs, {"designated_lines": LINES}, dial_log_given=True) == []
    assert line_notes(recs, {}, dial_log_given=True, ignore=["DIAL-006"]) == []


def test_recording_metadata_names_a_non_designated_line():
    def call(line):
        return Call("R1", agent_id="A1", segments=[Segment(0, 3, "agent", "您好")],
                    metadata={"caller_line": line} if line else {})
    opts = {"designated_lines": LINES}
    fs = by_rule(run_recording_rules(call("13912345678"), opts), "DIAL-006")
    assert len(fs) == 1 and fs[0].call_id == "R1" and "13912345678" in fs[0].evidence
    assert by_rule(run_recording_rules(call("021-61234567"), opts), "DIAL-006") == []
    assert by_rule(run_recording_rules(call(None), opts), "DIAL-006") == []
    assert by_rule(run_recording_rules(call("13912345678"), {}), "DIAL-006") == []


def test_designated_lines_from_yaml_list_and_from_a_file(tmp_path):
    cfg = tmp_path / "conf"
    cfg.mkdir()
    (cfg / "qa-audit.yaml").write_text('designated_lines: ["021-61234567", 4008001234]\n', encoding="utf-8")
    assert Config.load(cfg / "qa-audit.yaml").designated_lines == ["021-61234567", "4008001234"]
    (cfg / "lines.txt").write_text("# 专用电话\n021-61234567\n\n4008001234  # hotline\n", encoding="utf-8")
    (cfg / "b.yaml").write_text("designated_lines: {file: lines.txt}\n", encoding="utf-8")
    assert Config.load(cfg / "b.yaml").designated_lines == ["021-61234567", "4008001234"]
    assert Config.load(tmp_path / "conf" / "b.yaml", start=tmp_path).designated_lines  # relative to the config
    assert Config().designated_lines is None
    (cfg / "c.yaml").write_text("designated_lines: {file: nope.txt}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nope.txt"):
        Config.load(cfg / "c.yaml")
    (cfg / "d.yaml").write_text("designated_lines: {lines: x}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="designated_lines"):
        Config.load(cfg / "d.yaml")


# --- DIAL-007: connected call without recording ---------------------------------------------------
@pytest.mark.parametrize("duration,fires", [("9.9", False), ("10", True), ("10.0", True), ("38", True)])
def test_connected_call_without_recording_boundary(tmp_path, duration, fires):
    recs, _ = load_dial_log(write_log(tmp_path / "d.csv", [{"duration": duration}]), KEY)
    fs = reconcile_recordings(recs, files=[], call_ids=[])
    assert bool(fs) is fires
    if fs:
        assert fs[0].rule == "DIAL-007" and fs[0].call_id == "X0000" and fs[0].category == "recording_integrity"
        assert fs[0].message == "接通的催收电话未录音"
        assert fs[0].reason == f"接通 {float(duration):g} 秒的催收电话没有录音，应全程录音（DIAL-007）"


def test_recorded_unanswered_or_configured_calls_are_not_flagged(tmp_path):
    recs, _ = load_dial_log(write_log(tmp_path / "d.csv", [
        {"call_id": "D1"},                                       # recorded (call id in the batch)
        {"call_id": "D2", "file": "D2.mp3"},                     # names its recording
        {"call_id": "X3", "connected": "no", "duration": "0"},  # not answered
        {"call_id": "X4", "duration": "25"},                     # connected, 25 s, no recording
    ]), KEY)
    assert [f.call_id for f in reconcile_recordings(recs, ["D2.mp3"], ["D1"])] == ["X4"]
    assert reconcile_recordings(recs, ["D2.mp3"], ["D1"], {"dial_min_recorded_s": 30}) == []
    assert reconcile_recordings(recs, ["D2.mp3"], ["D1"], ignore=["DIAL-007"]) == []
    # the log alone (no knowledge of the batch) never judges recordings
    assert by_rule(run_dial_rules(recs, {}), "DIAL-007") == []


# --- DIAL-008: recording shorter than the call ----------------------------------------------------
@pytest.mark.parametrize("dial,recorded,fires", [
    (100, 90, False),    # exactly 10 % (and 10 s) short
    (100, 89.9, True),   # more than 10 % and more than 5 s
    (40, 35, False),     # 12.5 % but exactly 5 s
    (40, 34.9, True),    # 12.75 %, 5.1 s
    (200, 181, False),   # 19 s but only 9.5 %
    (200, 179.9, True),  # 10.05 %, 20.1 s
    (30, 26, False),     # 13 % but 4 s
])
def test_recording_shorter_than_the_call_boundaries(dial, recorded, fires):
    call = Call("R1", duration=recorded, segments=[Segment(0, 3, "agent", "您好")],
                metadata={"dial_duration": dial, "connected": True, "dial_log_line": 7})
    fs = by_rule(run_recording_rules(call, {}), "DIAL-008")
    assert bool(fs) is fires
    if fs:
        assert fs[0].call_id == "R1" and fs[0].details["dial_duration"] == dial
        assert "录音仅" in fs[0].evidence
        assert fs[0].reason.startswith(f"通话 {dial:g} 秒，录音仅 {recorded:.1f} 秒") and \
            fs[0].reason.endswith("录音不完整（DIAL-008）")


def test_recording_length_not_judged_without_both_durations():
    segs = [Segment(0, 3, "agent", "您好")]
    assert run_recording_rules(Call("R", duration=None, segments=segs, metadata={"dial_duration": 100})) == []
    assert run_recording_rules(Call("R", duration=10.0, segments=segs, metadata={})) == []
    assert run_recording_rules(Call("R", duration=10.0, segments=segs,
                                    metadata={"dial_duration": 100, "connected": False})) == []
    # thresholds are options
    call = Call("R", duration=95.0, segments=segs, metadata={"dial_duration": 100})
    assert by_rule(run_recording_rules(call, {"dial_recording_short_ratio": 0.04,
                                               "dial_recording_short_s": 4}), "DIAL-008")


# --- the batch ------------------------------------------------------------------------------------
def _q(db, sql, *args):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


@pytest.fixture
def batch(tmp_path):
    inp = tmp_path / "in"
    kit.copy_dev(["D0005", "D0006", "D0007"], inp)
    for cid, dur in (("D0005", 60.0), ("D0006", 100.0)):  # measured durations of the recordings
        p = inp / f"{cid}.json"
        d = json.loads(p.read_text(encoding="utf-8"))
        d["duration"] = dur
        p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "lines.txt").write_text("021-61234567\n4008001234\n", encoding="utf-8")
    (conf / "qa-audit.yaml").write_text("designated_lines: {file: lines.txt}\n", encoding="utf-8")
    dial = write_log(tmp_path / "dial.csv", [
        {"call_id": "D0005", "duration": "62", "caller_line": "02161234567"},   # complete, designated
        {"call_id": "D0006", "duration": "130", "caller_line": "13912345678"},  # 30 s short, a mobile
        {"call_id": "X0100", "duration": "45", "caller_line": "4008001234"},    # connected, no recording
        {"call_id": "X0101", "duration": "9.9"},                                # too short to need one
        {"call_id": "X0102", "connected": "no", "duration": "0", "caller_line": "13912345678"},
    ])
    # D0007 has no dial-log row
    return tmp_path, inp, dial, conf / "qa-audit.yaml"


def test_batch_reconciles_lines_and_recordings(batch):
    tmp, inp, dial, conf = batch
    db = tmp / "h.sqlite3"
    s = run([inp], tmp / "out", db, dial_log=dial, detector_config=str(conf), progress=False)
    assert s.exit_code == 0 and s.failed == 0, s.lines()
    rules = {r[0]: set(r[1].split(",")) for r in _q(
        db, "SELECT call_id, group_concat(rule) FROM findings WHERE rule LIKE 'DIAL-00%' GROUP BY call_id")}
    assert rules.get("D0006") == {"DIAL-006", "DIAL-008"}, rules
    assert "D0005" not in rules
    # a connected call without recording: a finding on its dial-only pseudo-call, not a failure
    assert rules.get("X0100") == {"DIAL-007"}
    assert rules.get("X0102") == {"DIAL-006"}
    assert "X0101" not in rules
    md = json.loads(_q(db, "SELECT transcript_json FROM calls WHERE call_id='X0100'")[0][0])["metadata"]
    assert md["pseudo"] == "dial_attempt"
    # the recording with no dial-log row: a warning
    assert [w for w in s.warnings if "D0007" in w["error"] and "no row in the dial log" in w["error"]], s.warnings
    assert s.notes == []
    text = "\n".join(s.lines())
    assert "designated_line" in text and "recording_integrity" in text
    # scored: DIAL-006 and DIAL-007/008 deduct in 记录与流程
    card = json.loads(_q(db, "SELECT card_json FROM scorecards WHERE call_id='D0006'")[0][0])
    items = {it["id"]: it["score"] for it in card["items"]}
    assert items["PROC-04"] == 0 and items["PROC-05"] == 1


def test_batch_without_designated_lines_or_caller_line_notes_it(batch, tmp_path):
    tmp, inp, dial, _ = batch
    s = run([inp], tmp / "out1", tmp / "a.sqlite3", dial_log=dial, progress=False)
    assert s.exit_code == 0 and any("no designated_lines" in n for n in s.notes), s.notes
    assert "NOTE" in "\n".join(s.lines())
    assert not _q(tmp / "a.sqlite3", "SELECT 1 FROM findings WHERE rule='DIAL-006'")
    bare = write_log(tmp / "bare.csv", [{"call_id": "D0005", "duration": "62"}], caller_line=False)
    conf = tmp / "conf" / "qa-audit.yaml"
    s = run([inp], tmp / "out2", tmp / "b.sqlite3", dial_log=bare, detector_config=str(conf), progress=False)
    assert s.exit_code == 0 and any("no caller_line column" in n for n in s.notes), s.notes
    assert not _q(tmp / "b.sqlite3", "SELECT 1 FROM findings WHERE rule='DIAL-006'")
    js = json.loads((tmp / "out2" / "run_summary.json").read_text(encoding="utf-8"))
    assert js["notes"] == s.notes


def test_calls_csv_caller_line_flags_the_recording(tmp_path):
    inp = tmp_path / "in"
    kit.copy_dev(["D0005", "D0006"], inp)
    (inp / "calls.csv").write_text("file,call_id,caller_line\nD0005.json,D0005,13912345678\n"
                                   "D0006.json,D0006,021-61234567\n", encoding="utf-8")
    db = tmp_path / "h.sqlite3"
    s = run([inp], tmp_path / "out", db, rule_options={"designated_lines": LINES}, progress=False)
    assert s.exit_code == 0
    assert _q(db, "SELECT call_id FROM findings WHERE rule='DIAL-006'") == [("D0005",)]
