"""Tables of production measurement (抽检) and auditor calibration, beside the Store's own.

Created on first use (``ensure_schema``) in the same SQLite file:

- ``audit_sample_weeks``  one row per drawn week: rate, seed, calls and unflagged calls at draw time;
- ``audit_samples``       the sampled (unflagged) calls of a week, with the agent and the size of the
  agent's stratum; ``audit_population`` every unflagged call a draw considered (so that a later
  batch of the same week tops the sample up from its new calls only);
- ``call_verdicts``       append-only (no update, no delete): a reviewer's verdict on a whole call —
  the categories violated (``[]`` = compliant), the segment, a note; ``purpose`` is ``sample``
  (抽检) or ``calibration`` (with ``set_id``);
- ``calibration_sets``    a calibration round (name, open/closed);
- ``assignments``         which reviewer judges which call in which calibration set.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Optional

from qa_audit.store.db import Store

# the conversation violations a supervisor can name on a whole call (the issue-11 ones included;
# alerts are no violations, dial-log/recording/notice findings are not judged by listening)
VERDICT_CATEGORIES = ("threat", "abuse", "third_party_disclosure", "unauthorized_waiver", "impersonation",
                      "no_self_identification", "contact_pressure", "vulnerable_pressure")
PURPOSES = ("sample", "calibration")

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_sample_weeks (
    week TEXT PRIMARY KEY,
    rate REAL NOT NULL,
    seed TEXT NOT NULL,
    calls INTEGER NOT NULL,                -- calls of the week in the database at draw time
    unflagged INTEGER NOT NULL,            -- of them without a (non-suggested) finding
    sampled INTEGER NOT NULL,
    drawn_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE IF NOT EXISTS audit_samples (
    week TEXT NOT NULL,
    call_id TEXT NOT NULL,
    agent_id TEXT NOT NULL DEFAULT '',
    stratum_size INTEGER NOT NULL,         -- unflagged calls of this agent in the week
    drawn_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    PRIMARY KEY (week, call_id)
);
CREATE TABLE IF NOT EXISTS audit_population (
    week TEXT NOT NULL,
    call_id TEXT NOT NULL,                 -- an unflagged call the draw considered (sampled or not)
    PRIMARY KEY (week, call_id)
);
CREATE TABLE IF NOT EXISTS call_verdicts (
    verdict_id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    purpose TEXT NOT NULL,                 -- sample | calibration
    set_id TEXT,                           -- calibration set, NULL for 抽检
    categories_json TEXT NOT NULL,         -- categories the reviewer finds violated; [] = compliant
    segment INTEGER,
    note TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX IF NOT EXISTS call_verdicts_call ON call_verdicts(call_id, verdict_id);
CREATE TRIGGER IF NOT EXISTS call_verdicts_no_update BEFORE UPDATE ON call_verdicts
    BEGIN SELECT RAISE(ABORT, 'verdicts are an append-only audit trail'); END;
CREATE TRIGGER IF NOT EXISTS call_verdicts_no_delete BEFORE DELETE ON call_verdicts
    BEGIN SELECT RAISE(ABORT, 'verdicts are an append-only audit trail'); END;
CREATE TABLE IF NOT EXISTS calibration_sets (
    set_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open',   -- open | closed (closed: decisions visible to everyone)
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE IF NOT EXISTS assignments (
    assignment_id INTEGER PRIMARY KEY AUTOINCREMENT,
    set_id TEXT NOT NULL REFERENCES calibration_sets(set_id),
    call_id TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    UNIQUE (set_id, call_id, reviewer)
);
CREATE INDEX IF NOT EXISTS assignments_reviewer ON assignments(reviewer, call_id);
"""

_READY: set[str] = set()


class ReviewError(ValueError):
    """A verdict or assignment that cannot be recorded; the message (Chinese) says why."""


def ensure_schema(store: Store) -> None:
    key = f"{store.path}|{id(store.conn)}"
    if key in _READY:
        return
    store.conn.executescript(SCHEMA)
    _READY.add(key)


# --- verdicts -------------------------------------------------------------------------------------
def add_verdict(store: Store, call_id: str, reviewer: str, purpose: str, categories: Iterable[str],
                segment: Optional[int] = None, note: str = "", set_id: Optional[str] = None) -> int:
    """Append a verdict on a whole call.  ``categories``: the violated ones ([] = compliant)."""
    ensure_schema(store)
    cats = sorted(set(categories))
    bad = [c for c in cats if c not in VERDICT_CATEGORIES]
    if bad:
        raise ReviewError(f"未知的违规类别：{', '.join(bad)}")
    if purpose not in PURPOSES:
        raise ReviewError(f"未知的复核用途：{purpose}")
    if purpose == "calibration" and not set_id:
        raise ReviewError("校准结论必须属于一个校准批次")
    if store.conn.execute("SELECT 1 FROM calls WHERE call_id=?", (call_id,)).fetchone() is None:
        raise ReviewError(f"没有这通电话：{call_id}")
    with store.transaction() as c:
        cur = c.execute("INSERT INTO call_verdicts(call_id, reviewer, purpose, set_id, categories_json, segment, note)"
                        " VALUES (?,?,?,?,?,?,?)",
                        (call_id, reviewer, purpose, set_id if purpose == "calibration" else None,
                         json.dumps(cats, ensure_ascii=False), segment, note or None))
        return int(cur.lastrowid)


