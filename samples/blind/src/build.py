"""Build the blind test set (samples/blind/B*.json + labels.jsonl) from src/calls.txt.

calls.txt: blocks separated by a header line
    ### <callee_relation> | <flags> | <note>
followed by lines "A: ..." (agent) or "C: ..." (customer). Violations are marked inline in agent
lines as [[X:quote]] with X in T (threat), A (abuse), D (third_party_disclosure),
W (unauthorized_waiver), I (impersonation); flag N = no_self_identification (call level).
The call order is shuffled with a fixed seed before ids B0001... are assigned; times, agent ids and
start times are generated deterministically. Invented data written for development.
"""
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent
CAT = {"T": "threat", "A": "abuse", "D": "third_party_disclosure",
       "W": "unauthorized_waiver", "I": "impersonation"}
MARK = re.compile(r"\[\[([TADWI]):(.+?)\]\]")


def parse(text):
    calls = []
    for block in text.split("### ")[1:]:
        lines = [l.strip() for l in block.strip().splitlines() if l.strip()]
        rel, flags, note = [x.strip() for x in lines[0].split("|", 2)]
        segs = []
        for l in lines[1:]:
            spk, body = l.split(":", 1) if l[1] == ":" else (None, None)
            assert spk in ("A", "C"), l
            segs.append(("agent" if spk == "A" else "customer", body.strip()))
        calls.append((rel, flags, note, segs))
    return calls


def build():
    calls = parse((HERE / "calls.txt").read_text(encoding="utf-8"))
    rng = random.Random(20261201)
    rng.shuffle(calls)
    for old in OUT.glob("B*.json"):
        old.unlink()
    labels = []
    for n, (rel, flags, note, segs) in enumerate(calls, 1):
        cid = f"B{n:04d}"
        t = round(rng.uniform(0.0, 0.7), 1)
        out_segs, viol = [], []
        for i, (spk, raw) in enumerate(segs):
            if spk == "customer":
                assert "[[" not in raw, raw
            for m in MARK.finditer(raw):
                viol.append({"category": CAT[m.group(1)], "segment": i, "quote": m.group(2)})
            text = MARK.sub(lambda m: m.group(2), raw)
            dur = round(0.6 + len(text) * rng.uniform(0.17, 0.24), 1)
            out_segs.append({"start": t, "end": round(t + dur, 1), "speaker": spk, "text": text})
            t = round(t + dur + rng.uniform(0.3, 1.1), 1)
        if "N" in flags.split(","):
            viol.append({"category": "no_self_identification", "segment": None, "quote": ""})
        day = rng.randint(1, 23)
        sec = rng.randint(9 * 3600, 20 * 3600 + 1800)
        call = {
            "call_id": cid,
            "agent_id": f"A{rng.randint(101, 148)}",
            "started_at": f"2026-12-{day:02d}T{sec // 3600:02d}:{sec % 3600 // 60:02d}:{sec % 60:02d}+08:00",
            "callee_relation": rel,
            "segments": out_segs,
        }
        (OUT / f"{cid}.json").write_text(json.dumps(call, ensure_ascii=False, indent=1) + "\n",
                                         encoding="utf-8")
        labels.append({"call_id": cid, "violations": viol, "note": note})
    (OUT / "labels.jsonl").write_text(
        "".join(json.dumps(l, ensure_ascii=False) + "\n" for l in labels), encoding="utf-8")
    return labels


if __name__ == "__main__":
    print(len(build()), "calls")
