"""Supervisors' decisions as training labels for the second opinion (``qa-audit train --db``).

- a finding whose effective state is confirmed (or upheld on appeal) labels its segment positive
  for its category, one dismissed (or overturned) negative;
- the latest 抽检 verdict on a sampled call labels the whole call: the named segment positive for
  the named categories and every other (turn, category) negative; a verdict naming a violation
  without a segment labels nothing of that category but still the other categories;
- calibration verdicts are not used (auditors in training disagree by design).
"""
from __future__ import annotations

from typing import Any

from qa_audit.core.model import Call
from qa_audit.review.store import ensure_schema, latest_verdicts
from qa_audit.store.db import Store

CATS = ("threat", "abuse", "third_party_disclosure", "unauthorized_waiver", "impersonation")


def training_decisions(store: Store) -> list[dict[str, Any]]:
    """``[{"call": Call, "gold": {(segment, category): 1/0}, "complete": bool,
    "unknown": [categories]}]`` — see the module docstring."""
    ensure_schema(store)
    con = store.conn
    states: dict[str, str] = {}
    for r in con.execute("SELECT finding_id, action FROM reviews ORDER BY review_id"):
        a = r["action"]
        if a in ("confirm", "final_uphold"):
            states[r["finding_id"]] = "confirmed"
        elif a in ("dismiss", "final_overturn"):
            states[r["finding_id"]] = "dismissed"
    gold: dict[str, dict[tuple[int, str], int]] = {}
    for r in con.execute("SELECT finding_id, call_id, segment, category FROM findings WHERE segment IS NOT NULL"):
        st = states.get(r["finding_id"])
        if st is None or r["category"] not in CATS:
            continue
        gold.setdefault(r["call_id"], {})[(int(r["segment"]), r["category"])] = 1 if st == "confirmed" else 0
    whole: dict[str, dict[str, Any]] = {}
    for v in latest_verdicts(store, "sample"):
        whole[v["call_id"]] = v
    out = []
    for call_id in sorted(set(gold) | set(whole)):
        row = con.execute("SELECT transcript_json FROM calls WHERE call_id=?", (call_id,)).fetchone()
        if row is None:
            continue
        call = Call.from_json(row[0])
        g: dict[tuple[int, str], int] = {}
        complete, unknown = False, []
        v = whole.get(call_id)
        if v is not None:
            named = [c for c in v["categories"] if c in CATS]
            seg = v.get("segment")
            no_seg = [c for c in named if seg is None]
            for i, s in enumerate(call.segments):
                if s.speaker != "agent":
                    continue
                for c in CATS:
                    if c in no_seg:
                        continue
                    g[(i, c)] = 1 if (c in named and i == seg) else 0
            # a violation at the named segment says nothing about the other turns of that category
            for c in named:
                if seg is not None:
                    for i in range(len(call.segments)):
                        if i != seg:
                            g.pop((i, c), None)
            complete, unknown = False, no_seg
        g.update(gold.get(call_id, {}))
        out.append({"call": call, "gold": g, "complete": complete, "unknown": unknown})
    return out
