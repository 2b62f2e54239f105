#!/usr/bin/env python3
"""Turn the hand-written blocks in src/calls_*.txt into the schema JSON.
Adds only timings, agent_id and started_at. Sentences come verbatim from the blocks."""
import glob, json, os, random, re, datetime

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
CATS = {"threat", "abuse", "third_party_disclosure", "unauthorized_waiver", "impersonation"}

def parse(path):
    calls, cur = [], None
    for ln, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.rstrip("\n").strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = {"id": line[4:].strip(), "rel": None, "inst": None, "alias": [], "asr": False,
                   "note": None, "segs": [], "viol": [], "nsi": False}
            calls.append(cur)
            continue
        m = re.match(r"^(rel|inst|alias|asr|note):\s*(.*)$", line)
        if m and not cur["segs"] or (m and m.group(1) == "note"):
            k, v = m.groups()
            if k == "alias": cur["alias"] = [a for a in v.split("|") if a]
            elif k == "asr": cur["asr"] = v.strip() == "yes"
            else: cur[k] = v.strip()
            continue
        if line.startswith("A:") or line.startswith("C:"):
            cur["segs"].append(("agent" if line[0] == "A" else "customer", line[2:].strip()))
            continue
        if line.startswith("!!"):
            assert "no_self_identification" in line, (path, ln)
            cur["nsi"] = True
            continue
        if line.startswith("!"):
            body = line[1:].strip()
            cat, _, quote = body.partition(":")
            cat, quote = cat.strip(), quote.strip()
            assert cat in CATS, (path, ln, cat)
            idx = len(cur["segs"]) - 1
            spk, text = cur["segs"][idx]
            assert spk == "agent", (path, ln)
            if not quote:
                quote = text
            assert quote in text, (path, ln, quote)
            cur["viol"].append({"category": cat, "segment": idx, "quote": quote})
            continue
        raise SystemExit("cannot parse %s:%d: %s" % (path, ln, line))
    return calls

def main():
    calls = []
    for p in sorted(glob.glob(os.path.join(HERE, "calls_*.txt"))):
        calls += parse(p)
    calls.sort(key=lambda c: c["id"])
    rnd = random.Random(20261207)
    base = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    labels, inst_rows, asr, aliases = [], [], [], {}
    for c in calls:
        t = round(rnd.uniform(0.1, 0.7), 1)
        segs = []
        for spk, text in c["segs"]:
            dur = max(0.8, round(len(text) / rnd.uniform(4.0, 5.2), 1))
            segs.append({"start": round(t, 1), "end": round(t + dur, 1), "speaker": spk, "text": text})
            t = t + dur + rnd.uniform(0.3, 1.0)
        day = base + datetime.timedelta(days=rnd.randint(0, 40), hours=rnd.randint(9, 19),
                                        minutes=rnd.randint(0, 59), seconds=rnd.randint(0, 59))
        doc = {"call_id": c["id"], "agent_id": "A%03d" % rnd.randint(1, 45),
               "started_at": day.isoformat(), "callee_relation": c["rel"], "segments": segs}
        with open(os.path.join(OUT, c["id"] + ".json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
            f.write("\n")
        v = list(c["viol"])
        if c["nsi"]:
            v.append({"category": "no_self_identification", "segment": None, "quote": ""})
        labels.append({"call_id": c["id"], "violations": v, "note": c["note"]})
        inst_rows.append((c["id"], c["inst"]))
        if c["asr"]: asr.append(c["id"])
        if c["alias"]: aliases[c["id"]] = c["alias"]
    with open(os.path.join(OUT, "labels.jsonl"), "w", encoding="utf-8") as f:
        for l in labels:
            f.write(json.dumps(l, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT, "institutions.csv"), "w", encoding="utf-8") as f:
        f.write("call_id,institution\n")
        for cid, inst in inst_rows:
            f.write("%s,%s\n" % (cid, inst))
    with open(os.path.join(OUT, "asr_calls.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(asr) + "\n")
    with open(os.path.join(HERE, "aliases.json"), "w", encoding="utf-8") as f:
        json.dump(aliases, f, ensure_ascii=False, indent=1)
    print("built", len(calls), "calls;", len(asr), "with ASR noise")

if __name__ == "__main__":
    main()
