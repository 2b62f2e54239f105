"""Benchmark of the text stage: a whole ``qa-audit scan`` run against a bare ``jieba.lcut`` pass.

    python benchmarks/bench_scan.py [--calls 2000] [--rounds 3] [--json F] [--in-process]

The labelled sample transcripts (samples/dev, samples/own/tune, samples/audio_truth) are replicated
to ``--calls`` calls (each copy gets its own call_id and a varying amount so no text repeats
exactly) and written as transcript JSON files into a temporary folder.  Each round runs, back to
back and each in a FRESH process (start-up, imports and loading included, as a user pays them):

- ``jieba``: ``python -c`` that reads every transcript file and runs ``jieba.lcut`` on every
  segment's text (jieba's dictionary load included);
- ``scan``:  ``python -m qa_audit scan FOLDER --out OUT`` (configuration, lexicons from the on-disk
  cache, every rule, findings.jsonl + findings.csv written).

It reports wall and CPU seconds (user + system of the child) of each, the best round, and the ratio
scan / jieba (goal <= 1.0), plus the start-up alone: ``qa-audit scan`` of one transcript (goal
<= 1 s).  The first scan round warms the lexicon cache; it is left out (``--rounds`` counts the
measured ones).  ``--in-process`` also times Detector.scan against jieba.lcut inside one process.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def corpus(n: int):
    from qa_audit.core.model import load_call

    base = []
    for folder in ("samples/dev", "samples/own/tune", "samples/audio_truth"):
        for p in sorted((ROOT / folder).glob("*.json")):
            try:
                base.append(load_call(p))
            except Exception:
                pass
    calls = []
    for k in range(n):
        c = copy.deepcopy(base[k % len(base)])
        c.call_id = f"{c.call_id}-{k}"
        if c.segments:  # vary the text a little: no two copies are identical
            c.segments[-1].text += f"（{k}）"
        calls.append(c)
    return calls


JIEBA_PASS = r"""
import json, sys
from pathlib import Path
import jieba
jieba.setLogLevel(60)
n = 0
for p in sorted(Path(sys.argv[1]).glob("*.json")):
    for s in json.loads(p.read_text(encoding="utf-8"))["segments"]:
        n += len(jieba.lcut(s["text"]))
print(n)
"""


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall s, CPU s of the child) of one fresh process."""
    import os
    import resource
    import subprocess

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in (0, 1):  # scan exits 1 when a file failed; none should
        raise RuntimeError(f"{cmd[:4]} failed: {p.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def in_process(calls, rounds: int) -> dict:
    import jieba

    from qa_audit.detect.detector import Detector

    det = Detector.load()
    texts = [s.text for c in calls for s in c.segments]
    for c in calls[:50]:
        det.scan(c)
    for t in texts[:500]:
        jieba.lcut(t)
    best_j = best_d = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for t in texts:
            jieba.lcut(t)
        best_j = min(best_j, time.perf_counter() - t0)
        t0 = time.perf_counter()
        for c in calls:
            det.scan(c)
        best_d = min(best_d, time.perf_counter() - t0)
    return {"jieba_lcut_s": round(best_j, 3), "scan_s": round(best_d, 3), "ratio": round(best_d / best_j, 3)}


def main() -> None:
    import os
    import shutil
    import tempfile

    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--in-process", action="store_true")
    a = ap.parse_args()

    calls = corpus(a.calls)
    tmp = Path(tempfile.mkdtemp(prefix="bench_scan_"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    try:
        folder = tmp / "calls"
        folder.mkdir()
        for c in calls:
            (folder / f"{c.call_id}.json").write_text(json.dumps(c.to_dict(), ensure_ascii=False), encoding="utf-8")
        one = tmp / "one"
        one.mkdir()
        shutil.copy(folder / f"{calls[0].call_id}.json", one)
        scan = [sys.executable, "-m", "qa_audit", "scan", str(folder), "--out", str(tmp / "out")]
        scan1 = [sys.executable, "-m", "qa_audit", "scan", str(one), "--out", str(tmp / "out1")]
        jieba_cmd = [sys.executable, "-c", JIEBA_PASS, str(folder)]
        timed(scan1, env)  # warms the lexicon and pinyin caches
        runs: dict[str, list[tuple[float, float]]] = {"jieba": [], "scan": [], "scan1": []}
        for _ in range(a.rounds):  # interleaved
            runs["jieba"].append(timed(jieba_cmd, env))
            runs["scan"].append(timed(scan, env))
            runs["scan1"].append(timed(scan1, env))
        findings = sum(1 for _ in (tmp / "out" / "findings.jsonl").open(encoding="utf-8"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    best = {k: (min(w for w, _ in v), min(c for _, c in v)) for k, v in runs.items()}
    res = {"calls": len(calls), "segments": sum(len(c.segments) for c in calls), "rounds": a.rounds,
           "findings": findings, "runs": runs,
           "best": {k: {"wall_s": round(w, 3), "cpu_s": round(c, 3)} for k, (w, c) in best.items()},
           "ratio_scan_over_jieba_wall": round(best["scan"][0] / best["jieba"][0], 3),
           "ratio_scan_over_jieba_cpu": round(best["scan"][1] / best["jieba"][1], 3)}
    print(f"{len(calls)} calls ({res['segments']} segments), each command a fresh process, best of {a.rounds} "
          f"interleaved rounds")
    for k, label in (("jieba", "jieba.lcut pass"), ("scan", "qa-audit scan"), ("scan1", "scan of 1 call")):
        print(f"  {label:16}: wall {best[k][0]:7.2f} s   CPU {best[k][1]:7.2f} s")
    print(f"  ratio scan/jieba: wall {res['ratio_scan_over_jieba_wall']:.3f}, "
          f"CPU {res['ratio_scan_over_jieba_cpu']:.3f} (goal <= 1.0); {findings} findings")
    if a.in_process:
        res["in_process"] = in_process(calls, a.rounds)
        print(f"  in one process: Detector.scan {res['in_process']['scan_s']:.3f} s, jieba.lcut "
              f"{res['in_process']['jieba_lcut_s']:.3f} s, ratio {res['in_process']['ratio']:.3f}")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
