"""Every bad input of issue 5 in one batch with good files: the good ones are fully audited, each
bad one is reported by name (run summary + the report's failure list), exit status non-zero.

Real components: Whisper (faster-whisper base) on a short clip and on a 3-hour recording that is
mostly silence, the real Detector, SQLite, the report writer.
"""
from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import batchkit as kit  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad_batch")
    inp = tmp / "in"
    inp.mkdir()
    # good inputs
    kit.clip("D0007.wav", inp / "G0007.wav", 9.0)  # threat call, first 9 s
    kit.copy_dev(["D0001", "D0013"], inp)
    (inp / "N0001.txt").write_text("【明德资产】蒋女士，您的信用卡已逾期，请于本月20日前还款。\n\n"
                                   "如有疑问请致电客服。\n", encoding="utf-8")
    kit.long_recording(inp / "L0001.wav", inp / "G0007.wav", hours=3.0)
    gbk = json.loads((kit.SAMPLES / "dev" / "D0002.json").read_text(encoding="utf-8"))
    gbk["call_id"] = "GBK0002"
    (inp / "gbk.json").write_bytes(json.dumps(gbk, ensure_ascii=False).encode("gbk"))
    evil = json.loads((kit.SAMPLES / "dev" / "D0003.json").read_text(encoding="utf-8"))
    evil["call_id"] = "../../etc/passwd"
    (inp / "evil.json").write_text(json.dumps(evil, ensure_ascii=False), encoding="utf-8")
    # bad inputs
    (inp / "empty.wav").write_bytes(b"")
    raw = (kit.SAMPLES / "audio" / "D0004.wav").read_bytes()
    (inp / "truncated.wav").write_bytes(raw[: len(raw) * 4 // 10])
    (inp / "corrupt.mp3").write_bytes(os.urandom(20000))
    (inp / "notaudio.wav").write_text("这不是录音文件，只是一段文字。\n" * 20, encoding="utf-8")
    kit.ffmpeg("-f", "lavfi", "-i", "anullsrc=r=8000:cl=stereo", "-t", "30", "-c:a", "pcm_s16le",
               str(inp / "silence.wav"))
    kit.ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000", "-t", "2", "-af",
               "pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0", str(inp / "sixch.wav"))
    kit.wav_with_rate(inp / "rate1.wav", 1)
    (inp / "broken.json").write_text('{"call_id": "B1", "segments": [{"start": 0, ', encoding="utf-8")
    dial = tmp / "dial.csv"
    dial.write_text(
        "call_id,file,agent_id,team,case_id,callee_number,callee_relation,started_at,connected,duration\n"
        "G0007,G0007.wav,A009,T1,C7,13812348000,debtor,2026-11-10T22:05:00+08:00,yes,9\n"
        "D0099,D0099.wav,A009,T1,C7,13812348000,debtor,2026-11-10T10:00:00+08:00,yes,60\n"
        "X0001,,A009,T1,C7,13812348000,debtor,2026-11-31 25:61,no,0\n", encoding="utf-8")
    out, db = tmp / "out", tmp / "history.sqlite3"
    before = {p for p in tmp.rglob("*")}
    passwd_mtime = Path("/etc/passwd").stat().st_mtime
    p = kit.run_cli([str(inp), "--out", str(out), "--db", str(db), "--dial-log", str(dial),
                     "--workers", "1", "--no-progress"], timeout=400)
    return {"tmp": tmp, "inp": inp, "out": out, "db": db, "proc": p, "before": before,
            "dial": dial, "passwd_mtime": passwd_mtime,
            "summary": json.loads((out / "run_summary.json").read_text(encoding="utf-8"))}


BAD = {
    "empty.wav": "empty file",
    "truncated.wav": "truncated",
    "corrupt.mp3": "not a readable audio file",
    "notaudio.wav": "a text file, not an audio recording",
    "silence.wav": "silence only",
    "sixch.wav": "6 audio channels",
    "rate1.wav": "unsupported sample rate 1 Hz",
    "broken.json": "invalid JSON at line 1",
    "dial.csv:4": "bad started_at '2026-11-31 25:61'",
    "D0099.wav": "listed in the dial log",
}


def test_exit_status_non_zero_and_summary_lines(batch):
    p = batch["proc"]
    assert p.returncode == 1, p.stdout + p.stderr
    for name, reason in BAD.items():
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("FAILED") and name in ln]
        assert len(lines) == 1, (name, p.stdout)
        assert reason in lines[0], lines[0]


