#!/usr/bin/env python3
"""Validate samples/real/items_round2.jsonl (stdlib only).

Checks: exact schema of samples/real; id format R2nnn, unique; allowed enums;
text non-empty and <= 100 chars; no duplicate texts (after punctuation/space
normalisation) within the file or against samples/real/items.jsonl; split is
recomputed: within each category items ordered by sha256("real-split-v2:"+id)
hex and alternately assigned tune, aside (first -> tune).
"""
import collections, hashlib, json, re, sys, unicodedata
from pathlib import Path

HERE = str(Path(__file__).resolve().parent / "items_round2.jsonl")
OLD = str(Path(__file__).resolve().parent / "items.jsonl")
KEYS = ["id", "text", "category", "kind", "source", "source_title", "source_kind", "split", "note"]
CATS = {"threat", "abuse", "impersonation", "third_party_disclosure", "unauthorized_waiver", "contact_pressure", "compliant"}
KINDS = {"spoken", "sms", "chat"}
SKINDS = {"news", "judgment", "complaint", "regulator", "training", "other"}

def norm(t):
    t = unicodedata.normalize("NFKC", t)          # full-width -> ASCII punctuation
    t = re.sub(r"[\s\u3000]+", "", t)
    t = re.sub(r"[,.!?;:'\"()\[\]{}~…、。，！？；：“”‘’（）《》「」『』\-—]", "", t)
    return t.lower()

def load(p):
    with open(p, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]

def main():
    errs = []
    items = load(HERE)
    old = load(OLD)
    oldnorm = {norm(d["text"]): d["id"] for d in old}
    seen_id, seen_text = set(), {}
    for n, d in enumerate(items, 1):
        where = "line %d (%s)" % (n, d.get("id"))
        if list(d.keys()) != KEYS:
            errs.append("%s: keys %s != %s" % (where, list(d.keys()), KEYS))
        if not re.fullmatch(r"R2\d{3}", d.get("id", "")):
            errs.append("%s: bad id" % where)
        if d.get("id") in seen_id:
            errs.append("%s: duplicate id" % where)
        seen_id.add(d.get("id"))
        t = d.get("text", "")
        if not t.strip():
            errs.append("%s: empty text" % where)
        if len(t) > 100:
            errs.append("%s: text longer than 100 chars (%d)" % (where, len(t)))
        if re.search(r"1[3-9]\d{9}", t):
            errs.append("%s: looks like an unmasked phone number" % where)
        if d.get("category") not in CATS: errs.append("%s: bad category" % where)
        if d.get("kind") not in KINDS: errs.append("%s: bad kind" % where)
        if d.get("source_kind") not in SKINDS: errs.append("%s: bad source_kind" % where)
        if d.get("split") not in {"tune", "aside"}: errs.append("%s: bad split" % where)
        if not str(d.get("source", "")).startswith("http"): errs.append("%s: source is not a URL" % where)
        if not d.get("source_title"): errs.append("%s: empty source_title" % where)
        k = norm(t)
        if k in seen_text:
            errs.append("%s: duplicate text of %s" % (where, seen_text[k]))
        seen_text[k] = d.get("id")
        if k in oldnorm:
            errs.append("%s: duplicates samples/real %s" % (where, oldnorm[k]))
    # recompute split
    bycat = collections.defaultdict(list)
    for d in items: bycat[d["category"]].append(d)
    for cat, lst in bycat.items():
        lst = sorted(lst, key=lambda d: hashlib.sha256(("real-split-v2:" + d["id"]).encode()).hexdigest())
        for j, d in enumerate(lst):
            want = "tune" if j % 2 == 0 else "aside"
            if d["split"] != want:
                errs.append("%s: split %s, expected %s" % (d["id"], d["split"], want))
    # report
    c = collections.Counter((d["category"], d["split"]) for d in items)
    print("items:", len(items))
    for cat in sorted(bycat):
        print("  %-24s tune %3d  aside %3d  total %3d" % (cat, c[(cat, "tune")], c[(cat, "aside")], len(bycat[cat])))
    print("  by kind:", dict(collections.Counter(d["kind"] for d in items)))
    print("  by source_kind:", dict(collections.Counter(d["source_kind"] for d in items)))
    print("  distinct sources:", len({d["source"] for d in items}))
    if errs:
        print("ERRORS (%d):" % len(errs)); [print("  " + e) for e in errs]; sys.exit(1)
    print("OK")

if __name__ == "__main__":
    main()
