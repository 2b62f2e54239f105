"""Throughput of ``qa-audit run`` with 1 and 2 workers, measured side by side in one run.

Each configuration is a fresh ``python -m qa_audit run`` process over the same inputs with its own
output folder and database (nothing cached), so the numbers include model loading, as a weekly run
pays it.  Reports calls per minute, audio hours per hour (audio seconds / wall seconds), the ratio
2 workers / 1 worker, and the peak resident memory of each worker process (``ru_maxrss``; with one
worker the run is in-process, so that figure includes the driver).

    python benchmarks/bench_run.py                     # the 12 sample recordings
    python benchmarks/bench_run.py --limit 4           # the first 4 (quicker)
    python benchmarks/bench_run.py --inputs samples/dev --workers 1 2   # transcripts only (text stages)

Numbers depend on the machine and on what else runs on it; the ratio measured in one run is the
figure to compare.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inputs", default=str(ROOT / "samples" / "audio"))
    ap.add_argument("--limit", type=int, default=0, help="use the first N input files (0 = all)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args()

    from qa_audit.batch.pipeline import discover

    items, _, _ = discover([args.inputs])
    if args.limit:
        items = items[: args.limit]
    tmp = Path(tempfile.mkdtemp(prefix="bench_run_"))
    inp = tmp / "inputs"
    inp.mkdir()
    for it in items:
        shutil.copy(it.path, inp / Path(it.path).name)
    meta = Path(args.inputs) / "calls.csv"
    if meta.is_file():
        shutil.copy(meta, inp / "calls.csv")
    print(f"{len(items)} inputs from {args.inputs}; cores: {os.cpu_count()}", flush=True)

    results = []
    for n in args.workers:
        out, db = tmp / f"out_w{n}", tmp / f"w{n}.sqlite3"
        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, "-m", "qa_audit", "run", str(inp), "--out", str(out), "--db",
                            str(db), "--workers", str(n), "--no-progress"], cwd=ROOT,
                           capture_output=True, text=True)
        wall = time.perf_counter() - t0
        s = json.loads((out / "run_summary.json").read_text(encoding="utf-8"))
        calls = s["processed"]
        r = {
            "workers": n, "wall_s": round(wall, 1), "processed": calls, "failed": s["failed"],
            "audio_h": round(s["audio_seconds"] / 3600, 4),
            "calls_per_min": round(calls / wall * 60, 2),
            "audio_h_per_h": round(s["audio_seconds"] / wall, 3),
            "peak_rss_mb_per_worker": sorted(round(w["peak_rss_mb"]) for w in s["workers"].values()),
            "stage_seconds": s["stage_seconds"], "exit": p.returncode,
        }
        results.append(r)
        print(f"workers={n}: {calls} calls in {wall:.1f} s -> {r['calls_per_min']} calls/min, "
              f"{r['audio_h_per_h']} audio h/h, peak RSS per worker {r['peak_rss_mb_per_worker']} MB "
              f"(exit {p.returncode})", flush=True)
    if len(results) >= 2:
        a, b = results[0], results[-1]
        print(f"speed-up {b['workers']} vs {a['workers']} workers: "
              f"{a['wall_s'] / b['wall_s']:.2f}x (wall {a['wall_s']} s / {b['wall_s']} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
