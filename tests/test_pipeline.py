"""``qa_audit.batch.pipeline.run`` on transcript JSON and text notices (fast: no Whisper): mixed inputs,
metadata and dial-log joins, dial-log and audio-metric findings flowing into the DB, scores and
reports, select/ignore, idempotent reruns, duplicate ids, the run summary and the CLI."""
from __future__ import annotations

import csv
import json
import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import batchkit as kit  # noqa: E402

from qa_audit.core.model import Call, Segment  # noqa: E402
from qa_audit.batch.pipeline import discover, run  # noqa: E402

NUMBER = "13812348000"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("QA_AUDIT_NUMBER_KEY", "pipeline-test")


def q(db, sql, *args):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def write_call(path: Path, call: Call) -> Path:
    path.write_text(call.to_json(), encoding="utf-8")
    return path


@pytest.fixture
def mixed(tmp_path):
    inp = tmp_path / "in"
    kit.copy_dev(["D0001", "D0007", "D0010"], inp)
    (inp / "N0001.txt").write_text("【明德资产】蒋女士：您的账户已逾期。\n\n请尽快还款，否则我们将通知您的家人和单位。\n",
                                   encoding="utf-8")
    (inp / "N0002.txt").write_bytes("【明德资产】李先生：请于本月20日前还款。\n".encode("gbk"))
    (inp / "notes.md").write_text("not an input", encoding="utf-8")
    dial = tmp_path / "dial.csv"
    rows = [
        # the recorded call D0007 (transcript JSON) was dialled at 22:10: DIAL-001 on D0007
        ["D0007", "", "A009", "T1", "C7", NUMBER, "debtor", "2026-11-10T22:10:00+08:00", "yes", "120"],
        # 7 unanswered attempts to one number on one day: the 7th (X0007) is DIAL-004
        *[[f"X000{i}", "", "A009", "T1", "C7", NUMBER, "debtor", f"2026-11-11T{9 + i:02d}:00:00+08:00", "no", "0"]
          for i in range(1, 8)],
        # an attempt at 07:59 (forbidden) and one at 08:00 (allowed)
        ["X0100", "", "A014", "T2", "C10", "13900001111", "contact", "2026-11-12T07:59:00+08:00", "no", "0"],
        ["X0101", "", "A014", "T2", "C10", "13900001111", "contact", "2026-11-12T08:00:00+08:00", "no", "0"],
    ]
    with open(dial, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["call_id", "file", "agent_id", "team", "case_id", "callee_number", "callee_relation",
                    "started_at", "connected", "duration"])
        w.writerows(rows)
    return tmp_path, inp, dial


def test_discover_mixes_kinds_and_lists_the_rest(mixed):
    _, inp, _ = mixed
    items, ignored, missing = discover([inp, inp / "nope.wav"])
    kinds = {Path(i.path).name: i.kind for i in items}
    assert kinds == {"D0001.json": "transcript", "D0007.json": "transcript", "D0010.json": "transcript",
                     "N0001.txt": "text", "N0002.txt": "text"}
    assert [Path(p).name for p in ignored] == ["notes.md"]
    assert missing == [(str(inp / "nope.wav"), "input not found")]


