"""The abuse lexicon as a detector of offensive comments on COLD (thu-coai/COLDataset, Apache-2.0).

Each COLD comment is scanned as a one-turn agent utterance to a confirmed debtor, with the two abuse
rules only (ABUSE-001 insults/swearing, ABUSE-002 belittling/mocking); an ``abuse`` finding predicts
label 1 (offensive).  Reported: precision / recall / F1 of label 1, and on the test split recall by
fine-grained label (1 attacks an individual, 2 attacks a group) and the share of the two safe kinds
(0 other, 3 anti-bias) flagged.

COLD's offensive comments are mostly about groups (race, region, gender) on social media, not insults
said to one person on the phone, so recall here is a lower bound of what the lexicon is for; the
figure of interest is precision and the recall on "attacks an individual".

The data is NOT part of this repository.  Give the local COLD checkout (a work tree, or a bare/mirror
git directory, holding ``COLDataset/{train,dev,test}.csv``)::

    python benchmarks/cold_eval.py [PATH] [--split test|dev|train] [--model [PATH]] [--show-errors]

``--model`` adds the learned second opinion's abuse suggestions (ML-ABUSE; the packaged model or the
``.npz`` given).  A model trained with ``qa-audit train --cold`` saw train.csv: measure it on dev.

The test split is for measuring only: ``--show-errors`` is refused on it (tune on train/dev, if at all).
"""
from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT = "/work/.mirror/thu-coai+COLDataset/repo"
RULES = ("ABUSE-001", "ABUSE-002")


def read_split(path: Path, split: str) -> str:
    """The CSV text of one split from a work tree or a git directory; SystemExit with a clear
    message when it cannot be found."""
    rel = f"COLDataset/{split}.csv"
    f = path / rel
    if f.is_file():
        return f.read_text(encoding="utf-8-sig")
    if path.is_dir():
        try:
            out = subprocess.run(["git", "-C", str(path), "show", f"HEAD:{rel}"], capture_output=True,
                                 check=True)
            return out.stdout.decode("utf-8-sig")
        except (OSError, subprocess.CalledProcessError):
            pass
    raise SystemExit(f"cold_eval: COLD not found: no {rel} in {path} (neither a file nor in its git HEAD).\n"
                     "Fetch https://github.com/thu-coai/COLDataset locally and pass its path; the data is "
                     "not shipped with qa-audit.")


def rows(text: str) -> list[dict]:
    r = csv.DictReader(io.StringIO(text))
    out = []
    for x in r:
        t = (x.get("TEXT") or "").strip()
        if t and x.get("label") in ("0", "1"):
            out.append(x)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=DEFAULT, help=f"local COLD checkout (default {DEFAULT})")
    ap.add_argument("--split", default="test", choices=["test", "dev", "train"])
    ap.add_argument("--model", nargs="?", const="packaged", default=None,
                    help="add the learned second opinion (packaged, or a model .npz)")
    ap.add_argument("--show-errors", action="store_true", help="print false alarms and misses (not on test)")
    a = ap.parse_args(argv)
    if a.show_errors and a.split == "test":
        raise SystemExit("cold_eval: --show-errors is refused on the test split (measure only; look at train/dev)")
    data = rows(read_split(Path(a.path), a.split))

    from qa_audit.core.model import Call, Segment
    from qa_audit.detect.detector import Detector
    from qa_audit.detect.rules import registry

    det = Detector.load(second_opinion=a.model or False)
    det = det.with_rules([registry.get(c) for c in RULES])
    t0 = time.perf_counter()
    tp = fp = fn = tn = 0
    fine = Counter()
    fine_hit = Counter()
    errors = []
    for x in data:
        call = Call(call_id=x.get("") or "c", kind="call", callee_relation="debtor",
                    segments=[Segment(0.0, 5.0, "agent", x["TEXT"])])
        fs = [f for f in det.scan(call) if f.category == "abuse"]
        pred, gold = bool(fs), x["label"] == "1"
        if pred and gold:
            tp += 1
        elif pred:
            fp += 1
            errors.append(("FP", x, fs))
        elif gold:
            fn += 1
            errors.append(("FN", x, fs))
        else:
            tn += 1
        g = x.get("fine-grained-label")
        if g not in (None, ""):
            fine[g] += 1
            fine_hit[g] += pred
    dt = time.perf_counter() - t0
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"COLD {a.split}: {len(data)} comments ({tp + fn} offensive), abuse rules {', '.join(RULES)}, "
          f"{dt:.1f}s" + (f", model {a.model}" if a.model else ""))
    print(f"  precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}   (TP {tp}  FP {fp}  FN {fn}  TN {tn})")
    names = {"1": "offensive: attacks an individual", "2": "offensive: attacks a group",
             "0": "safe: other (flagged)", "3": "safe: anti-bias (flagged)"}
    for g in ("1", "2", "0", "3"):
        if fine[g]:
            print(f"  {names[g]:36s} {fine_hit[g]:5d} / {fine[g]:5d} = {fine_hit[g] / fine[g]:.3f}")
    if a.show_errors:
        for kind, x, fs in errors:
            ev = "; ".join(f"{f.details.get('entry')}:'{f.details.get('match')}'" for f in fs)
            print(f"{kind} {x.get('topic')}: {x['TEXT'][:120]}" + (f"   [{ev}]" if ev else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
