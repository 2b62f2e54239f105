"""Atomic file output: write to a temporary file in the same folder, fsync, rename."""
from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``path`` atomically."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise _naming(e, path) from e
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except OSError as e:  # a full disk, a read-only folder: say which output file failed
        raise _naming(e, path) from e
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


# what a supervisor reads for the usual output failures (the OS text follows in brackets)
REASONS = {errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘配额已满", errno.EROFS: "文件系统只读",
           errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EIO: "磁盘读写错误"}


def _naming(e: OSError, path: Path) -> OSError:
    """``e`` with ``filename`` = the output file (the OS reports the temporary name, or none) and a
    Chinese reason: ``[Errno 28] 磁盘空间不足 (No space left on device): '/out/audit.xlsx'``."""
    if e.filename == str(path) or not e.errno:
        return e
    why = e.strerror or str(e)
    if e.errno in REASONS and REASONS[e.errno] not in why:
        why = f"{REASONS[e.errno]} ({why})"
    return type(e)(e.errno, why, str(path))


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    return write_text(path, json.dumps(obj, ensure_ascii=False, indent=1) + "\n")
