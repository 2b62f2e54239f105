"""Soak: a 200-input batch killed with SIGKILL at 5 random moments and resumed ends identical to an
uninterrupted run (not part of the test run; run it by hand).

    python benchmarks/soak_resume.py                      # 200 transcript copies of samples/dev
    python benchmarks/soak_resume.py --audio              # 200 copies of samples/asr_fixture/D0004_16s.wav
    python benchmarks/soak_resume.py -n 50 --seed 7 --keep /tmp/soak

Inputs: ``-n`` copies under distinct names (transcripts get distinct call ids).  The default is
transcript JSON: with real Whisper base a 16-second clip takes ~15 s on two shared cores, so 200
recordings would take ~50 min per run; ``--audio`` runs the recordings anyway.

1. the reference: one uninterrupted ``qa-audit run`` (own --db and --out);
2. the soak: the same command, SIGKILLed 5 times — 4 times once a random number of inputs is stored,
   once after every input is stored (scoring / referrals / reports stage) — each time started again;
   then started once more to the end;
3. compared: every row of calls, findings, scorecards, referrals and run_items (timestamps aside;
   ``tests/fixtures/batchkit.snapshot``), the report CSVs, the evidence chain's records (kind, ref),
   and ``qa-audit verify`` of both databases.  Exit 0 when identical.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
import batchkit as kit  # noqa: E402

CSVS = ["calls.csv", "findings.csv", "scores.csv", "referrals.csv"]


def make_inputs(dst: Path, n: int, audio: bool) -> None:
    dst.mkdir(parents=True)
    if audio:
        src = ROOT / "samples" / "asr_fixture" / "D0004_16s.wav"
        for i in range(n):
            shutil.copy(src, dst / f"S{i:04d}.wav")
        return
    dev = sorted((ROOT / "samples" / "dev").glob("D*.json"))
    for i in range(n):
        d = json.loads(dev[i % len(dev)].read_text(encoding="utf-8"))
        d["call_id"] = f"S{i:04d}"
        (dst / f"S{i:04d}.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")


def scanned(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT COUNT(*) FROM run_items WHERE stage='scanned'").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def args_for(inp: Path, out: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "qa_audit", "run", str(inp), "--out", str(out), "--db", str(db),
            "--no-progress", "--workers", "1"]


def kill_when(cmd: list[str], db: Path, at: int | None, n: int) -> dict:
    """Run ``cmd``; SIGKILL it once ``at`` inputs are stored (None: once all are, i.e. in the report
    stage).  Returns what happened."""
    t0 = time.time()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=kit.cli_env())
    target = n if at is None else at
    extra = random.uniform(0.0, 0.6) if at is None else 0.0
    while proc.poll() is None:
        if scanned(db) >= target:
            time.sleep(extra)
            break
        time.sleep(0.01)
    if proc.poll() is not None:
        return {"at": at, "killed": False, "stored": scanned(db), "rc": proc.returncode, "s": time.time() - t0}
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return {"at": at, "killed": True, "stored": scanned(db), "rc": proc.returncode, "s": round(time.time() - t0, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=200, help="inputs (default 200)")
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--audio", action="store_true", help="recordings (real Whisper) instead of transcripts")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", help="work folder to keep (default: a temporary one, removed)")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    random.seed(seed)
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="qa-soak-"))
    if work.exists() and any(work.iterdir()):
        sys.exit(f"{work} is not empty")
    inp = work / "in"
    make_inputs(inp, a.n, a.audio)
    print(f"soak: {a.n} {'recordings' if a.audio else 'transcripts'}, {a.kills} SIGKILLs, seed {seed}, in {work}")

    t = time.time()
    ref_out, ref_db = work / "ref_out", work / "ref.sqlite3"
    p = subprocess.run(args_for(inp, ref_out, ref_db), cwd=ROOT, capture_output=True, text=True, env=kit.cli_env())
    ref_s = time.time() - t
    if p.returncode != 0:
        print(p.stdout, p.stderr)
        return 2
    print(f"reference run: {ref_s:.1f} s")

    out, db = work / "soak_out", work / "soak.sqlite3"
    moments = sorted(random.sample(range(1, a.n), a.kills - 1)) + [None]
    t = time.time()
    kills = []
    for at in moments:
        k = kill_when(args_for(inp, out, db), db, at, a.n)
        kills.append(k)
        print(f"  kill at {'report stage' if at is None else f'{at} stored'}: "
              f"{'SIGKILL' if k['killed'] else 'finished first'} after {k['s']} s, {k['stored']} stored")
    p = subprocess.run(args_for(inp, out, db), cwd=ROOT, capture_output=True, text=True, env=kit.cli_env())
    soak_s = time.time() - t
    summary = json.loads((out / "run_summary.json").read_text(encoding="utf-8"))
    print(f"final resume: exit {p.returncode}, {summary['cached']} cached, {summary['processed']} processed; "
          f"soak total {soak_s:.1f} s")

    problems = []
    if p.returncode != 0:
        problems.append(f"final run exit {p.returncode}: {p.stderr[-500:]}")
    ref, got = kit.snapshot(ref_db), kit.snapshot(db)
    for table in ref:
        if ref[table] != got[table]:
            problems.append(f"table {table}: {len(ref[table])} rows vs {len(got[table])}, "
                            f"{len(set(ref[table]) ^ set(got[table]))} differ")
    for f in CSVS:
        if kit.csv_rows(ref_out / f) != kit.csv_rows(out / f):
            problems.append(f"{f} differs")

    def records(path: Path) -> Counter:
        con = sqlite3.connect(path)
        try:
            return Counter(con.execute("SELECT kind, ref FROM chain WHERE kind != 'genesis'").fetchall())
        finally:
            con.close()

    if records(ref_db) != records(db):
        problems.append("evidence chains hold different records")
    for d in (ref_db, db):
        v = subprocess.run([sys.executable, "-m", "qa_audit", "verify", "--db", str(d)], cwd=ROOT, capture_output=True,
                           text=True)
        if v.returncode != 0:
            problems.append(f"verify {d.name}: {v.stdout.strip().splitlines()[-1]}")
    n_killed = sum(k["killed"] for k in kills)
    rows = {t: len(v) for t, v in ref.items()}
    print(f"compared: {rows}, CSVs {', '.join(CSVS)}, chain records, verify")
    if problems:
        print("RESULT: DIFFERENT\n  " + "\n  ".join(problems))
    else:
        print(f"RESULT: identical after {n_killed} SIGKILLs and {len(kills) + 1} resumptions "
              f"(reference {ref_s:.1f} s, soak {soak_s:.1f} s)")
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
