#!/usr/bin/env python3
"""Validate the blind5 set: format, ids, times, quotes, speakers, counts, determinism.

Usage: python3 src/check.py      (exit status 0 = all checks pass)
"""
import csv
import filecmp
import json
import os
import re
import sys
import tempfile
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import build  # noqa: E402

AGENT_CATS = {"contact_pressure", "vulnerable_pressure", "threat", "abuse",
              "third_party_disclosure", "unauthorized_waiver", "impersonation",
              "no_self_identification"}
CUSTOMER_CATS = {"complaint_risk", "vulnerable_customer"}
ALL_CATS = AGENT_CATS | CUSTOMER_CATS
NEW = build.NEW
IDS = ["G%04d" % i for i in range(1, 71)]
FULLWIDTH_PUNCT = set("，。？！；：、")

errors = []


def err(msg):
    errors.append(msg)


def main():
    # ---- files present ----
    names = sorted(f for f in os.listdir(ROOT) if f.endswith(".json"))
    if names != [i + ".json" for i in IDS]:
        err("transcript files are not exactly G0001..G0070: %s" % names[:5])
    calls = {}
    for cid in IDS:
        p = os.path.join(ROOT, cid + ".json")
        if not os.path.exists(p):
            continue
        with open(p, encoding="utf-8") as f:
            d = json.load(f)
        calls[cid] = d
        if list(d.keys()) != ["call_id", "agent_id", "started_at", "callee_relation", "segments"]:
            err("%s: keys %s" % (cid, list(d.keys())))
        if d.get("call_id") != cid:
            err("%s: call_id %s" % (cid, d.get("call_id")))
        if not re.fullmatch(r"A\d{3}", str(d.get("agent_id"))):
            err("%s: agent_id %s" % (cid, d.get("agent_id")))
        sa = str(d.get("started_at"))
        if not sa.endswith("+08:00"):
            err("%s: started_at not +08:00" % cid)
        try:
            datetime.fromisoformat(sa)
        except ValueError:
            err("%s: started_at not ISO" % cid)
        if d.get("callee_relation") not in ("debtor", "contact", "unknown"):
            err("%s: callee_relation %s" % (cid, d.get("callee_relation")))
        segs = d.get("segments", [])
        if not 7 <= len(segs) <= 16:
            err("%s: %d segments" % (cid, len(segs)))
        prev_end = -1.0
        for i, s in enumerate(segs):
            if list(s.keys()) != ["start", "end", "speaker", "text"]:
                err("%s[%d]: keys %s" % (cid, i, list(s.keys())))
                continue
            if s["speaker"] not in ("agent", "customer"):
                err("%s[%d]: speaker %s" % (cid, i, s["speaker"]))
            if not (isinstance(s["text"], str) and s["text"].strip()):
                err("%s[%d]: empty text" % (cid, i))
            if not (s["start"] < s["end"]):
                err("%s[%d]: start>=end" % (cid, i))
            if not (s["start"] > prev_end):
                err("%s[%d]: not after previous segment" % (cid, i))
            gap = s["start"] - prev_end if i else s["start"]
            if i and gap > 1.5:
                err("%s[%d]: gap %.1f too large" % (cid, i, gap))
            n = len(s["text"].replace(" ", ""))
            dur = s["end"] - s["start"]
            if n >= 6 and not 3.4 <= n / dur <= 5.6:
                err("%s[%d]: %.2f chars/s" % (cid, i, n / dur))
            prev_end = s["end"]
        if segs and segs[0]["speaker"] != "agent":
            err("%s: first segment is not the agent" % cid)

    # ---- ASR-noise calls: no full-width punctuation ----
    asr = [c["id"] for c in build.CALLS if c["asr"]]
    for cid in asr:
        for i, s in enumerate(calls[cid]["segments"]):
            if FULLWIDTH_PUNCT & set(s["text"]):
                err("%s[%d]: ASR-noise call has full-width punctuation" % (cid, i))

    # ---- labels ----
    with open(os.path.join(ROOT, "labels.jsonl"), encoding="utf-8") as f:
        lines = [json.loads(l) for l in f if l.strip()]
    if [l["call_id"] for l in lines] != IDS:
        err("labels.jsonl ids are not G0001..G0070 in order")
    labels = {l["call_id"]: l for l in lines}
    for cid, lab in labels.items():
        if list(lab.keys()) != ["call_id", "violations", "note"]:
            err("%s: label keys %s" % (cid, list(lab.keys())))
        if not lab.get("note"):
            err("%s: empty note" % cid)
        segs = calls[cid]["segments"]
        seen = set()
        first_vc = None
        for v in lab["violations"]:
            if list(v.keys()) != ["category", "segment", "quote"]:
                err("%s: violation keys %s" % (cid, list(v.keys())))
            cat, si, q = v["category"], v["segment"], v["quote"]
            if cat not in ALL_CATS:
                err("%s: unknown category %s" % (cid, cat))
                continue
            if cat == "no_self_identification":
                if si is not None or q != "":
                    err("%s: no_self_identification must have segment null and empty quote" % cid)
                continue
            if not isinstance(si, int) or not 0 <= si < len(segs):
                err("%s: segment %s out of range" % (cid, si))
                continue
            if (si, cat) in seen:
                err("%s: duplicate label %s on segment %d" % (cid, cat, si))
            seen.add((si, cat))
            if not q or q not in segs[si]["text"]:
                err("%s[%d]: quote not a substring: %s" % (cid, si, q))
            want = "agent" if cat in AGENT_CATS else "customer"
            if segs[si]["speaker"] != want:
                err("%s[%d]: %s on a %s segment" % (cid, si, cat, segs[si]["speaker"]))
            if cat == "vulnerable_customer":
                first_vc = si if first_vc is None else min(first_vc, si)
        for v in lab["violations"]:
            if v["category"] == "vulnerable_pressure":
                if first_vc is None or v["segment"] <= first_vc:
                    err("%s: vulnerable_pressure at %s without an earlier vulnerable_customer"
                        % (cid, v["segment"]))
        segs_sorted = [(-1 if v["segment"] is None else v["segment"]) for v in lab["violations"]]
        if segs_sorted != sorted(segs_sorted):
            err("%s: violations not sorted by segment" % cid)

    # ---- institutions.csv and self-identification ----
    with open(os.path.join(ROOT, "institutions.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if rows[0] != ["call_id", "institution"]:
        err("institutions.csv header %s" % rows[0])
    inst = {r[0]: r[1] for r in rows[1:]}
    if list(inst.keys()) != IDS:
        err("institutions.csv ids are not G0001..G0070")
    for cid in IDS:
        agent_text = "".join(s["text"] for s in calls[cid]["segments"] if s["speaker"] == "agent")
        nsi = any(v["category"] == "no_self_identification" for v in labels[cid]["violations"])
        named = inst.get(cid, "\0") in agent_text
        if nsi and named:
            err("%s: labelled no_self_identification but the agent names %s" % (cid, inst[cid]))
        if not nsi and not named:
            err("%s: agent never names %s but no no_self_identification label" % (cid, inst.get(cid)))

    # ---- counts ----
    per = {k: [set(), 0] for k in NEW + build.OLD}
    for cid, lab in labels.items():
        for v in lab["violations"]:
            per[v["category"]][0].add(cid)
            per[v["category"]][1] += 1
    calls_of = {k: len(v[0]) for k, v in per.items()}
    no_new = [cid for cid in IDS if not any(v["category"] in NEW for v in labels[cid]["violations"])]
    no_old = [cid for cid in IDS
              if not any(v["category"] in build.OLD for v in labels[cid]["violations"])]
    hard_neg_notes = [cid for cid in no_new if "hard negative" in labels[cid]["note"]]
    targets = {"contact_pressure": (16, 20), "complaint_risk": (13, 17),
               "vulnerable_customer": (13, 17), "vulnerable_pressure": (4, 6)}
    for k, (lo, hi) in targets.items():
        if not lo <= calls_of[k] <= hi:
            err("%s in %d calls, expected %d-%d" % (k, calls_of[k], lo, hi))
    if len(hard_neg_notes) < 25:
        err("only %d hard-negative calls" % len(hard_neg_notes))
    if len(no_old) <= 35:
        err("only %d calls free of old categories; most should be" % len(no_old))
    if not 20 <= len(asr) <= 30:
        err("%d ASR-noise calls, expected about a third" % len(asr))
    cp_multi = [cid for cid in per["contact_pressure"][0]
                if sum(v["category"] == "contact_pressure" for v in labels[cid]["violations"]) >= 2]
    if len(cp_multi) < 5:
        err("too few contact_pressure calls with 2+ pressing turns")
    for cid in per["contact_pressure"][0]:
        if not any(s["speaker"] == "customer" for s in calls[cid]["segments"]):
            err("%s: no customer" % cid)

    # README counts table must match
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    for k, v in per.items():
        row = "| `%s` | %d | %d |" % (k, len(v[0]), v[1])
        if row not in readme:
            err("README counts row missing or wrong: %s" % row)

    # ---- determinism: rebuild and compare ----
    with tempfile.TemporaryDirectory() as tmp:
        build.build(tmp)
        for name in sorted(os.listdir(tmp)):
            if not filecmp.cmp(os.path.join(tmp, name), os.path.join(ROOT, name), shallow=False):
                err("rebuild differs: %s" % name)

    # ---- report ----
    print("%-24s %5s %8s" % ("category", "calls", "segments"))
    for k, v in per.items():
        print("%-24s %5d %8d" % (k, len(v[0]), v[1]))
    print("calls without new categories: %d (hard negatives by note: %d)"
          % (len(no_new), len(hard_neg_notes)))
    print("calls without any old category: %d; ASR-noise calls: %d; CP calls with 2+ turns: %d"
          % (len(no_old), len(asr), len(cp_multi)))
    if errors:
        print("\nFAIL: %d problem(s)" % len(errors))
        for e in errors:
            print("  -", e)
        return 1
    print("\nOK: all checks pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
