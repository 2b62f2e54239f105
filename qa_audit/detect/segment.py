"""jieba's segmentation of a few texts without loading jieba's whole dictionary.

The negation check (:meth:`Detector._cue_is_token`) needs to know whether a cue starts a jieba
token in a handful of segments per batch (286 of 21 373 in ``benchmarks/bench_scan.py``), but
loading jieba's dictionary (350 000 words and their prefixes) costs a second of CPU per process,
more than scanning 2 000 calls.  :class:`LazySegmenter` keeps that dictionary (jieba's own prefix
dictionary, ``Tokenizer.gen_pfdict``) in an SQLite file in the user cache and, for each text,
reads only the entries for the substrings of that text; jieba's own algorithm (DAG, route, HMM
for unknown words) then runs on that sub-dictionary, with the lexicon terms added as
``jieba.add_word(term, freq)`` would add them.  Every lookup jieba makes while segmenting a text
is for a substring of it, so the tokens are the same as ``jieba.tokenize`` with the full
dictionary (``tests/test_lexicon_cache.py`` compares them).

The SQLite file is keyed by jieba's version and its dictionary file (size, mtime), built once into
a temporary file and renamed into place; if it cannot be built or read, :meth:`tokenize` returns
None and the caller uses jieba itself.
"""
from __future__ import annotations

import sqlite3
from typing import Iterable, Optional

from qa_audit.text.jieba_dict import FORMAT, _build, db_path, open_db  # noqa: F401  (tests use db_path)


class LazySegmenter:
    """``tokenize(text)`` = ``jieba.tokenize(text)`` after ``jieba.add_word(t, freq)`` for every
    ``t`` in ``words``, reading jieba's dictionary lazily from SQLite."""

    def __init__(self, words: Iterable[str] = (), freq: int = 200000):
        self.words = {w: freq for w in words}
        self.prefixes: set[str] = {w[:k] for w in self.words for k in range(1, len(w) + 1)}
        self._con: Optional[sqlite3.Connection] = None
        self._meta: dict[str, int] = {}
        self._failed = False

    def _connect(self) -> Optional[sqlite3.Connection]:
        if self._con is not None or self._failed:
            return self._con
        try:
            self._con, self._meta = open_db()
        except Exception:  # no cache dir, no jieba dictionary...: the caller falls back to jieba
            self._failed = True
        return self._con

    def tokenize(self, text: str) -> Optional[list[tuple[str, int, int]]]:
        con = self._connect()
        if con is None:
            return None
        import jieba

        maxlen = max(self._meta["maxlen"], max(map(len, self.words), default=0))
        subs = {text[i:j] for i in range(len(text)) for j in range(i + 1, min(len(text), i + maxlen) + 1)}
        freq: dict[str, int] = {}
        subs_list = list(subs)
        for k in range(0, len(subs_list), 900):
            part = subs_list[k:k + 900]
            freq.update(con.execute(f"SELECT w, n FROM f WHERE w IN ({','.join('?' * len(part))})", part))
        # jieba.add_word(w, freq): FREQ[w] = freq, total += freq, missing prefixes get 0
        for w in subs & self.prefixes:
            if w in self.words:
                freq[w] = self.words[w]
            elif w not in freq:
                freq[w] = 0
        tk = jieba.Tokenizer()
        tk.FREQ, tk.total, tk.initialized = freq, self._meta["total"] + sum(self.words.values()), True
        return list(tk.tokenize(text))
