"""Benchmark of the text stage: Detector.scan calls/second vs a bare jieba.lcut pass, same run.

    python benchmarks/bench_scan.py [--calls 3000] [--rounds 3]

The labelled sample transcripts (samples/dev, samples/own/tune, samples/audio_truth) are replicated
to ``--calls`` calls (each copy gets its own call_id and a varying amount so no text repeats
exactly).  Each round times, back to back on the same texts:

- ``jieba``:    ``jieba.lcut(text)`` on every segment (tokenizing only; the lexicon terms are
                registered, as in the detector);
- ``detector``: ``Detector.scan(call)`` on every call (normalization, Aho-Corasick + pinyin
                matching, negation/context scoring, dialogue state, all rules).

It reports the best round of each and the ratio detector_time / jieba_time (goal ≤ 1.0).
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()

    import jieba

    from qa_audit.detect.detector import Detector

    t0 = time.perf_counter()
    det = Detector.load()
    load_s = time.perf_counter() - t0
    calls = corpus(a.calls)
    texts = [s.text for c in calls for s in c.segments]
    chars = sum(map(len, texts))
    # warm up both
    for c in calls[:50]:
        det.scan(c)
    for t in texts[:500]:
        jieba.lcut(t)

    best_j, best_d, findings = float("inf"), float("inf"), 0
    for _ in range(a.rounds):
        t0 = time.perf_counter()
        for t in texts:
            jieba.lcut(t)
        best_j = min(best_j, time.perf_counter() - t0)
        t0 = time.perf_counter()
        n = 0
        for c in calls:
            n += len(det.scan(c))
        best_d = min(best_d, time.perf_counter() - t0)
        findings = n
    res = {
        "calls": len(calls), "segments": len(texts), "chars": chars, "rounds": a.rounds,
        "detector_load_s": round(load_s, 3),
        "jieba_lcut_s": round(best_j, 3), "jieba_calls_per_s": round(len(calls) / best_j, 1),
        "scan_s": round(best_d, 3), "scan_calls_per_s": round(len(calls) / best_d, 1),
        "ratio_scan_over_jieba": round(best_d / best_j, 3), "findings": findings,
    }
    print(f"{len(calls)} calls, {len(texts)} segments, {chars} chars, best of {a.rounds} rounds")
    print(f"  jieba.lcut only : {best_j:8.3f} s  {len(calls) / best_j:8.1f} calls/s")
    print(f"  Detector.scan   : {best_d:8.3f} s  {len(calls) / best_d:8.1f} calls/s  ({findings} findings)")
    print(f"  ratio scan/jieba: {best_d / best_j:.3f}  (goal <= 1.0)")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
