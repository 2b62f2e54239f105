"""Tamper evidence: an append-only hash chain over every saved call, finding and review decision.

Every write that ``Store`` makes to ``calls``, ``findings`` or ``reviews`` appends, in the same
transaction, one row per changed record to ``chain``::

    seq  kind     ref           call_id  content_sha256  fields_json   created_at  prev_hash  hash
    41   finding  3f09c2…       D0016    sha256(row)     {col: h16}    …           <hash 40>  sha256(41|finding|…|<hash 40>)
    42   call     D0016         D0016    sha256(row+manifest)          …           <hash 41>  …
    43   review   7             D0016    sha256(row)     …

- ``content_sha256`` is the sha256 of the record's canonical JSON (``canonical``: every column except
  the volatile timestamps ``calls.updated_at`` / ``findings.created_at``, NULL and '' left out so a
  migration that adds a column does not change old hashes).  A call's content also holds the manifest
  of its findings (``{finding_id: content_sha256}``), so a deleted or inserted finding shows.
- ``fields_json`` holds a 16-hex sha256 per column (and the manifest), so ``verify`` can say *which*
  column differs without the chain keeping a copy of the personal data.
- ``hash = sha256(seq|kind|ref|call_id|content_sha256|fields_json|created_at|prev_hash)``; the first
  row's ``prev_hash`` is 64 zeros.  ``meta.chain_head`` = ``seq:hash`` of the last row.
- A call re-saved with identical content appends nothing (re-runs stay idempotent); a changed one
  appends new entries, the latest entry per record is what the record must match.
- Retention (``store/retention.py``) appends a ``purge`` entry whose ``chain_purged`` rows list the
  records it removed, so the chain still verifies after a purge.
- ``chain`` and ``chain_purged`` refuse UPDATE and DELETE (triggers), like ``reviews``.

The recording's sha256 (the whole file) is stored in ``calls.audio_sha256`` when a call is saved
(``file_sha256``); it is part of the call's chained content.  (``calls.content_hash`` is the run
state's cheap change detector — size + first/last 64 KiB — not evidence.)

A database created before the chain is migrated on first open (``ensure``): a ``genesis`` entry,
then the existing calls (with their findings) in insertion order, then the reviews by review_id.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

CHAIN_VERSION = "1"
GENESIS = "0" * 64
VOLATILE = {"calls": {"updated_at"}, "findings": {"created_at"}, "reviews": set()}

CHAIN_TABLES = [
    """CREATE TABLE IF NOT EXISTS chain (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,               -- genesis | call | finding | review | purge
        ref TEXT NOT NULL,                -- call_id | finding_id | review_id | purge label
        call_id TEXT,
        content_sha256 TEXT NOT NULL,
        fields_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS chain_ref ON chain(kind, ref, seq)",
    "CREATE INDEX IF NOT EXISTS chain_call ON chain(call_id)",
    """CREATE TABLE IF NOT EXISTS chain_purged (
        purge_seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        PRIMARY KEY (kind, ref, purge_seq))""",
    """CREATE TRIGGER IF NOT EXISTS chain_no_update BEFORE UPDATE ON chain
        BEGIN SELECT RAISE(ABORT, 'the evidence chain is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS chain_no_delete BEFORE DELETE ON chain
        BEGIN SELECT RAISE(ABORT, 'the evidence chain is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS chain_purged_no_update BEFORE UPDATE ON chain_purged
        BEGIN SELECT RAISE(ABORT, 'the evidence chain is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS chain_purged_no_delete BEFORE DELETE ON chain_purged
        BEGIN SELECT RAISE(ABORT, 'the evidence chain is append-only'); END""",
]


# --- canonical content ------------------------------------------------------------------------------
def cjson(obj: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text (floats as Python repr: round-trip exact)."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_text(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def canonical(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    skip = VOLATILE.get(table, set())
    return {k: v for k, v in row.items() if k not in skip and v is not None and v != ""}


def field_hashes(d: Mapping[str, Any]) -> dict[str, str]:
    return {k: sha256_text(cjson(v))[:16] for k, v in d.items()}


def file_sha256(path: str | Path | None) -> Optional[str]:
    """sha256 of the whole file, None when there is no such file."""
    if not path:
        return None
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def rows(con: sqlite3.Connection, sql: str, args: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """Rows as plain dicts (whatever the connection's row_factory)."""
    cur = con.execute(sql, tuple(args))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, tuple(r))) for r in cur.fetchall()]


