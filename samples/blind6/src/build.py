#!/usr/bin/env python3
"""Build H0001..H0100 transcripts, labels.jsonl and institutions.csv from the
hand-written dialogue files src/calls_*.txt.

Format of a call block:
  @CALLID relation institution[|agency] [asr]
  A <agent text>            -> agent segment
  C <customer text>         -> customer segment
  ! category | quote        -> label on the preceding (agent) segment
  !! no_self_identification -> call-level label (segment null, quote "")
  % note
Only timing, agent_id and started_at are generated here; every line of
dialogue is written by hand in the .txt files.
"""
import glob, json, os, random, datetime

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
rng = random.Random(20261201)

calls = []
cur = None
for fn in sorted(glob.glob(os.path.join(HERE, "calls_*.txt"))):
    for raw in open(fn, encoding="utf-8"):
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        if line.startswith("@"):
            parts = line[1:].split()
            cur = {"id": parts[0], "rel": parts[1], "inst": parts[2],
                   "asr": len(parts) > 3 and parts[3] == "asr",
                   "segs": [], "labels": [], "note": ""}
            calls.append(cur)
        elif line.startswith("!!"):
            cat = line[2:].strip()
            cur["labels"].append({"category": cat, "segment": None, "quote": ""})
        elif line.startswith("!"):
            cat, quote = [x.strip() for x in line[1:].split("|", 1)]
            idx = len(cur["segs"]) - 1
            sp, text = cur["segs"][idx]
            assert sp == "agent", (cur["id"], idx, "label on non-agent segment")
            assert quote in text, (cur["id"], idx, quote)
            cur["labels"].append({"category": cat, "segment": idx, "quote": quote})
        elif line.startswith("%"):
            cur["note"] = line[1:].strip()
        elif line[:2] in ("A ", "C "):
            cur["segs"].append(("agent" if line[0] == "A" else "customer", line[2:].strip()))
        else:
            raise SystemExit("bad line in %s: %r" % (fn, line))

assert len(calls) == 100, len(calls)
assert [c["id"] for c in calls] == ["H%04d" % i for i in range(1, 101)]

agents = ["A%03d" % i for i in range(101, 139)]
hour_override = {"H0091": (8, 35), "H0047": (10, 20), "H0099": (11, 5)}
start_day = datetime.date(2026, 11, 12)

labels_out, inst_out = [], []
for c in calls:
    t = round(rng.uniform(0.0, 0.8), 1)
    segs = []
    for sp, text in c["segs"]:
        rate = rng.uniform(4.0, 5.0) if sp == "agent" else rng.uniform(3.8, 5.2)
        dur = max(0.8, len(text) / rate)
        end = round(t + dur, 1)
        segs.append({"start": t, "end": end, "speaker": sp, "text": text})
        t = round(end + rng.uniform(0.3, 1.0), 1)
    day = start_day + datetime.timedelta(days=rng.randrange(0, 26))
    hh, mm = hour_override.get(c["id"], (rng.randrange(9, 19), rng.randrange(0, 60)))
    ss = rng.randrange(0, 60)
    started = "%sT%02d:%02d:%02d+08:00" % (day.isoformat(), hh, mm, ss)
    obj = {"call_id": c["id"], "agent_id": rng.choice(agents), "started_at": started,
           "callee_relation": c["rel"], "segments": segs}
    with open(os.path.join(OUT, c["id"] + ".json"), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")
    labels_out.append({"call_id": c["id"], "violations": c["labels"], "note": c["note"]})
    inst_out.append((c["id"], c["inst"]))

with open(os.path.join(OUT, "labels.jsonl"), "w", encoding="utf-8") as f:
    for l in labels_out:
        f.write(json.dumps(l, ensure_ascii=False) + "\n")
with open(os.path.join(OUT, "institutions.csv"), "w", encoding="utf-8") as f:
    f.write("call_id,institution\n")
    for cid, inst in inst_out:
        f.write("%s,%s\n" % (cid, inst))
with open(os.path.join(HERE, "asr_calls.txt"), "w") as f:
    f.write("\n".join(c["id"] for c in calls if c["asr"]) + "\n")
print("built", len(calls), "calls;", sum(c["asr"] for c in calls), "with ASR noise")
