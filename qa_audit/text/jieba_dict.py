"""jieba's dictionary (350 000 words, their frequencies and prefixes) as an SQLite file in the user cache.

Loading jieba's dictionary costs a second of CPU per process; most callers need a few entries.
:func:`frequencies` answers "how often is each of these strings a word" from the SQLite copy,
built once from jieba's own prefix dictionary (``Tokenizer.gen_pfdict``: a prefix that is no word
has frequency 0) into a temporary file and renamed into place.  The file is keyed by jieba's
version and its dictionary file (size, mtime).  Users: the lazy segmenter of the detector
(:mod:`qa_audit.detect.segment`) and the sound-alike correction of :mod:`qa_audit.text.terms`
(a heard form that is a word of its own is left alone).  If the file cannot be built or read,
:func:`connect` returns None and callers do without.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Iterable, Optional

__all__ = ["FORMAT", "connect", "db_path", "frequencies", "open_db", "reset"]

FORMAT = 1


def _dict_file() -> Path:
    import jieba

    return Path(jieba.__file__).with_name("dict.txt")


def db_path() -> Path:
    import jieba

    from qa_audit.core.resources import user_cache_dir

    f = _dict_file()
    st = f.stat()
    key = hashlib.sha256(f"{FORMAT}|{jieba.__version__}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()
    return user_cache_dir() / "jieba" / f"prefix-dict-{key[:24]}.sqlite3"


def _build(path: Path) -> None:
    import jieba

    with open(_dict_file(), "rb") as fh:
        freq, total = jieba.Tokenizer().gen_pfdict(fh)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        con = sqlite3.connect(tmp)
        con.execute("CREATE TABLE f (w TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
        con.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
        con.executemany("INSERT INTO f VALUES (?, ?)", freq.items())
        con.executemany("INSERT INTO meta VALUES (?, ?)",
                        [("total", total), ("maxlen", max(map(len, freq))), ("rows", len(freq))])
        con.commit()
        con.close()
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def open_db() -> tuple[sqlite3.Connection, dict[str, int]]:
    """A read-only connection and the meta table (total, maxlen, rows); builds or rebuilds a
    missing or corrupt file.  Raises when that is impossible."""
    path = db_path()
    for attempt in (0, 1):
        try:
            if not path.is_file():
                _build(path)
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            meta = dict(con.execute("SELECT k, v FROM meta"))
            if not {"total", "maxlen", "rows"} <= set(meta):
                raise sqlite3.DatabaseError("incomplete")
            return con, meta
        except sqlite3.Error:
            if attempt:
                raise
            path.unlink(missing_ok=True)  # corrupt: build it again
    raise AssertionError("unreachable")


_shared: dict[str, object] = {}
_seen: dict[str, int] = {}  # words looked up already (-1: not in the dictionary)
_SEEN_MAX = 200_000
_lock = threading.Lock()


def connect() -> Optional[sqlite3.Connection]:
    """The process-wide connection, or None when the dictionary cannot be had (then it is not
    tried again until :func:`reset`)."""
    with _lock:
        if "con" not in _shared:
            try:
                _shared["con"] = open_db()[0]
            except Exception:  # no cache dir, no jieba dictionary...
                _shared["con"] = None
        return _shared["con"]  # type: ignore[return-value]


def reset() -> None:
    """Forget the process-wide connection (tests; after the cache folder changed)."""
    with _lock:
        _seen.clear()
        con = _shared.pop("con", None)
        if con is not None:
            con.close()


def frequencies(words: Iterable[str]) -> Optional[dict[str, int]]:
    """jieba's frequency of each string (0 for a prefix that is no word, absent when unknown), or
    None when the dictionary cannot be read."""
    con = connect()
    if con is None:
        return None
    out: dict[str, int] = {}
    todo = []
    for w in dict.fromkeys(words):
        n = _seen.get(w)
        if n is None:
            todo.append(w)
        elif n >= 0:
            out[w] = n
    try:
        with _lock:
            for k in range(0, len(todo), 900):
                part = todo[k:k + 900]
                out.update(con.execute(f"SELECT w, n FROM f WHERE w IN ({','.join('?' * len(part))})", part))
    except sqlite3.Error:
        return None
    if len(_seen) > _SEEN_MAX:
        _seen.clear()
    _seen.update((w, out.get(w, -1)) for w in todo)
    return out