def finding_content(row: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    c = canonical("findings", row)
    return sha256_text(cjson(c)), field_hashes(c)


def review_content(row: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    c = canonical("reviews", row)
    return sha256_text(cjson(c)), field_hashes(c)


def call_content(row: Mapping[str, Any], manifest: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """``manifest``: {finding_id: content_sha256} of the call's findings."""
    c = canonical("calls", row)
    content = sha256_text(cjson({**c, "@findings": dict(manifest)}))
    fields: dict[str, Any] = field_hashes(c)
    fields["@findings"] = {fid: sha[:16] for fid, sha in sorted(manifest.items())}
    return content, fields


def link_hash(seq: int, kind: str, ref: str, call_id: Optional[str], content_sha256: str, fields_json: str,
              created_at: str, prev_hash: str) -> str:
    return sha256_text("|".join([str(seq), kind, ref, call_id or "", content_sha256, fields_json, created_at,
                                 prev_hash]))


# --- appending ----------------------------------------------------------------------------------------
def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def append(con: sqlite3.Connection, kind: str, ref: str, call_id: Optional[str], content_sha256: str,
           fields: Mapping[str, Any]) -> tuple[int, str]:
    """Append one entry (inside the caller's write transaction); returns (seq, hash)."""
    if not con.in_transaction:
        raise RuntimeError("chain.append needs an open write transaction")
    last = con.execute("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
    fj, at = cjson(dict(fields)), _now()
    h = link_hash(seq, kind, ref, call_id, content_sha256, fj, at, prev)
    con.execute("INSERT INTO chain(seq, kind, ref, call_id, content_sha256, fields_json, created_at, prev_hash, hash) "
                "VALUES (?,?,?,?,?,?,?,?,?)", (seq, kind, ref, call_id, content_sha256, fj, at, prev, h))
    con.execute("INSERT INTO meta(key, value) VALUES ('chain_head', ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (f"{seq}:{h}",))
    return seq, h


def latest(con: sqlite3.Connection, kind: str, ref: str) -> Optional[tuple[int, str]]:
    """(seq, content_sha256) of the record's latest entry, None when it has none or it was purged since."""
    r = con.execute("SELECT seq, content_sha256 FROM chain WHERE kind=? AND ref=? ORDER BY seq DESC LIMIT 1",
                    (kind, ref)).fetchone()
    if r is None:
        return None
    purged = con.execute("SELECT 1 FROM chain_purged WHERE kind=? AND ref=? AND purge_seq>?",
                         (kind, ref, int(r[0]))).fetchone()
    return None if purged else (int(r[0]), str(r[1]))


_KEEP = object()


def record_call(con: sqlite3.Connection, call_id: str, audio_sha256: Any = _KEEP) -> None:
    """Chain the call ``call_id`` and its findings as they now are in the DB (inside the write
    transaction that saved them).  ``audio_sha256``: the recording's hash to store (None: no file);
    left out, the stored value is kept."""
    if audio_sha256 is not _KEEP:
        con.execute("UPDATE calls SET audio_sha256=? WHERE call_id=?", (audio_sha256, call_id))
    manifest: dict[str, str] = {}
    for f in rows(con, "SELECT * FROM findings WHERE call_id=? ORDER BY rowid", (call_id,)):
        sha, fields = finding_content(f)
        manifest[f["finding_id"]] = sha
        prev = latest(con, "finding", f["finding_id"])
        if prev is None or prev[1] != sha:
            append(con, "finding", f["finding_id"], call_id, sha, fields)
    crow = rows(con, "SELECT * FROM calls WHERE call_id=?", (call_id,))
    if not crow:
        return
    sha, fields = call_content(crow[0], manifest)
    prev = latest(con, "call", call_id)
    if prev is None or prev[1] != sha:
        append(con, "call", call_id, call_id, sha, fields)


def review_call_id(con: sqlite3.Connection, finding_id: str) -> Optional[str]:
    r = con.execute("SELECT call_id FROM findings WHERE finding_id=?", (finding_id,)).fetchone()
    if r is None:
        r = con.execute("SELECT call_id FROM chain WHERE kind='finding' AND ref=? ORDER BY seq DESC LIMIT 1",
                        (finding_id,)).fetchone()
    return str(r[0]) if r and r[0] is not None else None


def record_review(con: sqlite3.Connection, review_id: int) -> None:
    """Chain the review decision ``review_id`` (inside the transaction that inserted it)."""
    r = rows(con, "SELECT * FROM reviews WHERE review_id=?", (review_id,))
    if not r:
        return
    sha, fields = review_content(r[0])
    append(con, "review", str(review_id), review_call_id(con, r[0]["finding_id"]), sha, fields)


# --- migration ----------------------------------------------------------------------------------------
def _version(con: sqlite3.Connection) -> Optional[str]:
    try:
        r = con.execute("SELECT value FROM meta WHERE key='chain_version'").fetchone()
    except sqlite3.OperationalError:
        return None
    return str(r[0]) if r else None


def ensure(con: sqlite3.Connection) -> bool:
    """Create the chain (and ``calls.audio_sha256``) if this database has none, chaining the rows it
    already holds; True when it migrated.  Cheap (one read) once done."""
    if _version(con) == CHAIN_VERSION:
        return False
    con.execute("BEGIN IMMEDIATE")
    try:
        if _version(con) == CHAIN_VERSION:  # another process migrated while we waited
            con.execute("COMMIT")
            return False
        for stmt in CHAIN_TABLES:
            con.execute(stmt)
        cols = {r[1] for r in con.execute("PRAGMA table_info(calls)")}
        if "audio_sha256" not in cols:
            con.execute("ALTER TABLE calls ADD COLUMN audio_sha256 TEXT")  # sha256 of the whole recording
        if con.execute("SELECT COUNT(*) FROM chain").fetchone()[0] == 0:
            n_calls = con.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
            n_reviews = con.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
            genesis = {"chain_version": CHAIN_VERSION, "migrated_calls": n_calls, "migrated_reviews": n_reviews}
            append(con, "genesis", "genesis", None, sha256_text(cjson(genesis)), genesis)
            for (cid,) in con.execute("SELECT call_id FROM calls ORDER BY rowid").fetchall():
                record_call(con, cid)
            for (rid,) in con.execute("SELECT review_id FROM reviews ORDER BY review_id").fetchall():
                record_review(con, int(rid))
        con.execute("INSERT INTO meta(key, value) VALUES ('chain_version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (CHAIN_VERSION,))
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return True


def head(con: sqlite3.Connection) -> tuple[int, str]:
    """(seq, hash) of the chain's last entry ((0, GENESIS) when empty)."""
    r = con.execute("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(r[0]), str(r[1])) if r else (0, GENESIS)