def test_mixed_batch_with_dial_log(mixed):
    tmp, inp, dial = mixed
    out, db = tmp / "out", tmp / "h.sqlite3"
    s = run([inp], out, db, dial_log=dial, progress=False)
    assert s.exit_code == 0 and s.failed == 0 and s.processed == 5, s.lines()
    # text notices: kind text, one agent segment per non-empty line; GBK accepted with a warning
    n1 = json.loads(q(db, "SELECT transcript_json FROM calls WHERE call_id='N0001'")[0][0])
    assert n1["kind"] == "text" and [x["speaker"] for x in n1["segments"]] == ["agent", "agent"]
    assert any("N0002.txt" in w["item"] and "GBK" in w["error"] for w in s.warnings)
    # the dial log joined the recorded call: team and masked number, never the clear number
    d7 = json.loads(q(db, "SELECT transcript_json FROM calls WHERE call_id='D0007'")[0][0])
    assert d7["metadata"]["team"] == "T1" and d7["metadata"]["callee_masked"] == "138****8000"
    rules = {r[0] for r in q(db, "SELECT rule FROM findings WHERE call_id='D0007'")}
    assert "DIAL-001" in rules and any(r.startswith("THREAT") for r in rules), rules
    # attempts without recording that carry findings are pseudo-calls with their findings
    assert q(db, "SELECT rule FROM findings WHERE call_id='X0007'") == [("DIAL-004",)]
    assert q(db, "SELECT rule FROM findings WHERE call_id='X0100'") == [("DIAL-001",)]
    assert q(db, "SELECT COUNT(*) FROM calls WHERE call_id IN ('X0101','X0001')") == [(0,)]
    assert s.pseudo_calls == 2
    # ... scored and reported like any other call
    cards = {r[0] for r in q(db, "SELECT call_id FROM scorecards")}
    assert {"D0007", "X0007", "X0100", "N0001"} <= cards
    fcsv = (out / "findings.csv").read_text(encoding="utf-8-sig")
    assert "DIAL-004" in fcsv and "DIAL-001" in fcsv
    # the clear callee number is in no output and not in the DB
    for p in list(out.rglob("*")) + [db]:
        if p.is_file() and p.suffix != ".xlsx":
            assert NUMBER.encode() not in p.read_bytes(), p
    # run summary: counts, findings by category, time per stage, also as JSON
    js = json.loads((out / "run_summary.json").read_text(encoding="utf-8"))
    assert js["processed"] == 5 and js["findings_by_category"]["dial_frequency"] == 3
    assert {"scan", "score", "referrals", "report", "total"} <= set(js["stage_seconds"])
    text = "\n".join(s.lines())
    assert "5 processed" in text and "dial_frequency 3" in text and "time per stage" in text


def test_rerun_is_idempotent_and_changed_file_is_redone(mixed):
    tmp, inp, dial = mixed
    out, db = tmp / "out", tmp / "h.sqlite3"
    run([inp], out, db, dial_log=dial, progress=False)
    first = kit.snapshot(db)
    again = run([inp], out, db, dial_log=dial, progress=False)
    assert again.cached == 5 and again.processed == 0
    assert kit.snapshot(db) == first
    # edit one transcript: only that one is processed again
    p = inp / "D0010.json"
    d = json.loads(p.read_text(encoding="utf-8"))
    d["segments"][0]["text"] += "。"
    p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    third = run([inp], out, db, dial_log=dial, progress=False)
    assert third.cached == 4 and third.processed == 1
    assert q(db, "SELECT COUNT(*) FROM findings") == [(len(first["findings"]),)]


def test_force_redoes_everything(mixed):
    tmp, inp, _ = mixed
    run([inp], tmp / "o", tmp / "h.sqlite3", progress=False)
    s = run([inp], tmp / "o", tmp / "h.sqlite3", force=True, progress=False)
    assert s.cached == 0 and s.processed == 5


def test_select_and_ignore(mixed):
    tmp, inp, dial = mixed
    s = run([inp], tmp / "o1", tmp / "a.sqlite3", dial_log=dial, ignore=["DIAL-001"], progress=False)
    rules = {r[0] for r in q(tmp / "a.sqlite3", "SELECT DISTINCT rule FROM findings")}
    assert "DIAL-001" not in rules and "DIAL-004" in rules
    assert "DIAL-001" not in s.findings_by_rule
    run([inp], tmp / "o2", tmp / "b.sqlite3", dial_log=dial, select=["threat"], progress=False)
    cats = {r[0] for r in q(tmp / "b.sqlite3", "SELECT DISTINCT category FROM findings")}
    assert cats == {"threat"}


