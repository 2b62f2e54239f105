#!/usr/bin/env python3
"""Validate blind7 (stdlib only): transcripts, labels, institutions, ASR list, README counts."""
import csv, datetime, json, os, re, sys

D = os.path.dirname(os.path.abspath(__file__))
IDS = ["J%04d" % i for i in range(1, 81)]
CATS = ["threat", "abuse", "third_party_disclosure", "unauthorized_waiver", "impersonation",
        "no_self_identification"]
SUFFIXES = ["律师事务所", "消费金融", "商务咨询", "信息咨询", "农商银行", "银行", "资产", "小贷", "分期", "借款"]
errors = []

def err(msg):
    errors.append(msg)

# transcripts
calls = {}
for cid in IDS:
    p = os.path.join(D, cid + ".json")
    if not os.path.exists(p):
        err("missing " + p); continue
    doc = json.load(open(p, encoding="utf-8"))
    if set(doc) != {"call_id", "agent_id", "started_at", "callee_relation", "segments"}:
        err(cid + ": keys " + str(sorted(doc)))
    if doc.get("call_id") != cid: err(cid + ": call_id mismatch")
    if not re.fullmatch(r"A\d{3}", str(doc.get("agent_id"))): err(cid + ": agent_id")
    try:
        ts = datetime.datetime.fromisoformat(doc["started_at"])
        if ts.utcoffset() != datetime.timedelta(hours=8): err(cid + ": started_at not +08:00")
    except Exception as e:
        err(cid + ": started_at " + str(e))
    if doc.get("callee_relation") not in ("debtor", "contact", "unknown"): err(cid + ": callee_relation")
    segs = doc.get("segments", [])
    if not (4 <= len(segs) <= 30): err(cid + ": %d segments" % len(segs))
    prev = -1.0
    for i, s in enumerate(segs):
        if set(s) != {"start", "end", "speaker", "text"}: err("%s[%d]: keys" % (cid, i))
        if s["speaker"] not in ("agent", "customer"): err("%s[%d]: speaker" % (cid, i))
        if not (isinstance(s["start"], (int, float)) and s["start"] >= prev and s["end"] > s["start"]):
            err("%s[%d]: times" % (cid, i))
        prev = s["end"]
        if not s["text"].strip(): err("%s[%d]: empty text" % (cid, i))
    if segs and segs[0]["speaker"] != "agent": err(cid + ": first speaker not agent")
    calls[cid] = doc

# institutions
inst = {}
with open(os.path.join(D, "institutions.csv"), encoding="utf-8", newline="") as f:
    rows = list(csv.reader(f))
if rows[0] != ["call_id", "institution"]: err("institutions.csv header")
for r in rows[1:]:
    if len(r) != 2 or not all(x.strip() for x in r[1].split("|")): err("institutions.csv row " + str(r))
    inst[r[0]] = r[1].split("|")
if sorted(inst) != IDS: err("institutions.csv ids")

aliases = {}
ap = os.path.join(D, "src", "aliases.json")
if os.path.exists(ap):
    aliases = json.load(open(ap, encoding="utf-8"))

asr = [l.strip() for l in open(os.path.join(D, "asr_calls.txt"), encoding="utf-8") if l.strip()]
if not set(asr) <= set(IDS) or len(set(asr)) != len(asr): err("asr_calls.txt ids")
for cid in aliases:
    if cid not in asr: err(cid + ": has ASR alias but is not in asr_calls.txt")

# labels
labels = {}
for n, line in enumerate(open(os.path.join(D, "labels.jsonl"), encoding="utf-8"), 1):
    l = json.loads(line)
    if set(l) != {"call_id", "violations", "note"}: err("labels line %d keys" % n)
    if l["call_id"] in labels: err("duplicate label " + l["call_id"])
    if not l["note"].strip(): err(l["call_id"] + ": empty note")
    labels[l["call_id"]] = l
if sorted(labels) != IDS: err("labels ids")

count_calls = {c: 0 for c in CATS}
count_segs = {c: 0 for c in CATS}
compliant = 0
for cid in IDS:
    if cid not in labels or cid not in calls: continue
    segs = calls[cid]["segments"]
    seen, cats = set(), set()
    for v in labels[cid]["violations"]:
        if set(v) != {"category", "segment", "quote"}: err(cid + ": violation keys")
        c = v["category"]
        if c not in CATS: err(cid + ": category " + str(c)); continue
        if c == "no_self_identification":
            if v["segment"] is not None or v["quote"] != "": err(cid + ": nsi must be segment null, quote ''")
            if c in cats: err(cid + ": nsi twice")
        else:
            i = v["segment"]
            if not isinstance(i, int) or not (0 <= i < len(segs)): err(cid + ": segment index"); continue
            if segs[i]["speaker"] != "agent": err("%s: segment %d is not agent" % (cid, i))
            if not v["quote"] or v["quote"] not in segs[i]["text"]: err("%s: quote not in segment %d" % (cid, i))
            if (c, i) in seen: err("%s: two %s labels on segment %d" % (cid, c, i))
            seen.add((c, i))
            count_segs[c] += 1
        cats.add(c)
    for c in cats: count_calls[c] += 1
    if not cats: compliant += 1
    # self-identification consistency
    agent_text = "".join(s["text"] for s in segs if s["speaker"] == "agent")
    names = inst.get(cid, []) + aliases.get(cid, [])
    named = any(n in agent_text for n in names)
    if "no_self_identification" in cats:
        cores = []
        for n in names:
            core = n
            for suf in SUFFIXES:
                if core.endswith(suf) and len(core) > len(suf) + 1:
                    core = core[: -len(suf)]; break
            cores.append(core)
        if named or any(c2 in agent_text for c2 in cores):
            err(cid + ": labelled no_self_identification but agent names the institution")
    elif not named:
        err(cid + ": agent never names %s but no no_self_identification label" % names)

# README counts
table = {}
rp = os.path.join(D, "README.md")
if os.path.exists(rp):
    for line in open(rp, encoding="utf-8"):
        m = re.match(r"^\|\s*`?(\w+)`?\s*\|\s*(\d+)\s*\|\s*([\w\- ()]+?)\s*\|$", line.strip())
        if m and m.group(1) in CATS:
            table[m.group(1)] = (int(m.group(2)), m.group(3))
    for c in CATS:
        if c not in table: err("README table lacks " + c); continue
        if table[c][0] != count_calls[c]: err("README calls for %s: %d vs %d" % (c, table[c][0], count_calls[c]))
        if c != "no_self_identification" and table[c][1] != str(count_segs[c]):
            err("README segments for %s: %s vs %d" % (c, table[c][1], count_segs[c]))
    readme = open(rp, encoding="utf-8").read()
    for cid in asr:
        if cid not in readme: err("README does not list ASR call " + cid)
else:
    err("README.md missing")

print("| category | calls | labelled segments |")
print("|---|---|---|")
for c in CATS:
    print("| %s | %d | %s |" % (c, count_calls[c], count_segs[c] if c != "no_self_identification" else "call-level (segment null)"))
print("compliant calls: %d / %d; ASR-noise calls: %d" % (compliant, len(IDS), len(asr)))
print("callee_relation:", {r: sum(1 for d in calls.values() if d["callee_relation"] == r) for r in ("debtor", "contact", "unknown")})
lens = [len(d["segments"]) for d in calls.values()]
print("segments per call: min %d, max %d" % (min(lens), max(lens)))
if errors:
    print("\nFAIL: %d problem(s)" % len(errors))
    for e in errors: print(" -", e)
    sys.exit(1)
print("OK")
