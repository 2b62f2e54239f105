"""Fatal storage errors in the CLI: one clear line naming the file (Chinese + the technical detail),
a non-zero exit, never a traceback.

    with clear_errors(db_path):
        ...  # a locked / read-only / damaged database, a full disk -> "错误：…" on stderr, exit 2
"""
from __future__ import annotations

import errno
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import typer

_OS = {errno.ENOSPC: "磁盘空间不足，无法写入", errno.EDQUOT: "磁盘配额已满，无法写入",
       errno.EROFS: "文件系统只读，无法写入", errno.EACCES: "没有访问权限", errno.EPERM: "没有访问权限",
       errno.ENOENT: "文件或目录不存在", errno.EIO: "磁盘读写错误"}


def describe_os_error(e: OSError) -> str:
    what = _OS.get(e.errno or 0, "文件操作失败")
    where = e.filename or "(未知路径)"
    detail = e.strerror or str(e)
    return f"{what}：{where} [{type(e).__name__} errno {e.errno}: {detail}]"


def describe(e: BaseException, db: Optional[Path] = None) -> Optional[str]:
    """The one-line message for a storage failure, None for anything else."""
    from qa_audit.store.errors import translate

    if isinstance(e, sqlite3.Error):
        if db is None:
            from qa_audit.store.db import default_db_path
            db = default_db_path()
        err = translate(e, db)
        return str(err) if err is not None else None
    if isinstance(e, OSError):
        return describe_os_error(e)
    return None


@contextmanager
def clear_errors(db: Optional[Path] = None, code: int = 2) -> Iterator[None]:
    try:
        yield
    except (sqlite3.Error, OSError) as e:
        msg = describe(e, db)
        if msg is None:
            raise
        typer.echo(f"错误：{msg}", err=True)
        raise typer.Exit(code) from None
