"""The embedded SQLite history database shared by weekly runs, scoring, referrals and review.

One file (``--db PATH``; default in the user data directory).  Every weekly run appends to it, so a
second offence in a later week escalates, and a run killed mid-batch resumes from it.

Tables (all writes in transactions; ids are deterministic so re-running is idempotent):

- ``calls``       one row per call (transcript JSON, agent, team, week, content hash)
- ``findings``    one row per finding (``Finding.finding_id`` primary key)
- ``reviews``     append-only audit trail of supervisor decisions on findings (never updated)
- ``scorecards``  one row per call: rubric result as JSON
- ``referrals``   penalty referrals, one per (agent, period)
- ``runs`` / ``run_items``  run state for resumable batches
- ``users``       accounts for the review web app (hashed passwords, roles)
- ``meta``        schema version (an older database is migrated on open: ``Store._migrate``)
- ``chain`` / ``chain_purged``  tamper evidence: a hash chain over calls, findings and reviews
  (``qa_audit.store.chain``; checked by ``qa-audit verify``)

Failures to open, lock or write the file raise ``StoreError`` (``qa_audit.store.errors``) naming it;
the busy timeout is ``timeout`` seconds (default ``$QA_AUDIT_DB_TIMEOUT`` or 60).
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from qa_audit.core.model import Call, Finding
from qa_audit.core.resources import user_data_dir
from qa_audit.store import chain
from qa_audit.store.errors import StoreError, translate  # noqa: F401 - StoreError re-exported

SCHEMA_VERSION = 2  # 2: findings.reason (plain-Chinese reason shown to users)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS calls (
    call_id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL DEFAULT '',
    team TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL DEFAULT '',
    week TEXT NOT NULL DEFAULT '',          -- ISO week, e.g. 2026-W47
    callee_relation TEXT NOT NULL DEFAULT 'unknown',
    kind TEXT NOT NULL DEFAULT 'call',
    audio TEXT,                              -- absolute path of the recording, if any
    duration REAL,
    content_hash TEXT,
    transcript_json TEXT NOT NULL,
    run_id TEXT,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX IF NOT EXISTS calls_agent ON calls(agent_id, started_at);
CREATE TABLE IF NOT EXISTS findings (
    finding_id TEXT PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES calls(call_id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    segment INTEGER,
    start REAL,
    "end" REAL,
    speaker TEXT,
    evidence TEXT,
    char_start INTEGER,
    char_end INTEGER,
    message TEXT,
    explanation TEXT,
    score REAL,
    details_json TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS findings_call ON findings(call_id);
CREATE TABLE IF NOT EXISTS reviews (
    review_id INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    action TEXT NOT NULL,       -- confirm | dismiss | severity | comment | appeal | final_uphold | final_overturn
    severity TEXT,
    reason TEXT,
    comment TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX IF NOT EXISTS reviews_finding ON reviews(finding_id, review_id);
CREATE TRIGGER IF NOT EXISTS reviews_no_update BEFORE UPDATE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are an append-only audit trail'); END;
CREATE TRIGGER IF NOT EXISTS reviews_no_delete BEFORE DELETE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are an append-only audit trail'); END;
CREATE TABLE IF NOT EXISTS scorecards (
    call_id TEXT PRIMARY KEY REFERENCES calls(call_id) ON DELETE CASCADE,
    rubric TEXT NOT NULL,
    total REAL NOT NULL,
    grade TEXT NOT NULL,
    fatal INTEGER NOT NULL DEFAULT 0,
    card_json TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE IF NOT EXISTS referrals (
    referral_id TEXT PRIMARY KEY,           -- deterministic: agent + period
    agent_id TEXT NOT NULL,
    team TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL,                   -- ISO week of the calls it covers
    tier INTEGER NOT NULL,
    tier_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    referral_json TEXT NOT NULL,
    run_id TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,                   -- running | finished | failed
    options_json TEXT
);
CREATE TABLE IF NOT EXISTS run_items (
    run_id TEXT NOT NULL,
    item TEXT NOT NULL,                     -- input file path or dial-log key
    call_id TEXT,
    stage TEXT NOT NULL,                    -- transcribed | scanned | scored | failed
    error TEXT,
    content_hash TEXT,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    PRIMARY KEY (run_id, item)
);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,                     -- auditor | supervisor | trainer | agent
    agent_id TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
"""


