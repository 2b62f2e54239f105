"""Server-side sessions and login lockout for the review web app (tables in the Store's database).

- ``sessions``: one row per logged-in browser.  The cookie carries a random 256-bit session id
  (inside the app's signed cookie); the table keeps only its sha256, so a copy of the database (a
  backup) holds no usable session.  A session ends at logout (row deleted: the old cookie no longer
  works), after ``max_age`` seconds, when the user is removed or gets a new password.  Every login
  issues a new id (no session fixation) and ends the browser's previous session.
- ``login_failures``: failed logins per user name (also for names that do not exist, so the lockout
  reveals nothing).  ``MAX_FAILURES`` failures within ``LOCKOUT_S`` lock that user name for
  ``LOCKOUT_S`` from the last failure; attempts while locked are refused without checking the
  password; a successful login clears the count.  Shared by every worker process of the app.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import Any, Callable, Optional

MAX_FAILURES = 5
LOCKOUT_S = 15 * 60
SESSION_MAX_AGE = 12 * 3600

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS sessions (
        sid_hash TEXT PRIMARY KEY,          -- sha256 of the session id (the cookie holds the id)
        username TEXT NOT NULL,
        csrf TEXT NOT NULL,
        data_json TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS sessions_user ON sessions(username)",
    """CREATE TABLE IF NOT EXISTS login_failures (username TEXT NOT NULL, at REAL NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS login_failures_user ON login_failures(username, at)",
]


def _h(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def ensure_tables(store) -> None:
    with store.transaction() as c:
        for stmt in SCHEMA:
            c.execute(stmt)


def end_user_sessions(store, username: str) -> int:
    """End every session of ``username`` (user removed or password changed); 0 when none."""
    try:
        with store.transaction() as c:
            return c.execute("DELETE FROM sessions WHERE username=?", (username,)).rowcount
    except Exception as e:  # noqa: BLE001 - no sessions table yet: nothing to end
        if "no such table" in str(e):
            return 0
        raise


class Sessions:
    def __init__(self, store, max_age: int = SESSION_MAX_AGE, clock: Callable[[], float] = time.time):
        self.store, self.max_age, self.clock = store, max_age, clock
        ensure_tables(store)

    # --- sessions --------------------------------------------------------------------------------
    def create(self, username: str) -> tuple[str, dict[str, Any]]:
        sid, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self.clock()
        with self.store.transaction() as c:
            c.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            c.execute("INSERT INTO sessions(sid_hash, username, csrf, data_json, created_at, expires_at) "
                      "VALUES (?,?,?,?,?,?)", (_h(sid), username, csrf, "{}", now, now + self.max_age))
        return sid, {"u": username, "c": csrf, "_sid": sid}

    def get(self, sid: Any) -> Optional[dict[str, Any]]:
        if not isinstance(sid, str) or not sid:
            return None
        r = self.store.conn.execute("SELECT username, csrf, data_json, expires_at FROM sessions WHERE sid_hash=?",
                                    (_h(sid),)).fetchone()
        if r is None:
            return None
        if r[3] < self.clock():
            self.end(sid)
            return None
        try:
            data = json.loads(r[2]) or {}
        except ValueError:
            data = {}
        return {**data, "u": r[0], "c": r[1], "_sid": sid}

    def save(self, sid: str, data: dict[str, Any]) -> None:
        extra = {k: v for k, v in data.items() if k not in ("u", "c", "_sid")}
        with self.store.transaction() as c:
            c.execute("UPDATE sessions SET data_json=? WHERE sid_hash=?", (json.dumps(extra, ensure_ascii=False), _h(sid)))

    def end(self, sid: Any) -> None:
        if isinstance(sid, str) and sid:
            with self.store.transaction() as c:
                c.execute("DELETE FROM sessions WHERE sid_hash=?", (_h(sid),))

    # --- lockout ---------------------------------------------------------------------------------
    def locked_for(self, username: str) -> float:
        """Seconds ``username`` stays locked (0 when it may try)."""
        now = self.clock()
        rows = self.store.conn.execute("SELECT at FROM login_failures WHERE username=? AND at > ? ORDER BY at",
                                       (username, now - LOCKOUT_S)).fetchall()
        if len(rows) < MAX_FAILURES:
            return 0.0
        return max(0.0, rows[-1][0] + LOCKOUT_S - now)

    def failed(self, username: str) -> None:
        now = self.clock()
        with self.store.transaction() as c:
            c.execute("DELETE FROM login_failures WHERE at <= ?", (now - LOCKOUT_S,))
            c.execute("INSERT INTO login_failures(username, at) VALUES (?,?)", (username, now))

    def succeeded(self, username: str) -> None:
        with self.store.transaction() as c:
            c.execute("DELETE FROM login_failures WHERE username=?", (username,))
