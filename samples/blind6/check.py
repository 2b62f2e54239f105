#!/usr/bin/env python3
"""Validate the blind6 evaluation set (stdlib only). Usage: python3 check.py [dir]"""
import csv, json, os, re, sys
from collections import Counter, defaultdict

D = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
CATS = ["threat", "abuse", "third_party_disclosure", "unauthorized_waiver",
        "impersonation", "no_self_identification"]
RELS = {"debtor", "contact", "unknown"}
# ASR-garbled spellings of institution names used on purpose in some transcripts
ALIASES = {"极速分期": ["急速分期"], "澜海银行": ["兰海银行"], "锦江银行": ["金江银行"], "鑫诚商务咨询": ["新城商务"],
           "诚信达资产管理": ["城信达"]}
errors = []


def err(msg):
    errors.append(msg)


ids = ["H%04d" % i for i in range(1, 101)]
calls = {}
for cid in ids:
    p = os.path.join(D, cid + ".json")
    try:
        obj = json.load(open(p, encoding="utf-8"))
    except Exception as e:  # noqa
        err("%s: does not parse: %s" % (cid, e))
        continue
    calls[cid] = obj
    if set(obj) != {"call_id", "agent_id", "started_at", "callee_relation", "segments"}:
        err("%s: unexpected keys %s" % (cid, sorted(obj)))
    if obj.get("call_id") != cid:
        err("%s: call_id mismatch" % cid)
    if not re.fullmatch(r"A\d{3}", str(obj.get("agent_id"))):
        err("%s: bad agent_id" % cid)
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", str(obj.get("started_at"))):
        err("%s: bad started_at" % cid)
    if obj.get("callee_relation") not in RELS:
        err("%s: bad callee_relation" % cid)
    segs = obj.get("segments", [])
    if not 6 <= len(segs) <= 16:
        err("%s: %d segments (want 6-16)" % (cid, len(segs)))
    prev_end = -1.0
    for i, s in enumerate(segs):
        if set(s) != {"start", "end", "speaker", "text"}:
            err("%s seg %d: keys %s" % (cid, i, sorted(s)))
            continue
        if s["speaker"] not in ("agent", "customer"):
            err("%s seg %d: bad speaker" % (cid, i))
        if not (s["start"] < s["end"]):
            err("%s seg %d: start >= end" % (cid, i))
        if s["start"] < prev_end:
            err("%s seg %d: not ordered / overlaps previous" % (cid, i))
        prev_end = s["end"]
        n = len(s["text"])
        rate = n / (s["end"] - s["start"]) if s["end"] > s["start"] else 0
        if n >= 8 and not 3.0 <= rate <= 6.0:
            err("%s seg %d: speech rate %.1f chars/s" % (cid, i, rate))
        if not s["text"].strip():
            err("%s seg %d: empty text" % (cid, i))
    if not any(s.get("speaker") == "agent" for s in segs):
        err("%s: no agent segment" % cid)

# labels
labels = {}
lp = os.path.join(D, "labels.jsonl")
for ln, line in enumerate(open(lp, encoding="utf-8"), 1):
    if not line.strip():
        continue
    try:
        l = json.loads(line)
    except Exception as e:  # noqa
        err("labels.jsonl line %d does not parse: %s" % (ln, e))
        continue
    if set(l) != {"call_id", "violations", "note"}:
        err("labels line %d: keys %s" % (ln, sorted(l)))
    if l["call_id"] in labels:
        err("labels: duplicate %s" % l["call_id"])
    labels[l["call_id"]] = l
if sorted(labels) != ids:
    err("labels.jsonl does not cover exactly H0001..H0100")

call_cats = defaultdict(set)
seg_counts = Counter()
for cid, l in labels.items():
    if not isinstance(l.get("note"), str) or not l["note"].strip():
        err("%s: empty note" % cid)
    seen = set()
    segs = calls.get(cid, {}).get("segments", [])
    for v in l["violations"]:
        if set(v) != {"category", "segment", "quote"}:
            err("%s: violation keys %s" % (cid, sorted(v)))
            continue
        cat, si, q = v["category"], v["segment"], v["quote"]
        if cat not in CATS:
            err("%s: unknown category %r" % (cid, cat))
            continue
        if cat == "no_self_identification":
            if si is not None or q != "":
                err("%s: no_self_identification must have segment null and empty quote" % cid)
            if cat in call_cats[cid]:
                err("%s: duplicate no_self_identification" % cid)
            call_cats[cid].add(cat)
            continue
        if not isinstance(si, int) or not 0 <= si < len(segs):
            err("%s: bad segment index %r" % (cid, si))
            continue
        if segs[si]["speaker"] != "agent":
            err("%s seg %d: label on a customer segment" % (cid, si))
        if not q or q not in segs[si]["text"]:
            err("%s seg %d: quote is not an exact substring: %r" % (cid, si, q))
        if (si, cat) in seen:
            err("%s seg %d: two %s labels on one segment" % (cid, si, cat))
        seen.add((si, cat))
        call_cats[cid].add(cat)
        seg_counts[cat] += 1
    if len(call_cats[cid]) > 3:
        err("%s: more than 3 categories" % cid)

# institutions
inst = {}
with open(os.path.join(D, "institutions.csv"), encoding="utf-8", newline="") as f:
    r = csv.reader(f)
    if next(r) != ["call_id", "institution"]:
        err("institutions.csv: bad header")
    for row in r:
        if len(row) != 2 or not row[1].strip():
            err("institutions.csv: bad row %r" % row)
            continue
        inst[row[0]] = row[1].split("|")
if sorted(inst) != ids:
    err("institutions.csv does not cover exactly H0001..H0100")

# consistency: institutions named in agent speech iff not labelled no_self_identification
SUFFIXES = ["银行", "消费金融", "资产管理", "小额贷款", "小贷", "律师事务所", "商务咨询",
            "调解中心", "调解服务", "信息服务"]


def forms(name):
    out = [name] + ALIASES.get(name, [])
    for suf in SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            out.append(name[: -len(suf)])
    return out


for cid in ids:
    if cid not in calls or cid not in inst:
        continue
    agent_text = "".join(s["text"] for s in calls[cid]["segments"] if s["speaker"] == "agent")
    named = any(f in agent_text for n in inst[cid] for f in forms(n))
    flagged = "no_self_identification" in call_cats[cid]
    if flagged and named:
        err("%s: labelled no_self_identification but agent names %s" % (cid, inst[cid]))
    if not flagged and not named:
        err("%s: agent never names %s but no no_self_identification label" % (cid, inst[cid]))

# report
call_counter = Counter(c for cid in ids for c in call_cats[cid])
compliant = sum(1 for cid in ids if not labels.get(cid, {}).get("violations"))
print("%-24s %6s %9s" % ("category", "calls", "segments"))
for c in CATS:
    segs = seg_counts[c] if c != "no_self_identification" else "(call-level)"
    print("%-24s %6d %9s" % (c, call_counter[c], segs))
print("compliant calls: %d / %d" % (compliant, len(ids)))
print("calls with violations: %d" % (len(ids) - compliant))
print("callee_relation:", dict(Counter(calls[c]["callee_relation"] for c in calls)))
print("segments per call: min %d max %d" % (
    min(len(c["segments"]) for c in calls.values()), max(len(c["segments"]) for c in calls.values())))
if errors:
    print("\n%d ERRORS" % len(errors))
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("\nOK: all checks passed")
