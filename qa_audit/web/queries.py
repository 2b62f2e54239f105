"""Database reads and the recompute step of the review web app (importable, no FastAPI here)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from qa_audit.core.model import ALERT, SEVERITIES, Finding
from qa_audit.store.reviews import fold_states, review_states  # noqa: F401 (re-exported for the app)
from qa_audit.store.db import Store, row_to_finding

log = logging.getLogger("qa_audit.web")

ACTIONS = ("confirm", "dismiss", "severity", "comment", "appeal", "final_uphold", "final_overturn")
REVIEW_STATUSES = ("unreviewed", "confirmed", "dismissed", "appealed")
SEV_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def audit_trail(store: Store, finding_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {fid: [] for fid in finding_ids}
    if not finding_ids:
        return out
    rows = store.conn.execute(
        f"SELECT * FROM reviews WHERE finding_id IN ({','.join('?' * len(finding_ids))}) ORDER BY review_id",
        finding_ids).fetchall()
    for r in rows:
        out[r["finding_id"]].append(dict(r))
    return out


# the queue's lanes: rule violations to review | 预警 alerts (severity ``alert``: customer-side signals,
# never violations) | the learned model's suggestions (details["suggested"], not counted until confirmed)
LANES = ("rules", "alert", "suggested")


@dataclass
class QueueFilters:
    week: str = ""
    team: str = ""
    agent: str = ""
    category: str = ""
    severity: str = ""
    status: str = ""
    lane: str = "rules"  # one of LANES: violations to review | the 预警 alerts | the model's suggestions


@dataclass
class QueueRow:
    call_id: str
    agent_id: str
    team: str
    week: str
    started_at: str
    findings: int = 0
    categories: list[str] = field(default_factory=list)
    max_severity: str = ""
    statuses: dict[str, int] = field(default_factory=dict)
    total: Optional[float] = None
    grade: str = ""


def _suggested(details_json: Optional[str]) -> bool:
    import json

    try:
        return bool(json.loads(details_json or "{}").get("suggested"))
    except ValueError:
        return False


def queue(store: Store, flt: QueueFilters, *, only_agent: Optional[str] = None,
          limit: int = 500) -> list[QueueRow]:
    """Calls with findings that match the filters (severity and status are the effective ones,
    after review), most severe first, in one lane (``flt.lane``, see ``LANES``): alerts (severity
    ``alert``: complaint risk, a vulnerable customer) are not violations and appear only in the 预警
    lane (``"alert"``); the model's suggestions only in theirs (``"suggested"``); every other finding
    in ``"rules"``.  Each lane shows nothing else."""
    sql = ["SELECT f.*, c.agent_id AS c_agent, c.team AS c_team, c.week AS c_week, c.started_at AS c_started"
           " FROM findings f JOIN calls c ON c.call_id = f.call_id WHERE 1=1"]
    args: list[Any] = []
    for col, val in (("c.week", flt.week), ("c.team", flt.team), ("c.agent_id", flt.agent),
                     ("f.category", flt.category)):
        if val:
            sql.append(f" AND {col} = ?")
            args.append(val)
    sql.append(" AND f.severity = ?" if flt.lane == "alert" else " AND f.severity != ?")
    args.append(ALERT)
    if only_agent is not None:
        sql.append(" AND c.agent_id = ?")
        args.append(only_agent)
    rows = store.conn.execute("".join(sql), args).fetchall()
    states = review_states(store, [r["finding_id"] for r in rows])
    by_call: dict[str, QueueRow] = {}
    for r in rows:
        if _suggested(r["details_json"]) != (flt.lane == "suggested"):
            continue  # each lane has its own findings: rules, or the model's suggestions
        st = states[r["finding_id"]]
        sev = st["severity"] or r["severity"]
        if flt.severity and sev != flt.severity:
            continue
        if flt.status and st["status"] != flt.status:
            continue
        q = by_call.get(r["call_id"])
        if q is None:
            q = by_call[r["call_id"]] = QueueRow(r["call_id"], r["c_agent"], r["c_team"], r["c_week"], r["c_started"])
        q.findings += 1
        if r["category"] not in q.categories:
            q.categories.append(r["category"])
        if not q.max_severity or SEV_RANK.get(sev, -1) > SEV_RANK.get(q.max_severity, -1):
            q.max_severity = sev
        q.statuses[st["status"]] = q.statuses.get(st["status"], 0) + 1
    if by_call:
        ids = list(by_call)
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            for r in store.conn.execute(
                    f"SELECT call_id, total, grade FROM scorecards WHERE call_id IN ({','.join('?' * len(part))})",
                    part):
                by_call[r["call_id"]].total = r["total"]
                by_call[r["call_id"]].grade = r["grade"]
    out = sorted(by_call.values(),
                 key=lambda q: (-SEV_RANK.get(q.max_severity, -1), -q.statuses.get("unreviewed", 0),
                                q.started_at, q.call_id))
    return out[:limit]


def filter_options(store: Store, only_agent: Optional[str] = None) -> dict[str, list[str]]:
    where, args = "", []
    if only_agent is not None:
        where, args = " WHERE agent_id = ?", [only_agent]
    c = store.conn

    def col(sql: str, a=()) -> list[str]:
        return [r[0] for r in c.execute(sql, a).fetchall() if r[0]]

    return {
        "week": col(f"SELECT DISTINCT week FROM calls{where} ORDER BY week DESC", args),
        "team": col(f"SELECT DISTINCT team FROM calls{where} ORDER BY team", args),
        "agent": col(f"SELECT DISTINCT agent_id FROM calls{where} ORDER BY agent_id", args),
        "category": col("SELECT DISTINCT category FROM findings ORDER BY category"),
    }


def finding(store: Store, finding_id: str) -> Optional[Finding]:
    r = store.conn.execute("SELECT * FROM findings WHERE finding_id=?", (finding_id,)).fetchone()
    return row_to_finding(r) if r else None


def call_row(store: Store, call_id: str):
    return store.conn.execute("SELECT call_id, agent_id, team, week, audio FROM calls WHERE call_id=?",
                              (call_id,)).fetchone()


def scorecard(store: Store, call_id: str) -> Optional[dict[str, Any]]:
    import json

    r = store.conn.execute("SELECT total, grade, fatal, card_json, updated_at FROM scorecards WHERE call_id=?",
                           (call_id,)).fetchone()
    if not r:
        return None
    from qa_audit.score.scoring import fatal_reasons_of

    d = json.loads(r["card_json"])
    if d.get("fatal_reasons"):  # in the current (Chinese) wording, also for cards of older versions
        d["fatal_reasons"] = fatal_reasons_of(d.get("items") or []) or d["fatal_reasons"]
    d.setdefault("total", r["total"])
    d.setdefault("grade", r["grade"])
    d["updated_at"] = r["updated_at"]
    return d


def recompute(store: Store, call_id: str) -> list[str]:
    """Recompute the call's scorecard and its agent's referrals for the call's week from the
    reviewed findings.  Returns warnings (a missing or failing stage), never raises: the decision
    itself is already stored."""
    warnings: list[str] = []
    row = call_row(store, call_id)
    try:
        from qa_audit.score.scoring import score_store

        score_store(store, [call_id])
    except Exception as e:  # noqa: BLE001 - shown to the reviewer, logged
        log.exception("rescoring %s failed", call_id)
        warnings.append(f"评分重算失败：{type(e).__name__}: {e}")
    try:
        from qa_audit.score.penalty import build_referrals
    except ImportError:
        warnings.append("处罚模块不可用，未重算处罚建议")
        return warnings
    try:
        if row is not None and row["agent_id"]:
            build_referrals(store, period=row["week"] or None, agent_ids=[row["agent_id"]])
    except Exception as e:  # noqa: BLE001
        log.exception("referrals for %s failed", call_id)
        warnings.append(f"处罚建议重算失败：{type(e).__name__}: {e}")
    return warnings


def referrals_for(store: Store, agent_id: str, week: str) -> list[dict[str, Any]]:
    import json

    rows = store.conn.execute("SELECT * FROM referrals WHERE agent_id=? AND period=? ORDER BY created_at",
                              (agent_id, week)).fetchall()
    out = []
    for r in rows:
        d = dict(r)
        try:
            d["data"] = json.loads(r["referral_json"])
        except ValueError:
            d["data"] = {}
        out.append(d)
    return out
