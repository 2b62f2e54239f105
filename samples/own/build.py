"""Build samples/own/{tune,holdout}/ from the hand-written dialogue sources in samples/own/src/.

Source format (one file per set, UTF-8):

    === O0001 | A012 | 2026-11-16 09:12 | debtor
    note: what the call tests
    flag: noself            (optional: the agent never names the institution)
    A: agent turn, a violation is marked {T:exact words}
    C: customer turn

Marker codes: T threat, A abuse, D third_party_disclosure, W unauthorized_waiver,
I impersonation.  The marker braces are removed from the text and the words inside become the
label's ``quote`` (so quotes are exact substrings by construction).  Segment times are generated
from the text length with a fixed random seed per call (about 4-5.5 characters a second, pauses
between turns).  Run:  python samples/own/build.py
"""
from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODES = {"T": "threat", "A": "abuse", "D": "third_party_disclosure", "W": "unauthorized_waiver",
         "I": "impersonation"}
MARK = re.compile(r"\{([TADWI]):([^{}]+)\}")
HEADER = re.compile(r"^=== (O\d{4}) \| (A\d{3}) \| (\d{4}-\d\d-\d\d \d\d:\d\d) \| (debtor|contact|unknown)$")


def parse(path: Path) -> list[dict]:
    calls: list[dict] = []
    cur: dict | None = None
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path.name}:{lineno}"
        if line.startswith("==="):
            m = HEADER.match(line)
            if not m:
                sys.exit(f"{where}: bad header {line!r}")
            cur = {"id": m[1], "agent": m[2], "at": m[3], "rel": m[4], "note": "", "noself": False,
                   "turns": [], "where": where}
            calls.append(cur)
        elif cur is None:
            sys.exit(f"{where}: text before the first header")
        elif line.startswith("note:"):
            cur["note"] = line[5:].strip()
        elif line == "flag: noself":
            cur["noself"] = True
        elif line[:2] in ("A:", "C:"):
            cur["turns"].append((line[0], line[2:].strip(), where))
        else:
            sys.exit(f"{where}: cannot parse {line!r}")
    return calls


def build(call: dict) -> tuple[dict, dict]:
    rng = random.Random(call["id"])
    t = round(rng.uniform(0.1, 0.8), 1)
    segments, violations = [], []
    for i, (who, text, where) in enumerate(call["turns"]):
        quotes = [(CODES[m[1]], m[2]) for m in MARK.finditer(text)]
        plain = MARK.sub(lambda m: m[2], text)
        if "{" in plain or "}" in plain:
            sys.exit(f"{where}: unbalanced marker")
        if quotes and who != "A":
            sys.exit(f"{where}: violation marked in a customer turn")
        for cat, q in quotes:
            violations.append({"category": cat, "segment": i, "quote": q})
        dur = max(0.6, len(plain) / rng.uniform(4.0, 5.5))
        end = round(t + dur, 1)
        segments.append({"start": t, "end": end, "speaker": "agent" if who == "A" else "customer",
                         "text": plain})
        t = round(end + rng.uniform(0.3, 1.1), 1)
    if call["noself"]:
        violations.append({"category": "no_self_identification", "segment": None, "quote": ""})
    if not 6 <= len(segments) <= 20:
        sys.exit(f"{call['where']}: {len(segments)} segments (need 6-20)")
    if not call["note"]:
        sys.exit(f"{call['where']}: no note")
    date, hm = call["at"].split()
    transcript = {"call_id": call["id"], "agent_id": call["agent"],
                  "started_at": f"{date}T{hm}:{rng.randint(0, 59):02d}+08:00",
                  "callee_relation": call["rel"], "segments": segments}
    label = {"call_id": call["id"], "violations": violations, "note": call["note"]}
    return transcript, label


def main() -> None:
    seen: set[str] = set()
    for name in ("tune", "holdout"):
        src = HERE / "src" / f"{name}.txt"
        if not src.exists():
            continue
        out = HERE / name
        out.mkdir(exist_ok=True)
        for old in out.glob("O*.json"):
            old.unlink()
        labels = []
        for call in parse(src):
            if call["id"] in seen:
                sys.exit(f"{call['where']}: duplicate call id {call['id']}")
            seen.add(call["id"])
            transcript, label = build(call)
            (out / f"{call['id']}.json").write_text(
                json.dumps(transcript, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            labels.append(label)
        (out / "labels.jsonl").write_text(
            "".join(json.dumps(l, ensure_ascii=False) + "\n" for l in labels), encoding="utf-8")
        print(f"{name}: {len(labels)} calls")


if __name__ == "__main__":
    main()
