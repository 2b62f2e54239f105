"""Online backup and restore of the history database (``qa-audit db backup`` / ``db restore``).

- ``backup(db, out)`` copies the database with SQLite's online backup API
  (``sqlite3.Connection.backup``) in one step, i.e. from one read snapshot: consistent while the review
  app and a run keep writing (WAL: they are not blocked).  The copy goes to a temporary file beside
  ``out``, is switched to a single self-contained file (journal_mode DELETE), checked
  (``PRAGMA integrity_check`` and the evidence chain), fsynced and renamed over ``out``: a reader
  never sees a half-written backup.
- ``restore(backup, db, force=False)`` refuses to overwrite an existing database without ``force``,
  checks the backup first (integrity and chain; a broken backup is never restored), then copies it
  *into* the target through the backup API, so SQLite's locking keeps other connections (a running
  review app) consistent and a stale ``-wal`` file can never be paired with the restored pages.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from qa_audit.core import atomic
from qa_audit.store.errors import StoreError, translate
from qa_audit.store.verify import Report, check_chain_only


class BackupError(RuntimeError):
    """A refused or failed backup/restore; the message (Chinese + detail) says why."""


@dataclass
class BackupResult:
    path: Path
    bytes: int
    head: tuple[int, str]
    report: Report


def _connect(path: Path, timeout: float = 60.0, ro: bool = False) -> sqlite3.Connection:
    if ro:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout)
    return sqlite3.connect(path, timeout=timeout)


def check_file(path: str | Path) -> Report:
    """Integrity + evidence chain of a database file (opened read-only, nothing migrated)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"文件不存在：{path}")
    try:
        con = _connect(path, ro=True)
    except sqlite3.Error as e:
        raise (translate(e, path) or e) from e
    try:
        return check_chain_only(con, str(path))
    except sqlite3.DatabaseError as e:
        rep = Report()
        rep.add("database", str(path), "数据库文件已损坏或不是 qa-audit 数据库", f"{type(e).__name__}: {e}")
        return rep
    finally:
        con.close()


def backup(db: str | Path, out: str | Path, timeout: float = 60.0) -> BackupResult:
    db, out = Path(db), Path(out)
    if not db.is_file():
        raise BackupError(f"数据库不存在：{db}")
    if out.resolve() == db.resolve():
        raise BackupError(f"备份文件不能是数据库本身：{out}")
    try:
        src = _connect(db, timeout)
    except sqlite3.Error as e:
        raise (translate(e, db, timeout) or e) from e
    try:
        with atomic.atomic_path(out) as tmp:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst, pages=-1)  # one step = one snapshot of the source
                dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            except sqlite3.Error as e:
                dst.close()
                err = translate(e, db, timeout)
                raise (err or e) from e
            dst.close()
            rep = check_file(tmp)
            if not rep.ok:
                raise BackupError(f"备份未通过校验，未写入 {out}：{rep.problems[0].line()}")
            size = tmp.stat().st_size
        for extra in (Path(f"{out}-wal"), Path(f"{out}-shm"), Path(f"{out}-journal")):
            if extra.exists():
                extra.unlink()
    finally:
        src.close()
    return BackupResult(out, size, rep.head, rep)


def restore(backup_path: str | Path, db: str | Path, *, force: bool = False, timeout: float = 60.0) -> Report:
    """Restore ``backup_path`` into ``db``; returns the backup's check report."""
    bpath, db = Path(backup_path), Path(db)
    if db.exists() and not force:
        raise BackupError(f"数据库已存在，未覆盖：{db}（确认要用备份替换它时加 --force）")
    rep = check_file(bpath)
    if not rep.ok:
        raise BackupError(f"备份未通过校验，拒绝恢复：{rep.problems[0].line()}")
    db.parent.mkdir(parents=True, exist_ok=True)
    src = _connect(bpath, timeout, ro=True)
    try:
        try:
            dst = _connect(db, timeout)
        except sqlite3.Error as e:
            raise (translate(e, db, timeout) or e) from e
        try:
            src.backup(dst, pages=-1)
            if dst.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                dst.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as e:
            err = translate(e, db, timeout)
            raise (err or e) from e
        finally:
            dst.close()
    finally:
        src.close()
    after = check_file(db)
    if not after.ok:  # pragma: no cover - the backup API does not produce this
        raise StoreError(db, "corrupt", f"restored database fails its check: {after.problems[0].line()}")
    return rep
