"""Rebuild samples/blind3 from src/calls_*.txt (fixed-seed order, times from text length)."""
import json, random, re
from pathlib import Path

SRC = Path(__file__).resolve().parent
OUT = SRC.parent
CAT = {"T": "threat", "A": "abuse", "D": "third_party_disclosure",
       "W": "unauthorized_waiver", "I": "impersonation"}
MARK = re.compile(r"\[\[([TADWI]):(.+?)\]\]")


def parse():
    calls = []
    for f in sorted(SRC.glob("calls_*.txt")):
        cur = None
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.startswith("=== "):
                agent, start, rel, flags, note = [x.strip() for x in line[4:].split("|", 4)]
                cur = {"agent": agent, "start": start, "rel": rel, "nsi": flags == "NSI",
                       "note": note, "lines": []}
                calls.append(cur)
            elif line[:2] in ("A:", "C:") and cur is not None:
                cur["lines"].append((line[0], line[2:].strip()))
    return calls


def build():
    calls = parse()
    rnd = random.Random(20261201)
    rnd.shuffle(calls)
    labels = []
    for old in OUT.glob("E*.json"):
        old.unlink()
    for n, c in enumerate(calls, 1):
        cid = f"E{n:04d}"
        t = round(rnd.uniform(0.0, 0.6), 1)
        segs, viols = [], []
        for i, (spk, raw) in enumerate(c["lines"]):
            text = MARK.sub(lambda m: m.group(2), raw)
            for m in MARK.finditer(raw):
                assert spk == "A", (cid, raw)
                viols.append({"category": CAT[m.group(1)], "segment": i, "quote": m.group(2)})
            dur = round(max(0.8, len(text) * rnd.uniform(0.2, 0.26)), 1)
            segs.append({"start": t, "end": round(t + dur, 1),
                         "speaker": "agent" if spk == "A" else "customer", "text": text})
            t = round(t + dur + rnd.uniform(0.3, 1.0), 1)
        if c["nsi"]:
            viols.append({"category": "no_self_identification", "segment": None, "quote": ""})
        doc = {"call_id": cid, "agent_id": c["agent"], "started_at": c["start"],
               "callee_relation": c["rel"], "segments": segs}
        (OUT / f"{cid}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n",
                                         encoding="utf-8")
        labels.append({"call_id": cid, "violations": viols, "note": c["note"]})
    with open(OUT / "labels.jsonl", "w", encoding="utf-8") as fh:
        for l in labels:
            fh.write(json.dumps(l, ensure_ascii=False) + "\n")
    print(f"built {len(labels)} calls")


if __name__ == "__main__":
    build()
