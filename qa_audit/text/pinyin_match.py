"""Pinyin-tolerant matching of a known name (an institution) in recognized text.

Telephone speech recognition writes a name it does not know with characters that sound alike:
恒璟 → 恒景 / 宏景, 华远 → 华源, 诚泰 → 成泰.  :func:`find_name` slides the name over the text and
compares syllables, tones ignored, with the confusions of telephone ASR merged:

- initials: z/zh, c/ch, s/sh, l/n, f/h;
- finals: an/ang, en/eng, in/ing (jin/jing, xin/xing), and eng/ong (heng/hong).

A window matches when every syllable is the same or confusable, or, for a name of four or more
syllables, all but one.  A character with several readings (行 hang/xing) matches by any of them.
Every :class:`NameMatch` says what was heard, for which name, and how close it was
(:meth:`NameMatch.describe`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

__all__ = ["NameMatch", "confusable_key", "find_name", "readings", "syllable_closeness"]

_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
             "r", "z", "c", "s", "y", "w")
_INITIAL_CLASS = {"zh": "z", "ch": "c", "sh": "s", "n": "l", "h": "f"}


def _split(syl: str) -> tuple[str, str]:
    for ini in _INITIALS:
        if syl.startswith(ini) and len(syl) > len(ini):
            return ini, syl[len(ini):]
    return "", syl


def _final_class(fin: str) -> str:
    if fin.endswith("ng") and len(fin) >= 3:  # an/ang, en/eng, in/ing, ian/iang, uan/uang, ong
        fin = fin[:-1]
    if fin in ("on", "ion"):  # hong/heng, xiong/xing merged
        fin = {"on": "en", "ion": "in"}[fin]
    return fin


@lru_cache(maxsize=4096)
def confusable_key(syl: str) -> str:
    """The class of a toneless syllable: ``heng``, ``hong`` and ``feng`` -> ``fen``; ``jing`` -> ``jin``."""
    ini, fin = _split(syl)
    return _INITIAL_CLASS.get(ini, ini) + "|" + _final_class(fin)


@lru_cache(maxsize=8192)
def readings(ch: str) -> tuple[str, ...]:
    """Toneless readings of one character (all of a heteronym's), () for a non-Chinese character."""
    from qa_audit.text.normalize import _tables

    return _tables()[1].get(ord(ch), ())


def syllable_closeness(a: str, b: str) -> str:
    """``same`` (a shared reading), ``confusable`` (a shared class), or ``different``."""
    ra, rb = readings(a), readings(b)
    if a == b or set(ra) & set(rb):
        return "same"
    if {confusable_key(x) for x in ra} & {confusable_key(x) for x in rb}:
        return "confusable"
    return "different"


@dataclass(frozen=True)
class NameMatch:
    start: int           # offsets of the heard characters in the text
    end: int
    heard: str           # what the text says (华源银行)
    name: str            # the known name it stands for (华远银行)
    same: int            # syllables with a shared reading
    confusable: int      # syllables that differ only by a confusable sound
    off: int             # syllables that differ

    @property
    def closeness(self) -> float:
        """1.0 for the name itself; a confusable syllable counts 0.8, a different one 0."""
        n = self.same + self.confusable + self.off
        return (self.same + 0.8 * self.confusable) / n if n else 0.0

    @property
    def exact(self) -> bool:
        return self.heard == self.name

    def describe(self) -> str:
        if self.exact:
            return f"'{self.heard}' exactly"
        n = self.same + self.confusable + self.off
        parts = [f"{self.same}/{n} syllables the same"]
        if self.confusable:
            parts.append(f"{self.confusable} confusable")
        if self.off:
            parts.append(f"{self.off} off")
        return f"'{self.heard}' for '{self.name}' ({', '.join(parts)}; closeness {self.closeness:.2f})"


def _allowed_off(n: int) -> int:
    return 1 if n >= 4 else 0


def find_name(text: str, name: str, max_off: Optional[int] = None) -> list[NameMatch]:
    """Every place of ``text`` that sounds like ``name`` (best first, non-overlapping).

    >>> [m.heard for m in find_name("我是恒景消费金融的", "恒璟消费金融")]
    ['恒景消费金融']
    """
    n = len(name)
    if n == 0 or len(text) < n:
        return []
    allow = _allowed_off(n) if max_off is None else max_off
    cands: list[NameMatch] = []
    for s in range(len(text) - n + 1):
        window = text[s:s + n]
        if not all(readings(c) or c == name[k] for k, c in enumerate(window)):
            continue
        same = conf = off = 0
        for a, b in zip(window, name):
            c = syllable_closeness(a, b)
            if c == "same":
                same += 1
            elif c == "confusable":
                conf += 1
            else:
                off += 1
                if off > allow:
                    break
        if off > allow:
            continue
        # the first and the last syllable may not both be off, nor may the only exact one be a suffix
        if off and (syllable_closeness(window[0], name[0]) == "different"
                    and syllable_closeness(window[-1], name[-1]) == "different"):
            continue
        cands.append(NameMatch(s, s + n, window, name, same, conf, off))
    cands.sort(key=lambda m: (-m.closeness, m.start))
    chosen: list[NameMatch] = []
    for m in cands:
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return chosen


def best_match(text: str, names: Iterable[str]) -> Optional[NameMatch]:
    """The closest match of any of ``names`` in ``text``, or None."""
    best: Optional[NameMatch] = None
    for nm in names:
        for m in find_name(text, nm)[:1]:
            if best is None or m.closeness > best.closeness:
                best = m
    return best
