"""Honest figures for the learned second opinion.

- ``--loso``: leave one author set out — for X in own, blind, blind2, blind3: train on every other
  set (dev, notices, real tune and the other author sets), test on X.  Columns: lexicon only (tuned
  on X: says little), model alone (its own call-level decisions), model alone without the lexicon
  features (n-grams + dialogue only: the lexicon features carry the tuning on X), lexicon + model.
- ``--first-contact SET``: train on the default sources (never blind4/blind5/real aside), test
  once on SET (e.g. samples/blind4) — lexicon only vs lexicon + model.

    python benchmarks/learned_eval.py --loso
    python benchmarks/learned_eval.py --first-contact samples/blind4 [--model FILE]

Call-level F1 per category (a call counts when any finding of the category is on it).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_audit.detect.detector import Detector, iter_transcripts, load_input  # noqa: E402
from qa_audit.detect.evaluate import (CATEGORIES, CategoryScore, EvalReport, _tally, alert_categories,  # noqa: E402
                                      load_labels)
from qa_audit.detect.learned import MODEL_CATEGORIES, SecondOpinion, load_model  # noqa: E402
from qa_audit.detect.learned import train as T  # noqa: E402

AUTHOR_SETS = {"own": ["own/tune", "own/holdout"], "blind": ["blind"], "blind2": ["blind2"], "blind3": ["blind3"]}
COLS = ("lexicon", "model", "ngrams", "combined")


def _new() -> EvalReport:
    return EvalReport(categories={c: CategoryScore(c) for c in CATEGORIES})


def model_alone(so: SecondOpinion, ctx) -> list:
    """Findings-like records of the turns the model alone calls violating (no lexicon veto)."""
    out = []
    m = so.model
    for i, seg in enumerate(ctx.call.segments):
        if not ctx.detector._judged(seg.speaker) or not ctx.text(i).strip():
            continue
        _, p = so.score_turn(ctx, i)
        for c, k in m.cat_index.items():
            if c == "third_party_disclosure" and not ctx.dialogue.is_third_party(i):
                continue
            if p[k] >= m.threshold[k]:
                out.append(SimpleNamespace(category=c, segment=i, rule="ML", evidence=seg.text,
                                           explanation="", details={}, severity="medium"))
    return out


def measure(folders: list[Path], det: Detector, so: SecondOpinion, so_ng: SecondOpinion | None = None) -> dict:
    reps = {c: _new() for c in COLS}
    alerts = alert_categories()  # not violations: a call labelled only with alerts is compliant
    for folder in folders:
        labels = load_labels(folder / "labels.jsonl")
        for path in iter_transcripts([folder]):
            if path.parent != folder:
                continue
            call = load_input(path)
            lab = labels.get(call.call_id)
            if lab is None:
                continue
            det.second_opinion = so
            fs = det.scan(call)
            lex = [f for f in fs if not f.details.get("suggested")]
            _tally(reps["lexicon"], call, lab, lex, list(CATEGORIES), alerts)
            _tally(reps["combined"], call, lab, fs, list(CATEGORIES), alerts)
            det.second_opinion = None
            ctx = det.context(call)
            selfid = [f for f in lex if f.category not in MODEL_CATEGORIES]
            _tally(reps["model"], call, lab, selfid + model_alone(so, ctx), list(CATEGORIES), alerts)
            if so_ng is not None:
                _tally(reps["ngrams"], call, lab, selfid + model_alone(so_ng, ctx), list(CATEGORIES), alerts)
    return reps


def table(title: str, reps: dict, cols=COLS) -> str:
    cols = [c for c in cols if reps.get(c) is not None and reps[c].calls]
    head = {"lexicon": "lexicon", "model": "model alone", "ngrams": "n-grams only", "combined": "lex+model"}
    lines = [f"## {title} ({reps[cols[0]].calls} calls)", "",
             "| category | " + " | ".join(head[c] for c in cols) + " |",
             "|---|" + "---|" * len(cols)]
    for cat in CATEGORIES:
        lines.append(f"| {cat} | " + " | ".join(f"{reps[c].categories[cat].f1:.3f}" for c in cols) + " |")
    lines.append("| compliant flagged | " + " | ".join(
        f"{reps[c].compliant_flagged}/{reps[c].compliant_calls}" for c in cols) + " |")
    lines.append("| violating segments hit | " + " | ".join(
        f"{sum(s.seg_hit for s in reps[c].categories.values())}/{sum(s.seg_gold for s in reps[c].categories.values())}"
        for c in cols) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", default=str(ROOT / "samples"))
    ap.add_argument("--loso", action="store_true")
    ap.add_argument("--first-contact", default=None)
    ap.add_argument("--model", default=None, help="use this model for --first-contact instead of training")
    ap.add_argument("--show", action="store_true", help="print misses and false alarms of lex+model")
    a = ap.parse_args(argv)
    samples = Path(a.samples)
    det = Detector.load(second_opinion=False)
    if a.loso:
        turns = T.collect(det, T.default_sources(samples))
        for x, dirs in AUTHOR_SETS.items():
            train = [t for t in turns if t.group != x]
            so = SecondOpinion(T.fit(train))
            import copy
            ng = [copy.copy(t) for t in train]
            for t in ng:
                t.feats = copy.copy(t.feats)
            so_ng = SecondOpinion(T.fit(ng, ngrams_only=True))
            so_ng.model.meta["ngrams_only"] = True
            reps = measure([samples / d for d in dirs], det, so, _NgramsOnly(so_ng.model))
            print(table(f"left out: {x} (trained on {len(train)} turns)", reps))
            print()
    if a.first_contact:
        if a.model:
            so = SecondOpinion(load_model(a.model))
        else:
            so = SecondOpinion(T.fit(T.collect(det, T.default_sources(samples))))
        reps = measure([Path(a.first_contact)], det, so)
        print(table(f"first contact: {Path(a.first_contact).name}", reps, ("lexicon", "model", "combined")))
        if a.show:
            print(reps["combined"].format())
    return 0


class _NgramsOnly(SecondOpinion):
    """Scores with the lexicon features zeroed, as the n-grams-only model was trained."""

    def score_turn(self, ctx, i):
        from qa_audit.detect.learned.features import DENSE, turn_features

        f = turn_features(ctx, i)
        for k, (n, _) in enumerate(DENSE):
            if n.startswith("lex:"):
                f.dense[k] = 0.0
        return f, self.model.proba(f)


if __name__ == "__main__":
    raise SystemExit(main())