def test_each_bad_input_reported_once_by_name(batch):
    fails = batch["summary"]["failures"]
    assert len(fails) == len(BAD), fails
    for name, reason in BAD.items():
        hit = [f for f in fails if name in f["item"]]
        assert len(hit) == 1 and reason in hit[0]["error"], (name, fails)


def test_report_failure_list_names_each_bad_input(batch):
    html = (batch["out"] / "summary.html").read_text(encoding="utf-8")
    for name in BAD:
        assert name in html, name


def test_good_inputs_fully_audited(batch):
    con = sqlite3.connect(batch["db"])
    calls = {r[0]: r for r in con.execute("SELECT call_id, kind, duration, agent_id FROM calls")}
    cards = {r[0] for r in con.execute("SELECT call_id FROM scorecards")}
    good = {"G0007", "D0001", "D0013", "N0001", "L0001", "GBK0002", "../../etc/passwd"}
    assert good <= set(calls), calls.keys()
    assert good <= cards
    assert calls["N0001"][1] == "text"
    # the threat call was transcribed and scanned; the dial log joined (agent) and its 22:05 dial flagged
    rules = {r[0] for r in con.execute("SELECT rule FROM findings WHERE call_id='G0007'")}
    assert "DIAL-001" in rules, rules
    assert calls["G0007"][3] == "A009"
    # D0001 (unauthorized waiver in the dev labels) has findings from the detector
    assert con.execute("SELECT COUNT(*) FROM findings WHERE call_id='D0001' AND rule NOT LIKE 'DIAL%'"
                       ).fetchone()[0] >= 1
    # silence: nothing stored, nothing hallucinated
    assert "silence" not in calls
    assert con.execute("SELECT COUNT(*) FROM findings WHERE call_id='silence'").fetchone()[0] == 0


def test_three_hour_recording_processed_in_bounded_memory(batch):
    con = sqlite3.connect(batch["db"])
    dur, js = con.execute("SELECT duration, transcript_json FROM calls WHERE call_id='L0001'").fetchone()
    assert dur == pytest.approx(10800, abs=2)
    segs = json.loads(js)["segments"]
    assert segs and segs[-1]["end"] < 30  # speech only in the first seconds, none hallucinated later
    peak = max(w["peak_rss_mb"] for w in batch["summary"]["workers"].values())
    # per transcription worker <= 1.0 GB (issue 13): the whole run (model, detector, all files)
    # peaked at 440-750 MB here; 3 h decoded whole at 16 kHz float32 would add 690 MB on top of that
    assert peak <= 1000, peak


def test_gbk_and_unsafe_id_accepted_with_a_warning(batch):
    warns = batch["summary"]["warnings"]
    assert any("gbk.json" in w["item"] and "GBK" in w["error"] for w in warns), warns
    assert any("evil.json" in w["item"] and "not a safe file name" in w["error"] for w in warns), warns


def test_no_file_outside_the_output_folder(batch):
    tmp, out = batch["tmp"], batch["out"]
    new = {p for p in tmp.rglob("*")} - batch["before"]
    allowed = (out, batch["db"].parent)
    stray = [p for p in new if not (p.is_relative_to(out) or p.name.startswith(batch["db"].name))]
    assert stray == []
    assert Path("/etc/passwd").stat().st_mtime == batch["passwd_mtime"]
    for p in out.rglob("*"):
        assert ".." not in p.name and p.resolve().is_relative_to(out.resolve())
    assert not (tmp / "etc").exists() and not (out.parent / "etc").exists()
    assert allowed


def test_clear_callee_number_never_written(batch):
    import zipfile

    for p in list(batch["out"].rglob("*")) + [batch["db"]]:
        if not p.is_file():
            continue
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        else:
            data = p.read_bytes()
        assert b"13812348000" not in data, p