def test_metadata_csv_joined_and_numbers_masked(tmp_path):
    inp = tmp_path / "in"
    kit.copy_dev(["D0005"], inp)
    d = json.loads((inp / "D0005.json").read_text(encoding="utf-8"))
    d.pop("agent_id"), d.pop("started_at")
    (inp / "D0005.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    (inp / "calls.csv").write_text("file,call_id,agent_id,started_at,team,phone\n"
                                   f"D0005.json,D0005,A777,2026-11-20T10:00:00+08:00,T9,{NUMBER}\n",
                                   encoding="utf-8")
    db = tmp_path / "h.sqlite3"
    s = run([inp], tmp_path / "out", db, progress=False)  # calls.csv of the folder used by default
    assert s.exit_code == 0
    agent, team, week, js = q(db, "SELECT agent_id, team, week, transcript_json FROM calls")[0]
    assert (agent, team, week) == ("A777", "T9", "2026-W47")
    assert NUMBER not in js and "138****8000" in js


def test_duplicate_call_id_is_a_failure(tmp_path):
    inp = tmp_path / "in"
    kit.copy_dev(["D0005"], inp)
    (inp / "copy.json").write_text((inp / "D0005.json").read_text(encoding="utf-8"), encoding="utf-8")
    s = run([inp], tmp_path / "out", tmp_path / "h.sqlite3", progress=False)
    assert s.exit_code == 1 and s.processed == 1
    assert len(s.failures) == 1 and "duplicate call id 'D0005'" in s.failures[0]["error"]


