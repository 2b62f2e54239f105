"""Validate samples/blind3: JSON shape, exact agent quotes, ids, counts per category."""
import json, re
from collections import Counter
from pathlib import Path

D = Path(__file__).resolve().parent.parent
CATS = {"threat", "abuse", "third_party_disclosure", "unauthorized_waiver", "impersonation",
        "no_self_identification"}
labels = [json.loads(l) for l in (D / "labels.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
ids = [l["call_id"] for l in labels]
assert len(ids) == len(set(ids)), "duplicate ids"
files = sorted(p.stem for p in D.glob("E*.json"))
assert sorted(ids) == files, "labels and files differ"
per_cat, comp, multi, noisy = Counter(), 0, 0, 0
for l in labels:
    c = json.loads((D / f"{l['call_id']}.json").read_text(encoding="utf-8"))
    assert c["call_id"] == l["call_id"]
    assert re.fullmatch(r"A\d{3}", c["agent_id"]) and c["started_at"].endswith("+08:00")
    assert c["callee_relation"] in ("debtor", "contact", "unknown")
    segs = c["segments"]
    assert 6 <= len(segs) <= 16, (l["call_id"], len(segs))
    prev = -1
    for s in segs:
        assert s["speaker"] in ("agent", "customer") and s["start"] < s["end"] and s["start"] > prev
        prev = s["end"]
    if not any(ch in s["text"] for s in segs for ch in "，。？"):
        noisy += 1
    for v in l["violations"]:
        assert v["category"] in CATS
        if v["category"] == "no_self_identification":
            assert v["segment"] is None and v["quote"] == ""
        else:
            s = segs[v["segment"]]
            assert s["speaker"] == "agent" and v["quote"] and v["quote"] in s["text"], (l["call_id"], v)
    cats = {v["category"] for v in l["violations"]}
    per_cat.update(cats)
    if not cats:
        comp += 1
        assert l["note"].startswith(("compliant", "hard negative")), l["call_id"]
    if len(cats) > 1:
        multi += 1
print(f"{len(labels)} calls, {comp} compliant, {len(labels)-comp} with violations, "
      f"{multi} with two+ categories, {noisy} without punctuation (ASR-like)")
for k in sorted(CATS):
    print(f"  {k}: {per_cat[k]} calls")
