"""Redaction recall/precision per type on labelled sentences (samples/pii/examples.jsonl).

    python benchmarks/redaction_recall.py [--examples samples/pii/examples.jsonl] [--threshold 0.5]
                                          [--show-errors] [--json out.json]

A gold span is *found* when a redaction of the same type overlaps it, *exact* when the spans are
equal, and *covered* when any redaction (whatever its type) covers all of its characters: the figure
that matters for privacy.  A redaction of a labelled type is *correct* when it overlaps a gold span
of that type; redactions of unlabelled types (CARD_TAIL, LONG_NUMBER) are listed apart, not scored.
The default recognizers run side by side with a "no-context" variant (no name propagation inside a
sentence, no jieba) so the contribution of the context recognizers shows in one run.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa_audit.report import redact as R  # noqa: E402

TYPE_MAP = {"PERSON": "name", "PHONE": "phone", "ID_CARD": "id_card", "BANK_CARD": "bank_card",
            "ADDRESS": "address", "AMOUNT": "amount"}
TYPES = ["name", "phone", "id_card", "bank_card", "address", "amount"]


def evaluate(examples, analyze):
    st = {t: defaultdict(int) for t in TYPES}
    errors = []
    other = defaultdict(int)
    for ex in examples:
        text, gold = ex["text"], ex["spans"]
        pred = analyze(text)
        for g in gold:
            t = g["type"]
            s = st[t]
            s["gold"] += 1
            same = [p for p in pred if TYPE_MAP.get(p.entity_type) == t and p.start < g["end"] and p.end > g["start"]]
            if same:
                s["found"] += 1
            if any(p.start == g["start"] and p.end == g["end"] for p in same):
                s["exact"] += 1
            covered = all(any(p.start <= i < p.end for p in pred) for i in range(g["start"], g["end"]))
            s["covered"] += covered
            if not same:
                errors.append(("MISSED", t, text, text[g["start"]:g["end"]]))
        for p in pred:
            t = TYPE_MAP.get(p.entity_type)
            if t is None:
                other[p.entity_type] += 1
                continue
            st[t]["pred"] += 1
            if any(g["type"] == t and p.start < g["end"] and p.end > g["start"] for g in gold):
                st[t]["correct"] += 1
            else:
                errors.append(("FALSE", t, text, f"{p.text} ({p.recognizer}, {p.score})"))
    return st, dict(other), errors


def table(st):
    rows = []
    tot = defaultdict(int)
    for t in TYPES:
        s = st[t]
        for k in ("gold", "found", "exact", "covered", "pred", "correct"):
            tot[k] += s[k]
        rows.append((t, s))
    rows.append(("ALL", tot))
    out = [f"{'type':<10}{'gold':>5}{'recall':>8}{'exact':>8}{'covered':>9}{'pred':>6}{'precision':>10}"]
    for t, s in rows:
        rec = s["found"] / s["gold"] if s["gold"] else float("nan")
        exa = s["exact"] / s["gold"] if s["gold"] else float("nan")
        cov = s["covered"] / s["gold"] if s["gold"] else float("nan")
        pre = s["correct"] / s["pred"] if s["pred"] else float("nan")
        out.append(f"{t:<10}{s['gold']:>5}{rec:>8.3f}{exa:>8.3f}{cov:>9.3f}{s['pred']:>6}{pre:>10.3f}")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", default=str(ROOT / "samples" / "pii" / "examples.jsonl"))
    ap.add_argument("--threshold", type=float, default=R.DEFAULT_THRESHOLD)
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    path = Path(a.examples)
    if not path.is_file():
        print(f"error: {path}: examples file not found", file=sys.stderr)
        return 2
    examples = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                examples.append(json.loads(line))
            except json.JSONDecodeError as e:
                print(f"error: {path}:{n}: invalid JSON: {e.msg}", file=sys.stderr)
                return 2

    def full(text):
        ctx = R.Context(known_names=R.collect_names(_OneSeg(text)))
        return R.analyze(text, ctx, threshold=a.threshold)

    no_ctx_recs = [r for r in R.RECOGNIZERS if not isinstance(r, R.NameRecognizer)] + [R.NameRecognizer(use_jieba=False)]

    def no_context(text):
        return R.analyze(text, R.Context(), threshold=a.threshold, recognizers=no_ctx_recs)

    full("请问是张三先生吗")  # load jieba's dictionary before timing
    results = {}
    for name, fn in (("default", full), ("no-context", no_context)):
        t0 = time.perf_counter()
        st, other, errors = evaluate(examples, fn)
        dt = time.perf_counter() - t0
        results[name] = {"stats": {t: dict(v) for t, v in st.items()}, "other": other, "seconds": dt}
        print(f"== {name}: {len(examples)} sentences, threshold {a.threshold}, {dt * 1000 / len(examples):.2f} ms/sentence")
        print(table(st))
        if other:
            print("unscored redactions:", ", ".join(f"{k} {v}" for k, v in sorted(other.items())))
        if a.show_errors and name == "default":
            for e in errors:
                print("  ", *e)
        print()
    if a.json:
        from qa_audit.core.atomic import write_json

        write_json(a.json, results)
    return 0


class _OneSeg:
    """collect_names() over one sentence: names found confidently anywhere are redacted everywhere."""

    def __init__(self, text):
        from qa_audit.core.model import Segment

        self.metadata = {}
        self.segments = [Segment(0.0, 1.0, "agent", text)]


if __name__ == "__main__":
    sys.exit(main())