def default_db_path() -> Path:
    return user_data_dir() / "history.sqlite3"


def iso_week(started_at: str) -> str:
    """'2026-11-23T10:15:00+08:00' -> '2026-W48' (local time of the call); '' when unknown."""
    from datetime import datetime

    if not started_at:
        return ""
    try:
        dt = datetime.fromisoformat(started_at)
    except ValueError:
        return ""
    y, w, _ = dt.isocalendar()
    return f"{y}-W{w:02d}"


class Store:
    """A thin wrapper around one SQLite connection per thread."""

    def __init__(self, path: str | Path | None = None, timeout: float | None = None):
        self.path = Path(path) if path else default_db_path()
        self.timeout = float(timeout if timeout is not None else os.environ.get("QA_AUDIT_DB_TIMEOUT") or 60)
        self._local = threading.local()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn.executescript(SCHEMA)  # executescript manages its own transaction
            self._migrate()
            chain.ensure(self.conn)
        except (sqlite3.Error, OSError) as e:
            self.close()
            err = translate(e, self.path, self.timeout)
            if err is None:
                raise
            raise err from e

    def _migrate(self) -> None:
        """Bring a database written by an older version up to SCHEMA_VERSION (columns are added with
        defaults, nothing is dropped).  Re-checked under the write lock: another process may have
        migrated the file meanwhile."""
        if "reason" in self._columns("findings") and self._version() >= SCHEMA_VERSION:
            return
        with self.transaction() as c:
            if "reason" not in self._columns("findings"):  # version 1 -> 2
                c.execute("ALTER TABLE findings ADD COLUMN reason TEXT NOT NULL DEFAULT ''")
            if self._version() < SCHEMA_VERSION:
                c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                          (str(SCHEMA_VERSION),))

    def _columns(self, table: str) -> set[str]:
        return {r["name"] for r in self.conn.execute(f"PRAGMA table_info({table})")}

    def _version(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        try:
            return int(row[0]) if row else 0
        except (TypeError, ValueError):
            return 0

    @property
    def conn(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                                  check_same_thread=False)
            con.row_factory = sqlite3.Row
            try:
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("PRAGMA synchronous=NORMAL")
                con.execute("PRAGMA foreign_keys=ON")
            except sqlite3.Error as e:
                con.close()
                raise (translate(e, self.path, self.timeout) or e) from e
            self._local.con = con
        return con

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        con = self.conn
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise (translate(e, self.path, self.timeout) or e) from e
        try:
            yield con
        except BaseException as e:
            if con.in_transaction:
                try:
                    con.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            err = translate(e, self.path, self.timeout) if isinstance(e, sqlite3.Error) else None
            if err is not None and err is not e:
                raise err from e
            raise
        else:
            try:
                con.execute("COMMIT")
            except sqlite3.Error as e:
                raise (translate(e, self.path, self.timeout) or e) from e

    # --- calls and findings -------------------------------------------------------------
    def save_call(self, call: Call, findings: Iterable[Finding], content_hash: str | None = None,
                  run_id: str | None = None, con: Optional[sqlite3.Connection] = None) -> None:
        """Store a call and replace its findings, atomically (idempotent on re-run).

        Reviews are keyed by finding_id and never touched, so a re-scan keeps the decisions
        on findings that are found again.  The recording's sha256 and the chain entries
        (``qa_audit.store.chain``) are written in the same transaction.
        """
        audio_sha256 = chain.file_sha256(call.audio)
        def _do(c: sqlite3.Connection) -> None:
            c.execute(
                """INSERT INTO calls(call_id, agent_id, team, started_at, week, callee_relation, kind,
                       audio, duration, content_hash, transcript_json, run_id)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(call_id) DO UPDATE SET agent_id=excluded.agent_id, team=excluded.team,
                       started_at=excluded.started_at, week=excluded.week,
                       callee_relation=excluded.callee_relation, kind=excluded.kind,
                       audio=excluded.audio, duration=excluded.duration,
                       content_hash=excluded.content_hash, transcript_json=excluded.transcript_json,
                       run_id=excluded.run_id,
                       updated_at=strftime('%Y-%m-%dT%H:%M:%fZ','now')""",
                (call.call_id, call.agent_id, call.team, call.started_at, iso_week(call.started_at),
                 call.callee_relation, call.kind, call.audio, call.duration, content_hash,
                 call.to_json(), run_id),
            )
            c.execute("DELETE FROM findings WHERE call_id=?", (call.call_id,))
            c.executemany(
                """INSERT INTO findings(finding_id, call_id, rule, category, severity, segment, start,
                       "end", speaker, evidence, char_start, char_end, message, explanation, score,
                       details_json, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                [(f.finding_id, f.call_id, f.rule, f.category, f.severity, f.segment, f.start, f.end,
                  f.speaker, f.evidence, f.char_start, f.char_end, f.message, f.explanation, f.score,
                  json.dumps(f.details, ensure_ascii=False), f.reason or "") for f in findings],
            )
            chain.record_call(c, call.call_id, audio_sha256)

        if con is not None:
            _do(con)
        else:
            with self.transaction() as c:
                _do(c)

    def get_call(self, call_id: str) -> Optional[Call]:
        row = self.conn.execute("SELECT transcript_json FROM calls WHERE call_id=?", (call_id,)).fetchone()
        return Call.from_json(row[0]) if row else None

    def findings_for_call(self, call_id: str) -> list[Finding]:
        rows = self.conn.execute(
            "SELECT * FROM findings WHERE call_id=? ORDER BY segment, char_start, rule", (call_id,)
        ).fetchall()
        return [row_to_finding(r) for r in rows]

    # --- reviews ------------------------------------------------------------------------
    def add_review(self, finding_id: str, reviewer: str, action: str, severity: str | None = None,
                   reason: str | None = None, comment: str | None = None) -> int:
        with self.transaction() as c:
            cur = c.execute(
                "INSERT INTO reviews(finding_id, reviewer, action, severity, reason, comment) VALUES (?,?,?,?,?,?)",
                (finding_id, reviewer, action, severity, reason, comment),
            )
            chain.record_review(c, int(cur.lastrowid))
            return int(cur.lastrowid)

    def review_state(self, finding_id: str) -> dict[str, Any]:
        """Effective state of a finding from its audit trail.

        status: unreviewed | confirmed | dismissed | appealed; severity: latest override or None.
        A final decision (final_uphold / final_overturn) settles an appeal.
        """
        from qa_audit.store.reviews import fold_states, unreviewed

        rows = self.conn.execute(
            "SELECT finding_id, action, severity FROM reviews WHERE finding_id=? ORDER BY review_id", (finding_id,)
        ).fetchall()
        return fold_states(rows).get(finding_id, unreviewed())


def row_to_finding(r: sqlite3.Row) -> Finding:
    return Finding(
        call_id=r["call_id"], rule=r["rule"], category=r["category"], severity=r["severity"],
        segment=r["segment"], start=r["start"], end=r["end"], speaker=r["speaker"],
        evidence=r["evidence"], char_start=r["char_start"], char_end=r["char_end"],
        message=r["message"], explanation=r["explanation"], score=r["score"],
        details=json.loads(r["details_json"] or "{}"), reason=r["reason"] if "reason" in r.keys() else "",
    )
