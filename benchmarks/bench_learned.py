"""The learned second opinion at run time: load time of the packaged model and time per agent turn.

    python benchmarks/bench_learned.py [--calls samples/blind3] [--repeat 5]

Measured side by side in one run: the features + numpy scoring of one turn (what the second opinion
adds per turn; the Detector's lexicon context is computed once per call anyway and is excluded),
and a whole ``Detector.scan`` with and without the second opinion.  Checks that scoring does not
import scikit-learn.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", default=str(ROOT / "samples" / "blind3"))
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)

    from qa_audit.detect.detector import Detector, iter_transcripts, load_input
    from qa_audit.detect.learned import PACKAGED, SecondOpinion
    from qa_audit.detect.learned.model import LinearModel

    t0 = time.perf_counter()
    model = LinearModel.load(PACKAGED)
    t_load = time.perf_counter() - t0
    so = SecondOpinion(model)
    det = Detector.load(second_opinion=False)
    calls = [load_input(p) for p in iter_transcripts([a.calls]) if p.suffix == ".json" and p.parent == Path(a.calls)]
    ctxs = [det.context(c) for c in calls]
    turns = [(ctx, i) for ctx in ctxs for i, s in enumerate(ctx.call.segments) if s.speaker == "agent"]
    per_turn = []
    for _ in range(a.repeat):
        t1 = time.perf_counter()
        for ctx, i in turns:
            so.score_turn(ctx, i)
        per_turn.append((time.perf_counter() - t1) / len(turns))
    scan_lex, scan_both = [], []
    det_both = det.with_rules(det.rule_classes)
    det_both.second_opinion = so
    for _ in range(a.repeat):
        t1 = time.perf_counter()
        for c in calls:
            det.scan(c)
        scan_lex.append((time.perf_counter() - t1) / len(calls))
        t1 = time.perf_counter()
        for c in calls:
            det_both.scan(c)
        scan_both.append((time.perf_counter() - t1) / len(calls))
    size = PACKAGED.stat().st_size
    print(f"model {PACKAGED.name}: {size / 1024:.0f} KB, {len(model.vocab)} n-grams, loaded in {1000 * t_load:.1f} ms")
    print(f"{len(turns)} agent turns of {len(calls)} calls, best of {a.repeat}:")
    print(f"  features + scoring per turn: {1e6 * min(per_turn):.0f} µs (median {1e6 * statistics.median(per_turn):.0f} µs)")
    print(f"  scan per call, lexicons only: {1000 * min(scan_lex):.2f} ms; with the second opinion: "
          f"{1000 * min(scan_both):.2f} ms (×{min(scan_both) / min(scan_lex):.2f})")
    print(f"  scikit-learn imported: {'sklearn' in sys.modules}")
    ok = min(per_turn) < 1e-3 and "sklearn" not in sys.modules and size < 5 * 1024 * 1024
    print("OK: < 1 ms per turn, < 5 MB, no scikit-learn at run time" if ok else "NOT OK")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
