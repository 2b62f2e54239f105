"""A run killed with SIGKILL mid-batch and started again ends identical to an uninterrupted run:
same database rows (calls, findings, scorecards, referrals, run state), same output files, no
duplicates, and the finished calls are not redone.  ``--force`` redoes everything.

Real Whisper on two short clips (so the run lasts long enough to be killed mid-batch), real
Detector, real SQLite, the CLI in a subprocess.
"""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import batchkit as kit  # noqa: E402

pytestmark = pytest.mark.slow

DEV = ["D0001", "D0002", "D0005", "D0006", "D0007", "D0009", "D0011", "D0014", "D0020", "D0026"]
COMPARED = ["calls.csv", "findings.csv", "scores.csv", "referrals.csv"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resume")
    a = tmp / "a_transcripts"
    kit.copy_dev(DEV, a)
    b = tmp / "b_audio"
    b.mkdir()
    kit.clip("D0006.wav", b / "R0006.wav", 8.0, start=3.0)
    kit.clip("D0010.mp3", b / "R0010.wav", 8.0)
    dial = tmp / "dial.csv"
    dial.write_text(
        "call_id,file,agent_id,team,case_id,callee_number,callee_relation,started_at,connected,duration\n"
        "R0006,R0006.wav,A009,T1,C6,13800138006,debtor,2026-11-09T22:30:00+08:00,yes,8\n"
        "R0010,R0010.wav,A014,T2,C10,13800138010,debtor,2026-11-10T09:00:00+08:00,yes,8\n"
        "X0001,,A014,T2,C10,13800138010,debtor,2026-11-10T07:00:00+08:00,no,0\n", encoding="utf-8")
    return tmp, [str(a), str(b)], dial


def _args(inp, dial, out, db, *extra):
    return [*inp, "--out", str(out), "--db", str(db), "--dial-log", str(dial), "--workers", "1",
            "--no-progress", *extra]


def _scanned(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(db, timeout=1)
        n = con.execute("SELECT COUNT(*) FROM run_items WHERE stage='scanned' AND item NOT LIKE 'dial:%'"
                        ).fetchone()[0]
        con.close()
        return n
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="module")
def ref(inputs):
    """The uninterrupted reference run."""
    tmp, inp, dial = inputs
    out, db = tmp / "ref_out", tmp / "ref.sqlite3"
    p = kit.run_cli(_args(inp, dial, out, db), timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    return out, db


def kill_and_resume(inputs, ref, workers: int, tag: str) -> dict:
    """Start the run, SIGKILL the driver once its first calls are stored, run it again."""
    import psutil

    tmp, inp, dial = inputs
    total = len(DEV) + 2
    out, db = tmp / f"{tag}_out", tmp / f"{tag}.sqlite3"
    args = _args(inp, dial, out, db)
    args[args.index("--workers") + 1] = str(workers)
    proc = subprocess.Popen([sys.executable, "-m", "qa_audit", "run", *args], cwd=kit.ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=kit.cli_env())
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if _scanned(db) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    children = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # pool workers lose their driver: they must go away on their own (killed after 60 s if not)
    gone, alive = psutil.wait_procs(children, timeout=60)
    for c in alive:
        print("still alive after the driver was killed:", c.pid, c.cmdline()[:4])
        c.kill()
    stored_at_kill = _scanned(db)
    assert proc.returncode == -signal.SIGKILL
    assert 1 <= stored_at_kill < total
    con = sqlite3.connect(db)
    assert con.execute("SELECT status FROM runs").fetchone()[0] == "running"
    con.close()
    again = kit.run_cli(args, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    return {"ref_out": ref[0], "ref_db": ref[1], "out": out, "db": db, "total": total,
            "stored_at_kill": stored_at_kill, "again": again, "inputs": inputs,
            "orphans_left": len(alive)}


@pytest.fixture(scope="module")
def runs(inputs, ref):
    return kill_and_resume(inputs, ref, 1, "serial")


@pytest.fixture(scope="module")
def pool_runs(inputs, ref):
    return kill_and_resume(inputs, ref, 2, "pool")


def test_resumed_run_skips_finished_calls(runs):
    s = json.loads((runs["out"] / "run_summary.json").read_text(encoding="utf-8"))
    assert s["cached"] == runs["stored_at_kill"]
    assert s["processed"] == runs["total"] - runs["stored_at_kill"]
    assert s["failed"] == 0
    assert f"{runs['stored_at_kill']} skipped as cached" in runs["again"].stdout


def test_database_identical_to_uninterrupted_run(runs):
    ref, got = kit.snapshot(runs["ref_db"]), kit.snapshot(runs["db"])
    for table in ref:
        assert got[table] == ref[table], table
    assert len(ref["findings"]) > 0 and len(ref["scorecards"]) == len(ref["calls"])


def test_no_duplicates(runs):
    con = sqlite3.connect(runs["db"])
    dup = con.execute("""SELECT call_id, rule, segment, char_start, COUNT(*) n FROM findings
                         GROUP BY call_id, rule, segment, char_start, char_end HAVING n > 1""").fetchall()
    assert dup == []
    n_calls = con.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
    assert n_calls == con.execute("SELECT COUNT(DISTINCT call_id) FROM scorecards").fetchone()[0]
    refs = con.execute("SELECT agent_id, period, COUNT(*) FROM referrals GROUP BY agent_id, period "
                       "HAVING COUNT(*) > 1").fetchall()
    assert refs == []
    # dial-log findings: the 22:30 recorded call and the 07:00 attempt without recording
    rules = dict(con.execute("SELECT call_id, rule FROM findings WHERE rule='DIAL-001'").fetchall())
    assert rules == {"R0006": "DIAL-001", "X0001": "DIAL-001"}


def test_outputs_identical_to_uninterrupted_run(runs):
    for name in COMPARED:
        assert kit.csv_rows(runs["out"] / name) == kit.csv_rows(runs["ref_out"] / name), name
    ref_t = sorted(p.name for p in (runs["ref_out"] / "transcripts").glob("*.json"))
    got_t = sorted(p.name for p in (runs["out"] / "transcripts").glob("*.json"))
    assert ref_t == got_t == ["R0006.json", "R0010.json"]
    ref_c = sorted(p.name for p in (runs["ref_out"] / "calls").glob("*.html"))
    assert ref_c == sorted(p.name for p in (runs["out"] / "calls").glob("*.html"))
    # no temporary files left by atomic writes
    assert not [p for p in runs["out"].rglob(".*.tmp")]


def test_force_redoes_everything(runs):
    tmp, inp, dial = runs["inputs"]
    p = kit.run_cli(_args(inp, dial, runs["out"], runs["db"], "--force"), timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    s = json.loads((runs["out"] / "run_summary.json").read_text(encoding="utf-8"))
    assert s["cached"] == 0 and s["processed"] == runs["total"]
    assert s["stage_seconds"]["transcribe"] > 0
    ref, got = kit.snapshot(runs["ref_db"]), kit.snapshot(runs["db"])
    assert got["findings"] == ref["findings"] and got["scorecards"] == ref["scorecards"]


def test_killed_parallel_run_resumes_identical(pool_runs):
    """Same with 2 worker processes: the driver is killed, its workers go, the rerun finishes."""
    r = pool_runs
    assert r["orphans_left"] == 0
    s = json.loads((r["out"] / "run_summary.json").read_text(encoding="utf-8"))
    assert s["cached"] == r["stored_at_kill"] and s["processed"] == r["total"] - r["stored_at_kill"]
    ref, got = kit.snapshot(r["ref_db"]), kit.snapshot(r["db"])
    for table in ref:
        assert got[table] == ref[table], table
    for name in COMPARED:
        assert kit.csv_rows(r["out"] / name) == kit.csv_rows(r["ref_out"] / name), name