def test_audio_metric_rules_from_segments_and_metrics(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    base = [Segment(0.0, 4.0, "agent", "您好，我是明德资产的调解员小王，工号1234。"),
            Segment(4.5, 6.0, "customer", "嗯，你说。")]
    fast = Call("F1", agent_id="A1", started_at="2026-11-10T10:00:00+08:00", segments=[
        *base, Segment(6.5, 12.5, "agent", "您的账户已经逾期了九十天总共欠款四万八千六百元请您今天之内务必处理一下不然会影响征信记录")])
    quiet = Call("Q1", agent_id="A1", started_at="2026-11-10T10:00:00+08:00", segments=[
        *base, Segment(26.0, 30.0, "agent", "不好意思，让您久等了，我刚才查了一下记录。")])
    measured = Call("M1", agent_id="A1", started_at="2026-11-10T10:00:00+08:00", segments=list(base),
                    metadata={"audio_metrics": {"agent_speech_rate_cpm": 420.0, "longest_silence_s": 3.0}})
    calm = Call("C1", agent_id="A1", started_at="2026-11-10T10:00:00+08:00", segments=list(base),
                metadata={"audio_metrics": {"agent_speech_rate_cpm": 250.0, "longest_silence_s": 15.0}})
    for c in (fast, quiet, measured, calm):
        write_call(inp / f"{c.call_id}.json", c)
    db = tmp_path / "h.sqlite3"
    run([inp], tmp_path / "out", db, progress=False)
    got = {(r[0], r[1]) for r in q(db, "SELECT call_id, rule FROM findings WHERE rule LIKE 'AUDIO-%'")}
    assert got == {("F1", "AUDIO-001"), ("Q1", "AUDIO-002"), ("M1", "AUDIO-001")}
    expl = q(db, "SELECT explanation, start, end FROM findings WHERE call_id='Q1' AND rule='AUDIO-002'")[0]
    assert "20.0 s" in expl[0] and (expl[1], expl[2]) == (6.0, 26.0)


def test_progress_bars_on_stderr(tmp_path, capsys):
    inp = tmp_path / "in"
    kit.copy_dev(["D0005", "D0006"], inp)
    run([inp], tmp_path / "out", tmp_path / "h.sqlite3", progress=True)
    err = capsys.readouterr().err
    assert "scan" in err and "2/2" in err and "report" in err


def test_cli_run_exit_status_and_summary(tmp_path):
    inp = tmp_path / "in"
    kit.copy_dev(["D0005", "D0006"], inp)
    p = kit.run_cli([str(inp), "--out", str(tmp_path / "out"), "--db", str(tmp_path / "h.sqlite3"),
                     "--no-progress"], timeout=120)
    assert p.returncode == 0, p.stderr
    assert "2 processed" in p.stdout and "time per stage" in p.stdout
    (inp / "bad.json").write_text("[", encoding="utf-8")
    p = kit.run_cli([str(inp), "--out", str(tmp_path / "out"), "--db", str(tmp_path / "h.sqlite3"),
                     "--no-progress"], timeout=120)
    assert p.returncode == 1
    assert "2 skipped as cached" in p.stdout
    assert [ln for ln in p.stdout.splitlines() if ln.startswith("FAILED") and "bad.json" in ln]


def test_two_weeks_share_history(tmp_path):
    """Successive weekly runs append to one database: the second week's referral escalates."""
    db = tmp_path / "h.sqlite3"
    tiers = []
    for week, day in (("w1", "2026-11-10"), ("w2", "2026-11-17")):
        inp = tmp_path / week
        kit.copy_dev(["D0007"], inp)
        d = json.loads((inp / "D0007.json").read_text(encoding="utf-8"))
        d["call_id"], d["started_at"] = f"{week}-D0007", f"{day}T10:00:00+08:00"
        (inp / "D0007.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
        run([inp], tmp_path / f"out_{week}", db, progress=False)
        tiers.append(q(db, "SELECT tier FROM referrals WHERE agent_id=? ORDER BY period DESC LIMIT 1",
                       d["agent_id"])[0][0])
    assert tiers[1] > tiers[0]


def test_text_notices_segment_per_non_empty_line_matches_labels():
    """samples/notices labels index the non-empty lines: the pipeline's text Call must agree."""
    from qa_audit.batch.pipeline import load_text_notice

    folder = kit.SAMPLES / "notices"
    labels = [json.loads(ln) for ln in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines() if ln]
    checked = 0
    for lab in labels:
        call = load_text_notice(str(folder / f"{lab['call_id']}.txt"), lab["call_id"], [])
        assert call.kind == "text" and all(s.speaker == "agent" and s.text for s in call.segments)
        for v in lab["violations"]:
            if v.get("segment") is not None:
                assert v["quote"] in call.segments[v["segment"]].text, (lab["call_id"], v)
                checked += 1
    assert checked >= 5


def test_output_folder_inside_input_folder_is_not_read_back(tmp_path):
    inp = tmp_path / "in"
    kit.copy_dev(["D0005", "D0006"], inp)
    db = tmp_path / "h.sqlite3"
    run([inp], inp / "out", db, progress=False)
    (inp / "out" / "transcripts").mkdir(exist_ok=True)
    (inp / "out" / "transcripts" / "X.json").write_text("{}", encoding="utf-8")
    s = run([inp], inp / "out", db, progress=False)
    assert s.inputs == 2 and s.cached == 2 and s.exit_code == 0


def test_clear_number_inside_a_transcript_is_masked(tmp_path):
    inp = tmp_path / "in"
    kit.copy_dev(["D0005"], inp)
    d = json.loads((inp / "D0005.json").read_text(encoding="utf-8"))
    d["callee_number"] = NUMBER  # an exporter that puts the number in the transcript
    (inp / "D0005.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "h.sqlite3"
    s = run([inp], tmp_path / "out", db, progress=False)
    js = q(db, "SELECT transcript_json FROM calls")[0][0]
    assert NUMBER not in js and "138****8000" in js
    assert any("masked" in w["error"] for w in s.warnings)
    for p in (tmp_path / "out").rglob("*"):
        if p.is_file() and p.suffix != ".xlsx":
            assert NUMBER.encode() not in p.read_bytes(), p


def test_peak_memory_is_the_process_own_not_inherited_from_its_parent():
    """ru_maxrss survives fork+exec on Linux; the run summary must report the worker's own peak."""
    import subprocess
    import sys

    ballast = bytearray(400 * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(ballast[::4096])
    out = subprocess.run([sys.executable, "-c", "from qa_audit.batch.pipeline import _peak_rss_mb; print(_peak_rss_mb())"],
                         capture_output=True, text=True, check=True)
    assert float(out.stdout) < 300, out.stdout
    del ballast