def _verdict(r) -> dict[str, Any]:
    d = dict(r)
    d["categories"] = json.loads(d.pop("categories_json") or "[]")
    return d


def verdicts(store: Store, call_id: Optional[str] = None, purpose: Optional[str] = None,
             set_id: Optional[str] = None) -> list[dict[str, Any]]:
    """Every verdict (oldest first), optionally of one call / purpose / calibration set."""
    ensure_schema(store)
    sql, args = ["SELECT * FROM call_verdicts WHERE 1=1"], []
    for col, val in (("call_id", call_id), ("purpose", purpose), ("set_id", set_id)):
        if val is not None:
            sql.append(f" AND {col}=?")
            args.append(val)
    sql.append(" ORDER BY verdict_id")
    return [_verdict(r) for r in store.conn.execute("".join(sql), args)]


def latest_verdicts(store: Store, purpose: Optional[str] = None, set_id: Optional[str] = None,
                    per_reviewer: bool = False) -> list[dict[str, Any]]:
    """The latest verdict per call (or per call and reviewer)."""
    last: dict[Any, dict[str, Any]] = {}
    for v in verdicts(store, purpose=purpose, set_id=set_id):
        key = (v["call_id"], v["reviewer"]) if per_reviewer else v["call_id"]
        last[key] = v
    return list(last.values())


# --- calibration sets and assignments ---------------------------------------------------------------
def create_calibration_set(store: Store, name: str, call_ids: Iterable[str], reviewers: Iterable[str],
                           created_by: str = "") -> str:
    """A calibration round: every call assigned to every reviewer (two or more)."""
    import hashlib
    import time

    ensure_schema(store)
    calls = [c for c in dict.fromkeys(str(x).strip() for x in call_ids) if c]
    revs = [r for r in dict.fromkeys(str(x).strip() for x in reviewers) if r]
    if len(revs) < 2:
        raise ReviewError("校准至少需要两名质检员")
    if not calls:
        raise ReviewError("校准批次至少需要一通电话")
    missing = [c for c in calls if store.conn.execute("SELECT 1 FROM calls WHERE call_id=?", (c,)).fetchone() is None]
    if missing:
        raise ReviewError(f"没有这些电话：{', '.join(missing[:10])}")
    unknown = [r for r in revs if store.conn.execute("SELECT 1 FROM users WHERE username=?", (r,)).fetchone() is None]
    if unknown:
        raise ReviewError(f"没有这些用户：{', '.join(unknown[:10])}")
    set_id = "cal_" + hashlib.sha1(f"{name}|{time.time_ns()}".encode()).hexdigest()[:10]
    with store.transaction() as c:
        c.execute("INSERT INTO calibration_sets(set_id, name, created_by) VALUES (?,?,?)",
                  (set_id, name.strip() or set_id, created_by))
        c.executemany("INSERT OR IGNORE INTO assignments(set_id, call_id, reviewer) VALUES (?,?,?)",
                      [(set_id, cid, r) for cid in calls for r in revs])
    return set_id


def close_calibration_set(store: Store, set_id: str) -> None:
    ensure_schema(store)
    with store.transaction() as c:
        c.execute("UPDATE calibration_sets SET status='closed' WHERE set_id=?", (set_id,))


def calibration_sets(store: Store) -> list[dict[str, Any]]:
    ensure_schema(store)
    rows = store.conn.execute("SELECT * FROM calibration_sets ORDER BY created_at DESC, set_id").fetchall()
    out = []
    for r in rows:
        d = dict(r)
        a = store.conn.execute("SELECT call_id, reviewer FROM assignments WHERE set_id=?", (r["set_id"],)).fetchall()
        d["calls"] = sorted({x["call_id"] for x in a})
        d["reviewers"] = sorted({x["reviewer"] for x in a})
        done = {(v["call_id"], v["reviewer"]) for v in latest_verdicts(store, "calibration", r["set_id"], True)}
        d["assigned"] = len(a)
        d["done"] = sum(1 for x in a if (x["call_id"], x["reviewer"]) in done)
        out.append(d)
    return out


def assignments_for(store: Store, reviewer: str, call_id: Optional[str] = None,
                    open_only: bool = True) -> list[dict[str, Any]]:
    """The reviewer's calibration assignments (of open sets unless ``open_only`` is False)."""
    ensure_schema(store)
    sql = ("SELECT a.*, s.name, s.status FROM assignments a JOIN calibration_sets s ON s.set_id=a.set_id "
           "WHERE a.reviewer=?")
    args: list[Any] = [reviewer]
    if call_id is not None:
        sql += " AND a.call_id=?"
        args.append(call_id)
    if open_only:
        sql += " AND s.status='open'"
    rows = [dict(r) for r in store.conn.execute(sql + " ORDER BY a.set_id, a.call_id", args)]
    done = {(v["set_id"], v["call_id"]) for v in latest_verdicts(store, "calibration", per_reviewer=True)
            if v["reviewer"] == reviewer}
    for r in rows:
        r["done"] = (r["set_id"], r["call_id"]) in done
    return rows


def blind_calls(store: Store, reviewer: str) -> set[str]:
    """Calls the reviewer judges blind (an assignment in an open calibration set)."""
    return {a["call_id"] for a in assignments_for(store, reviewer)}
