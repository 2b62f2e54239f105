"""Recall on real collectors' wording (``samples/real/items.jsonl``) and compliant lines flagged.

Each item is one utterance or message quoted by a public source; it is scanned as a one-turn agent
call (an SMS as a one-line notice).  ``no_self_identification`` and ``notice_elements`` are whole-call /
whole-notice judgements and are not counted on single utterances.  Third-party disclosure exists
only towards a third party: every item is also scanned as said to a contact, and
``third_party_disclosure`` is read from that scan only (all other categories, and the compliant
lines flagged, from the scan as said to the debtor).

    python benchmarks/real_eval.py [--split aside|tune|all] [--model [PATH]] [--show-misses]

``--model`` adds the learned second opinion (the packaged model, or the ``.npz`` given): its
suggestions (ML-…) count as found, as in the combined column of ``qa-audit eval``.

The ``aside`` split is never used for tuning lexicons or training (samples/real/README.md).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_audit.core.model import Call, Segment  # noqa: E402
from qa_audit.detect.detector import Detector  # noqa: E402

CALL_LEVEL = {"no_self_identification", "notice_elements"}


def item_call(item: dict, relation: str = "debtor") -> Call:
    kind = "text" if item.get("kind") == "sms" else "call"
    return Call(call_id=item["id"], kind=kind, callee_relation=relation,
                segments=[Segment(0.0, 5.0, "agent", item["text"])])


def categories_found(item: dict, det: Detector) -> set[str]:
    """What the detector finds in one item: as said to the debtor, plus disclosure as said to a contact."""
    got = {f.category for f in det.scan(item_call(item)) if f.category not in CALL_LEVEL}
    got.discard("third_party_disclosure")
    if any(f.category == "third_party_disclosure" for f in det.scan(item_call(item, "contact"))):
        got.add("third_party_disclosure")
    return got


def evaluate(items: list[dict], det: Detector) -> dict:
    found: dict[str, set[str]] = {}
    for it in items:
        found[it["id"]] = categories_found(it, det)
    per = defaultdict(lambda: [0, 0])
    misses, flagged = [], []
    for it in items:
        cat, got = it["category"], found[it["id"]]
        if cat == "compliant":
            per[cat][1] += 1
            got = got - {"third_party_disclosure"}  # a compliant line is said to the debtor
            if got:
                per[cat][0] += 1
                flagged.append((it, got))
        else:
            per[cat][1] += 1
            if cat in got:
                per[cat][0] += 1
            else:
                misses.append((it, got))
    return {"per": dict(per), "misses": misses, "flagged": flagged}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", default=str(ROOT / "samples/real/items.jsonl"))
    ap.add_argument("--split", default="aside", choices=["aside", "tune", "all"])
    ap.add_argument("--model", nargs="?", const="packaged", default=None,
                    help="add the learned second opinion: the packaged model, or a model .npz")
    ap.add_argument("--show-misses", action="store_true")
    a = ap.parse_args(argv)
    items = [json.loads(x) for x in Path(a.items).read_text(encoding="utf-8").splitlines() if x.strip()]
    if a.split != "all":
        items = [x for x in items if x.get("split") == a.split]
    res = evaluate(items, Detector.load(second_opinion=a.model or False))
    print(f"real wording, split={a.split}: {len(items)} items" + (f", model {a.model}" if a.model else ""))
    print(f"{'category':24s} {'found':>7s} {'items':>6s} {'recall':>7s}")
    for cat, (k, n) in sorted(res["per"].items()):
        label = "compliant flagged" if cat == "compliant" else cat
        print(f"{label:24s} {k:7d} {n:6d} {k / n if n else 0:7.3f}")
    if a.show_misses:
        for it, got in res["misses"]:
            print(f"MISS  {it['id']} {it['category']}: {it['text']}  (found: {sorted(got) or '-'})")
        for it, got in res["flagged"]:
            print(f"FLAG  {it['id']} compliant: {it['text']}  (found: {sorted(got)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
