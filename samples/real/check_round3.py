#!/usr/bin/env python3
"""Validate items_round3.jsonl (stdlib only). Usage: python check_round3.py [--prior DIR]
DIR defaults to this folder (holds items.jsonl, items_round2.jsonl)."""
import hashlib, json, os, re, sys, unicodedata
HERE = os.path.dirname(os.path.abspath(__file__))
ITEMS = os.path.join(HERE, "items_round3.jsonl")
prior_dir = HERE  # items.jsonl and items_round2.jsonl sit beside this file in samples/real
if "--prior" in sys.argv:
    prior_dir = sys.argv[sys.argv.index("--prior") + 1]
FIELDS = ["id", "text", "category", "kind", "source", "source_title", "source_kind", "split", "note"]
CATS = {"threat", "abuse", "impersonation", "third_party_disclosure", "unauthorized_waiver", "contact_pressure", "compliant"}
KINDS = {"spoken", "sms", "chat"}
SKINDS = {"news", "judgment", "complaint", "regulator", "training", "other"}
SALT = "real-split-v3:"
errors = []
def norm(t):
    t = unicodedata.normalize("NFKC", t)
    return "".join(ch for ch in t if not (unicodedata.category(ch)[0] in "PZ" or ch.isspace()))
items = []
with open(ITEMS, encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except Exception as e:
            errors.append(f"line {n}: bad JSON {e}"); continue
        if list(d.keys()) != FIELDS:
            errors.append(f"line {n}: fields {list(d.keys())} != {FIELDS}")
        for k in FIELDS:
            if not isinstance(d.get(k), str) or not d.get(k).strip():
                errors.append(f"line {n}: field {k} missing/empty")
        if not re.fullmatch(r"R3\d{3}", d.get("id", "")):
            errors.append(f"line {n}: bad id {d.get('id')}")
        if d.get("category") not in CATS: errors.append(f"{d.get('id')}: bad category")
        if d.get("kind") not in KINDS: errors.append(f"{d.get('id')}: bad kind")
        if d.get("source_kind") not in SKINDS: errors.append(f"{d.get('id')}: bad source_kind")
        if d.get("split") not in ("tune", "aside"): errors.append(f"{d.get('id')}: bad split")
        if not str(d.get("source", "")).startswith(("http://", "https://")): errors.append(f"{d.get('id')}: source not a URL")
        items.append(d)
ids = [d["id"] for d in items]
if len(ids) != len(set(ids)): errors.append("duplicate ids")
# split rule
bycat = {}
for d in items: bycat.setdefault(d["category"], []).append(d)
for c, L in bycat.items():
    L = sorted(L, key=lambda d: hashlib.sha256((SALT + d["id"]).encode()).hexdigest())
    for j, d in enumerate(L):
        want = "tune" if j % 2 == 0 else "aside"
        if d["split"] != want: errors.append(f"{d['id']}: split {d['split']} != {want} (category {c})")
# duplicates within and against prior rounds
seen = {}
for d in items:
    k = norm(d["text"])
    if k in seen: errors.append(f"{d['id']}: duplicate text of {seen[k]}")
    seen[k] = d["id"]
prior = 0
for fn in ("items.jsonl", "items_round2.jsonl"):
    p = os.path.join(prior_dir, fn)
    if not os.path.exists(p):
        errors.append(f"prior file missing: {p}"); continue
    with open(p, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                t = norm(json.loads(line)["text"]); prior += 1
                if t in seen: errors.append(f"{seen[t]}: duplicates a text in {fn}")
if errors:
    print("FAIL"); [print(" -", e) for e in errors]; sys.exit(1)
from collections import Counter
cnt = Counter((d["category"], d["split"]) for d in items)
print(f"OK: {len(items)} items, checked against {prior} prior texts")
for c in sorted(bycat):
    print(f"  {c:24s} tune {cnt[(c,'tune')]:3d}  aside {cnt[(c,'aside')]:3d}  total {len(bycat[c])}")
