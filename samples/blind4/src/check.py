#!/usr/bin/env python3
"""Validate the blind4 set: transcripts, labels, institutions.csv, README counts.

Exit status 0 and "OK" when every check passes; otherwise prints each problem.
"""
import csv
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
CATS = ["threat", "abuse", "third_party_disclosure", "unauthorized_waiver",
        "impersonation", "no_self_identification"]
SUFFIXES = ["银行信用卡中心", "信用卡中心", "银行", "消费金融", "小额贷款", "小贷", "汽车金融",
            "资产管理", "商务咨询", "信息咨询", "商务服务"]
PUNCT = set("，。？！、；：…“”‘’（）()《》,.?!;:\"'—")

errors = []


def err(msg):
    errors.append(msg)


def stem(name):
    for s in SUFFIXES:
        if name.endswith(s) and len(name) > len(s):
            return name[: -len(s)]
    return name


def main():
    ids = ["F%04d" % i for i in range(1, 81)]
    files = sorted(f for f in os.listdir(OUT) if f.endswith(".json"))
    if files != [i + ".json" for i in ids]:
        err("transcript files are not exactly F0001..F0080.json: %s" % files[:5])

    docs = {}
    for cid in ids:
        p = os.path.join(OUT, cid + ".json")
        if not os.path.exists(p):
            continue
        d = json.load(open(p, encoding="utf-8"))
        docs[cid] = d
        if list(d.keys()) != ["call_id", "agent_id", "started_at", "callee_relation", "segments"]:
            err("%s: keys %s" % (cid, list(d.keys())))
        if d.get("call_id") != cid:
            err("%s: call_id %r" % (cid, d.get("call_id")))
        if not re.fullmatch(r"A\d{3}", d.get("agent_id", "")):
            err("%s: agent_id %r" % (cid, d.get("agent_id")))
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", d.get("started_at", "")):
            err("%s: started_at %r" % (cid, d.get("started_at")))
        if d.get("callee_relation") not in ("debtor", "contact", "unknown"):
            err("%s: callee_relation %r" % (cid, d.get("callee_relation")))
        segs = d.get("segments", [])
        if not 7 <= len(segs) <= 16:
            err("%s: %d segments" % (cid, len(segs)))
        prev_end = -1.0
        speakers = set()
        for i, s in enumerate(segs):
            if list(s.keys()) != ["start", "end", "speaker", "text"]:
                err("%s[%d]: keys %s" % (cid, i, list(s.keys())))
                continue
            if s["speaker"] not in ("agent", "customer"):
                err("%s[%d]: speaker %r" % (cid, i, s["speaker"]))
            speakers.add(s["speaker"])
            if not (s["start"] < s["end"]):
                err("%s[%d]: start >= end" % (cid, i))
            if not (s["start"] > prev_end):
                err("%s[%d]: start %.1f not after previous end %.1f" % (cid, i, s["start"], prev_end))
            if prev_end >= 0 and s["start"] - prev_end > 2.0:
                err("%s[%d]: gap %.1f s too long" % (cid, i, s["start"] - prev_end))
            prev_end = s["end"]
            n = sum(1 for ch in s["text"] if ch not in PUNCT and not ch.isspace())
            rate = n / (s["end"] - s["start"])
            if n >= 8 and not 3.0 <= rate <= 6.0:
                err("%s[%d]: %.2f chars/s" % (cid, i, rate))
            if not s["text"].strip() or "{" in s["text"] or "}" in s["text"]:
                err("%s[%d]: bad text %r" % (cid, i, s["text"]))
        if speakers != {"agent", "customer"}:
            err("%s: speakers %s" % (cid, speakers))

    labels = {}
    lines = open(os.path.join(OUT, "labels.jsonl"), encoding="utf-8").read().splitlines()
    for ln in lines:
        lab = json.loads(ln)
        if list(lab.keys()) != ["call_id", "violations", "note"]:
            err("label keys %s" % list(lab.keys()))
        cid = lab["call_id"]
        if cid in labels:
            err("%s: duplicate label line" % cid)
        labels[cid] = lab
        if not lab["note"].strip():
            err("%s: empty note" % cid)
        d = docs.get(cid)
        if d is None:
            err("%s: label for missing transcript" % cid)
            continue
        seen = set()
        for v in lab["violations"]:
            if list(v.keys()) != ["category", "segment", "quote"]:
                err("%s: violation keys %s" % (cid, list(v.keys())))
            cat = v["category"]
            if cat not in CATS:
                err("%s: category %r" % (cid, cat))
            if cat == "no_self_identification":
                if v["segment"] is not None or v["quote"] != "":
                    err("%s: no_self_identification must have segment null, quote ''" % cid)
                key = (cat, None)
            else:
                i = v["segment"]
                if not isinstance(i, int) or not 0 <= i < len(d["segments"]):
                    err("%s: segment %r out of range" % (cid, i))
                    continue
                s = d["segments"][i]
                if s["speaker"] != "agent":
                    err("%s[%d]: violation on a %s segment" % (cid, i, s["speaker"]))
                if not v["quote"] or v["quote"] not in s["text"]:
                    err("%s[%d]: quote not an exact substring: %r" % (cid, i, v["quote"]))
                key = (cat, i)
            if key in seen:
                err("%s: duplicate label %s" % (cid, key))
            seen.add(key)
    if sorted(labels) != ids:
        err("labels.jsonl does not cover exactly F0001..F0080")
    if [json.loads(l)["call_id"] for l in lines] != ids:
        err("labels.jsonl not in call_id order")

    insts = {}
    with open(os.path.join(OUT, "institutions.csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    if rows[0] != ["call_id", "institution"]:
        err("institutions.csv header %s" % rows[0])
    for r in rows[1:]:
        if len(r) != 2 or not r[1].strip():
            err("institutions.csv bad row %s" % r)
            continue
        insts[r[0]] = r[1].split("|")
    if sorted(insts) != ids:
        err("institutions.csv does not cover exactly F0001..F0080")

    # consistency of no_self_identification with the institutions the agent says aloud
    for cid in ids:
        if cid not in docs or cid not in labels or cid not in insts:
            continue
        agent_text = "".join(s["text"] for s in docs[cid]["segments"] if s["speaker"] == "agent")
        named = [n for n in insts[cid] if stem(n) in agent_text]
        noid = any(v["category"] == "no_self_identification" for v in labels[cid]["violations"])
        if noid and named:
            err("%s: labelled no_self_identification but agent says %s" % (cid, named))
        if not noid and not named:
            err("%s: agent never names %s but no no_self_identification label" % (cid, insts[cid]))

    # distribution requirements
    calls_per = {c: 0 for c in CATS}
    segs_per = {c: 0 for c in CATS}
    compliant = 0
    multi = 0
    for lab in labels.values():
        cats = {v["category"] for v in lab["violations"]}
        for c in cats:
            calls_per[c] += 1
        for v in lab["violations"]:
            if v["segment"] is not None:
                segs_per[v["category"]] += 1
        compliant += not cats
        multi += len(cats) >= 2
    for c in CATS:
        if calls_per[c] < 10:
            err("category %s has only %d calls" % (c, calls_per[c]))
    if not 32 <= compliant <= 40:
        err("compliant calls %d, expected about 45%%" % compliant)
    if multi < 5:
        err("only %d multi-category calls" % multi)

    readme = open(os.path.join(OUT, "README.md"), encoding="utf-8").read()
    for c in CATS:
        if "| %s | %d |" % (c, calls_per[c]) not in readme:
            err("README count for %s out of date" % c)
    if "**%d** of 80" % compliant not in readme:
        err("README compliant count out of date")

    print("calls %d, compliant %d, multi-category %d" % (len(docs), compliant, multi))
    for c in CATS:
        print("  %-24s calls %2d  segments %s" % (c, calls_per[c],
              segs_per[c] if c != "no_self_identification" else "-"))
    if errors:
        print("\n".join(errors))
        print("FAILED: %d problems" % len(errors))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
