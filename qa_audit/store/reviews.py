"""Effective review state of findings, folded from the append-only ``reviews`` trail.

status: unreviewed | confirmed | dismissed | appealed; severity: the latest override or None.
A final decision (final_uphold / final_overturn) settles an appeal.  Used by the store itself
(``Store.review_state``), scoring, reports, excerpts and the review app: one rule, one place.
"""
from __future__ import annotations

from typing import Any, Iterable

_STATUS = {"confirm": "confirmed", "final_uphold": "confirmed",
           "dismiss": "dismissed", "final_overturn": "dismissed", "appeal": "appealed"}


def unreviewed() -> dict[str, Any]:
    return {"status": "unreviewed", "severity": None}


def fold_states(rows: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Effective state per finding from review rows (finding_id, action, severity) ordered by review_id."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        st = out.setdefault(r["finding_id"], unreviewed())
        st["status"] = _STATUS.get(r["action"], st["status"])
        if r["severity"]:
            st["severity"] = r["severity"]
    return out


def review_states(store, finding_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The state of many findings, one query per 500 ids; unreviewed where there is no decision."""
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(finding_ids), 500):
        part = finding_ids[i:i + 500]
        rows = store.conn.execute(
            f"SELECT finding_id, action, severity FROM reviews WHERE finding_id IN ({','.join('?' * len(part))})"
            " ORDER BY review_id", part).fetchall()
        out.update(fold_states(rows))
    for fid in finding_ids:
        out.setdefault(fid, unreviewed())
    return out
