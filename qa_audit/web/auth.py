"""Accounts for the review web app: salted scrypt password hashes in the Store's ``users`` table.

Roles:

- ``auditor``    reads the queue and calls;
- ``supervisor`` reads, reviews findings (confirm / dismiss / severity / comment) and takes the
  final decision (终审) on an appeal;
- ``trainer``    reads and exports redacted training excerpts;
- ``agent``      sees only his or her own calls (``users.agent_id``) and can appeal (申诉) a
  confirmed finding.

Hash format: ``scrypt$N$r$p$<salt hex>$<hash hex>`` (a fresh 16-byte salt per user).  Verification
re-derives the key with the stored parameters and compares with ``hmac.compare_digest``.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Optional

from qa_audit.store.db import Store

ROLES = ("auditor", "supervisor", "trainer", "agent")

_N, _R, _P = 2 ** 14, 8, 1
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{1,64}$")
MIN_PASSWORD = 10


class AuthError(ValueError):
    """A bad account operation; the message says what is wrong."""


def password_problem(username: str, password: str) -> Optional[str]:
    """Why ``password`` is refused (Chinese + English), None when it is acceptable: at least
    ``MIN_PASSWORD`` characters, letters and digits, not containing the user name."""
    pw = password or ""
    if len(pw) < MIN_PASSWORD:
        return f"密码太短：至少 {MIN_PASSWORD} 个字符 (password too short: at least {MIN_PASSWORD} characters)"
    if not any(ch.isalpha() for ch in pw) or not any(ch.isdigit() for ch in pw):
        return "密码必须同时包含字母和数字 (password needs letters and digits)"
    if username and username.casefold() in pw.casefold():
        return "密码不能包含用户名 (password must not contain the user name)"
    return None


@dataclass
class User:
    username: str
    role: str
    agent_id: Optional[str] = None

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, ())


# what each role may do
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "auditor": ("read",),
    "supervisor": ("read", "review", "final", "excerpts"),
    "trainer": ("excerpts",),
    "agent": ("read_own", "appeal"),
}


def hash_password(password: str, *, n: int = _N, r: int = _R, p: int = _P) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt_hex, key_hex = stored.split("$")
        if algo != "scrypt":
            return False
        key = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=int(n),
                             r=int(r), p=int(p), dklen=len(key_hex) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(key.hex(), key_hex)


# a hash to verify against when the user does not exist, so timing does not reveal user names
_DUMMY_HASH = hash_password("not-a-real-password")


def add_user(store: Store, username: str, password: str, role: str,
             agent_id: str | None = None, *, replace: bool = False) -> User:
    if not _USERNAME.match(username or ""):
        raise AuthError(f"用户名无效：{username!r}，应为 1–64 个字母、数字、'_'、'.'、'-' 或汉字 "
                        f"(invalid user name: 1-64 letters, digits, '_', '.', '-' or Chinese)")
    if role not in ROLES:
        raise AuthError(f"未知角色 {role!r}，可选 {', '.join(ROLES)} (unknown role)")
    if role == "agent" and not agent_id:
        raise AuthError("坐席账号需要 --agent-id（它只能看到该坐席的通话）(an agent account needs --agent-id)")
    problem = password_problem(username, password)
    if problem:
        raise AuthError(problem)
    h = hash_password(password)
    with store.transaction() as c:
        exists = c.execute("SELECT 1 FROM users WHERE username=?", (username,)).fetchone()
        if exists and not replace:
            raise AuthError(f"用户 {username!r} 已存在（要改密码或角色加 --replace）(user already exists)")
        c.execute(
            """INSERT INTO users(username, password_hash, role, agent_id) VALUES (?,?,?,?)
               ON CONFLICT(username) DO UPDATE SET password_hash=excluded.password_hash,
                   role=excluded.role, agent_id=excluded.agent_id""",
            (username, h, role, agent_id or None),
        )
    if exists:  # a new password or role: the sessions opened with the old one end
        from qa_audit.web.sessions import end_user_sessions
        end_user_sessions(store, username)
    return User(username, role, agent_id or None)


def get_user(store: Store, username: str) -> Optional[User]:
    row = store.conn.execute("SELECT username, role, agent_id FROM users WHERE username=?",
                             (username,)).fetchone()
    return User(row["username"], row["role"], row["agent_id"]) if row else None


def list_users(store: Store) -> list[User]:
    rows = store.conn.execute("SELECT username, role, agent_id FROM users ORDER BY username").fetchall()
    return [User(r["username"], r["role"], r["agent_id"]) for r in rows]


def delete_user(store: Store, username: str) -> bool:
    from qa_audit.web.sessions import end_user_sessions

    with store.transaction() as c:
        gone = c.execute("DELETE FROM users WHERE username=?", (username,)).rowcount > 0
    end_user_sessions(store, username)
    return gone


def authenticate(store: Store, username: str, password: str) -> Optional[User]:
    row = store.conn.execute("SELECT username, password_hash, role, agent_id FROM users WHERE username=?",
                             (username,)).fetchone()
    if row is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, row["password_hash"]):
        return None
    return User(row["username"], row["role"], row["agent_id"])


def secret_key(store: Store) -> str:
    """The per-database secret that signs session cookies (created on first use, kept in meta)."""
    row = store.conn.execute("SELECT value FROM meta WHERE key='web_secret'").fetchone()
    if row:
        return row[0]
    with store.transaction() as c:
        c.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('web_secret', ?)",
                  (secrets.token_hex(32),))
        return c.execute("SELECT value FROM meta WHERE key='web_secret'").fetchone()[0]
