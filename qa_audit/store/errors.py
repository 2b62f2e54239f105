"""Database failures told in words a supervisor can act on, always naming the file.

``StoreError`` is a ``sqlite3.OperationalError`` (so existing ``except sqlite3.Error`` still catch it)
whose message is Chinese first, then the technical detail::

    数据库被其他程序锁定（等待 60 秒后仍未释放）：/data/history.sqlite3 [database is locked]

``translate(exc, path)`` maps a ``sqlite3.Error`` (or a disk ``OSError``) to one; ``Store`` raises these
from opening and from transactions, and the CLI prints them without a traceback.
"""
from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import Optional

KINDS = {
    "locked": "数据库被其他程序锁定（等待 {timeout:g} 秒后仍未释放），请稍后重试或结束占用它的程序",
    "readonly": "数据库文件只读，无法写入（检查文件/目录权限或是否挂载为只读）",
    "corrupt": "数据库文件已损坏或不是 qa-audit 数据库（请从备份恢复：qa-audit db restore）",
    "cantopen": "无法打开数据库文件（路径不存在、无权限或目录只读）",
    "full": "磁盘空间不足，无法写入数据库",
    "io": "读写数据库文件时发生磁盘错误",
    "other": "数据库操作失败",
}


class StoreError(sqlite3.OperationalError):
    """A database failure with a clear message; ``.kind`` is a key of ``KINDS``, ``.path`` the file."""

    def __init__(self, path: str | Path, kind: str, detail: str = "", timeout: float = 0.0):
        self.path, self.kind, self.detail = str(path), kind, detail
        text = KINDS.get(kind, KINDS["other"]).format(timeout=timeout)
        super().__init__(f"{text}：{self.path}" + (f" [{detail}]" if detail else ""))


def kind_of(exc: BaseException) -> Optional[str]:
    """The ``KINDS`` key of a sqlite3 error or disk OSError, None when it is not a storage failure."""
    if isinstance(exc, StoreError):
        return exc.kind
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", "") or ""
        msg = str(exc).lower()
        if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED") or "locked" in msg:
            return "locked"
        if name.startswith("SQLITE_READONLY") or "readonly" in msg or "read-only" in msg:
            return "readonly"
        if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in msg or "not a database" in msg:
            return "corrupt"
        if name.startswith("SQLITE_CANTOPEN") or "unable to open" in msg:
            return "cantopen"
        if name == "SQLITE_FULL" or "disk is full" in msg:
            return "full"
        if name.startswith("SQLITE_IOERR") or "disk i/o" in msg:
            return "io"
        if type(exc) is sqlite3.DatabaseError:  # the bare class: what SQLite raises on a damaged file
            return "corrupt"
        return None  # a programming error (syntax, constraint, ...) stays what it is
    if isinstance(exc, OSError):
        return {errno.ENOSPC: "full", errno.EROFS: "readonly", errno.EACCES: "readonly",
                errno.EPERM: "readonly", errno.EIO: "io"}.get(exc.errno or 0)
    return None


def _read_only(path: Path) -> bool:
    """The file or its folder cannot be written (permissions, or a read-only mount)."""
    try:
        folder = path.parent if path.parent.exists() else None
        if folder is None:
            return False
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            return True
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def translate(exc: BaseException, path: str | Path, timeout: float = 0.0) -> Optional[StoreError]:
    """``exc`` as a ``StoreError`` naming ``path`` (itself when it already is one); None when ``exc``
    is not a storage failure (a programming error stays what it is)."""
    if isinstance(exc, StoreError):
        return exc
    kind = kind_of(exc)
    if kind is None:
        return None
    if kind in ("cantopen", "io") and _read_only(Path(path)):
        kind = "readonly"  # SQLite says "unable to open" when it cannot create the -wal/-shm files
    detail = f"{getattr(exc, 'sqlite_errorname', '') or type(exc).__name__}: {exc}"
    return StoreError(path, kind, detail, timeout=timeout)
