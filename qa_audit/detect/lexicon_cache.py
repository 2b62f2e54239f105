"""On-disk cache of compiled lexicons: ``qa-audit scan`` of one transcript starts in well under a second.

Compiling the lexicons (YAML parsing and validation, normalizing every term, the pinyin readings of
every term, two Aho-Corasick automata, the regexes) costs about a second of CPU per process.  The
compiled :class:`~qa_audit.detect.lexicon.LexiconSet` is pickled into
``user_cache_dir()/lexicons/<key>.pickle``, where the key is the sha256 of

- the names and bytes of the lexicon files,
- the source of the code that compiles them (``lexicon.py``, ``text/normalize.py``, this file),
- the Python version and the versions of the libraries whose output is in it.

So any edit of a lexicon, of the compiling code or a library upgrade makes a new key (the old file
is simply no longer read).  The file is written atomically (temporary file, fsync, rename); a
cache that cannot be read or does not unpickle to a LexiconSet is ignored and rebuilt.  The cache
dir belongs to the user (``QA_AUDIT_CACHE`` or ``~/.cache/qa-audit``), like the model weights.
"""
from __future__ import annotations

import hashlib
import pickle
import sys
from pathlib import Path
from typing import Callable

FORMAT = 1
_LIBS = ("pyahocorasick", "pypinyin", "cn2an", "OpenCC", "PyYAML")


def _lib_versions() -> str:
    from importlib import metadata

    out = []
    for name in _LIBS:
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}=none")
    return ",".join(out)


def cache_key(files: list[Path]) -> str:
    """sha256 of the lexicon files (names and bytes), the compiling code and library versions."""
    from qa_audit.detect import lexicon
    from qa_audit.text import normalize

    h = hashlib.sha256(f"lexset-{FORMAT}|{sys.version_info[:3]}|{_lib_versions()}".encode())
    for mod in (lexicon.__file__, normalize.__file__, __file__):
        h.update(Path(mod).read_bytes())
    for p in files:
        data = p.read_bytes()
        h.update(f"\0{p.name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def cache_path(key: str) -> Path:
    from qa_audit.core.resources import user_cache_dir

    return user_cache_dir() / "lexicons" / f"{key}.pickle"


def cached(files: list[Path], build: Callable[[], object]):
    """The compiled lexicon set from the cache, or ``build()`` stored into it."""
    from qa_audit.detect.lexicon import LexiconSet

    try:
        path = cache_path(cache_key(files))
    except OSError:  # a lexicon file vanished between listing and reading: let build() report it
        return build()
    try:
        obj = pickle.loads(path.read_bytes())
        if isinstance(obj, LexiconSet):
            return obj
    except FileNotFoundError:
        pass
    except Exception:  # truncated, corrupt, from an incompatible version: rebuild
        pass
    obj = build()
    try:
        from qa_audit.core.atomic import write_bytes

        write_bytes(path, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:  # a read-only cache dir only costs the speed-up
        pass
    return obj
