"""Text normalization for matching, with an offset map back to the original text.

``normalize(text) -> NormText``:

1. traditional → simplified (OpenCC ``t2s``; 請問 → 请问, 帳 → 账);
2. full width → half width (ＡＢＣ１２３ → ABC123, ideographic space → space), ASCII lower-cased,
   您 → 你 (polite and plain "you" match the same patterns), 帐 → 账;
3. Chinese numerals → Arabic (cn2an): 两万 / 2万 / 20000 all read ``20000``; 四万八千六 → ``48600``;
   工号二六九三 → ``2693``.  Only numeral runs that are clearly numbers are converted (a magnitude
   character 十百千万亿, two or more digits, or a unit after it), so 一次性 / 一下 / 一笔勾销 stay;
4. Cantonese and Wu function words read as Mandarin, character for character (佢 → 他, 嘅 → 的,
   喺 → 在, 冇 → 没, 咗 → 了, 我哋 → 我们, 我系 → 我是, 唔系 → 不是; 侬 → 你, 阿拉 → 我们), so
   阿拉就到侬单位门口等侬 reads 我们就到你单位门口等你 for every rule.

Every normalized character keeps the original span it came from, so a hit in the normalized text
maps back to the exact evidence substring of the segment (``NormText.span_to_orig``).

``pinyin_key(text)`` turns a normalized text into a same-length string of pinyin classes
(toneless, with the usual confusions of telephone ASR merged: zh/z, ch/c, sh/s, j/q/x, n/l,
-ing/-in, -eng/-en, -ang/-an), used for homophone-tolerant matching (逾期 ≈ 预期 ≈ 与其).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

__all__ = ["NormText", "normalize", "to_simplified", "pinyin_key", "pinyin_readings",
           "syllables", "convert_numerals"]

_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_MAG = "十百千万亿拾佰仟"
_NUM_RUN = re.compile(r"[0-9０-９.点零〇一二两三四五六七八九十百千万亿拾佰仟]+")
_UNITS = ("元", "块", "天", "期", "个月", "月", "年", "号", "笔", "张", "万", "千", "百", "岁",
          "多", "余", "%", "分钱", "毛", "点前", "点之前", "点以前", "点半")
_KEEP_AFTER = ("下", "点", "些", "样", "起", "直", "定", "切", "般", "共", "边", "分", "会", "概",
               "向", "旦", "再", "天到晚")

# full width → half width (FF01..FF5E), ideographic space; ASCII lower case
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_WIDTH[ord("帐")] = ord("账")  # OpenCC t2s keeps 帐; debts are 账
_WIDTH[ord("您")] = ord("你")  # polite and plain "you" read the same for matching
_WIDTH[ord("妳")] = ord("你")
_WIDTH.update({c: c + 32 for c in range(ord("A"), ord("Z") + 1)})
_WIDTH.update({c + 0xFEE0: c + 32 for c in range(ord("A"), ord("Z") + 1)})


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified, always of the same length (char-by-char if a phrase changes length)."""
    out = _opencc().convert(text)
    if len(out) != len(text):
        cc = _opencc()
        out = "".join(c2 if len(c2 := cc.convert(c)) == 1 else c for c in text)
    return out


# same length, so the offsets stay valid; 系 only as the copula (我系 / 唔系, not 关系 / 我系统; 系咪 stays
# for the dialogue's reading 是不是, three characters), 唔 only before a verb (唔该 "thanks" stays),
# 阿拉 not in 阿拉伯
_DIALECT_MAP = {"侬": "你", "佢": "他", "嘅": "的", "喺": "在", "冇": "没", "咗": "了", "哋": "们",
                "阿拉": "我们", "系": "是", "唔": "不"}
_DIALECT = re.compile(r"侬|佢|嘅|喺|冇|咗|哋|阿拉(?![伯丁斯])|(?<=[我你他她就不佢唔])系(?![统列数咪])"
                      r"|唔(?=[系是好使会准得识知见])")


def read_dialect(text: str) -> str:
    """``text`` with Cantonese / Wu function words in Mandarin (same length; see the module doc).

    >>> read_dialect("阿拉就到侬单位门口等侬，我系佢老婆，唔该")
    '我们就到你单位门口等你，我是他老婆，唔该'
    """
    return _DIALECT.sub(lambda m: _DIALECT_MAP[m.group()], text) if _DIALECT.search(text) else text


@dataclass
class NormText:
    """A normalized text and, per normalized character, the original span it came from."""

    text: str
    orig: str
    starts: Optional[list[int]] = None  # None = identity map
    ends: Optional[list[int]] = None
    corrections: list = field(default_factory=list)  # text.terms.Correction, offsets in ``orig``

    def span_to_orig(self, s: int, e: int) -> tuple[int, int]:
        if self.starts is None:
            return s, e
        if e <= s:
            p = self.starts[s] if s < len(self.starts) else len(self.orig)
            return p, p
        return self.starts[s], self.ends[e - 1]

    def orig_slice(self, s: int, e: int) -> str:
        a, b = self.span_to_orig(s, e)
        return self.orig[a:b]


@lru_cache(maxsize=8192)
def _numeral_value(run: str) -> Optional[str]:
    import cn2an

    r = run.replace("点", ".") if any(c in run for c in _CN_DIGITS + _CN_MAG) else run
    if r.startswith(".") or r.endswith("."):
        return None
    if all(c in "零〇一二两三四五六七八九" for c in r):
        # a plain digit string (工号二六九三, 二零二六): digit by digit
        return "".join(str("零一二三四五六七八九".index(c)) if c in "零一二三四五六七八九"
                       else ("0" if c == "〇" else "2") for c in r)
    try:
        v = cn2an.cn2an(r, "smart")
    except Exception:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def convert_numerals(text: str) -> list[tuple[int, int, str]]:
    """Spans of ``text`` holding numbers written in Chinese (or mixed 2万), with their Arabic value."""
    out = []
    for m in _NUM_RUN.finditer(text):
        run = m.group()
        if run.isascii() and run.replace(".", "").isdigit():
            continue  # already Arabic
        s, e = m.start(), m.end()
        # strip a leading/trailing 点 that is not a decimal point
        while run and run[0] in "点.":
            run, s = run[1:], s + 1
        while run and run[-1] in "点.":
            run, e = run[:-1], e - 1
        if not run:
            continue
        has_mag = any(c in _CN_MAG for c in run)
        has_cn = any(c in _CN_DIGITS + _CN_MAG for c in run)
        if not has_cn:
            continue
        after = text[e:e + 4]
        unit_after = after.startswith(_UNITS)
        if len(run) == 1 and not (has_mag and unit_after) and not unit_after:
            continue  # 一 / 两 / 十 alone: 一下, 两个人, 十分
        if len(run) == 1 and after.startswith(_KEEP_AFTER):
            continue
        if not has_mag and len(run) < 2 and not unit_after:
            continue
        if not has_mag and len(run) == 2 and not unit_after and not run[0].isdigit():
            # 一一 / 三五 without unit: keep (may be a word)
            continue
        if run in ("万一", "一万一") and not unit_after:
            continue
        v = _numeral_value(run)
        while v is None and len(run) > 2:  # 两万八一(笔) -> 两万八
            run, e = run[:-1], e - 1
            v = _numeral_value(run)
        if v is None:
            continue
        out.append((s, e, v))
    return out


def normalize(text: str, correct_terms: bool = False) -> NormText:
    """Normalize ``text`` for matching (see module docstring).  ``correct_terms``: misheard debt
    terms read back first (一七 → 逾期, :mod:`qa_audit.text.terms`; same length), listed in
    ``corrections``."""
    simp = to_simplified(text)
    t = read_dialect(simp.translate(_WIDTH))
    fixes: list = []
    if correct_terms:
        from qa_audit.text.terms import correct

        c = correct(t)
        t, fixes = c.text, c.corrections
    spans = convert_numerals(t) if _NUM_RUN.search(t) else []
    if not spans:
        return NormText(text=t, orig=text, corrections=fixes)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for s, e, v in spans:
        parts.append(t[pos:s])
        starts.extend(range(pos, s))
        ends.extend(range(pos + 1, s + 1))
        parts.append(v)
        starts.extend([s] * len(v))
        ends.extend([e] * len(v))
        pos = e
    parts.append(t[pos:])
    starts.extend(range(pos, len(t)))
    ends.extend(range(pos + 1, len(t) + 1))
    return NormText(text="".join(parts), orig=text, starts=starts, ends=ends, corrections=fixes)


# --- pinyin ---------------------------------------------------------------------------------
_INITIAL_MERGE = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("j", "x"), ("q", "x"), ("n", "l"))
_FINAL_MERGE = (("ing", "in"), ("eng", "en"), ("iang", "ian"), ("uang", "uan"), ("ang", "an"))


def _strip_tone(p: str) -> str:
    p = p.replace("ü", "v")
    return "".join(c for c in unicodedata.normalize("NFD", p) if not unicodedata.combining(c)).replace("u\u0308", "v")


def _fuzzy(syl: str) -> str:
    for a, b in _INITIAL_MERGE:
        if syl.startswith(a):
            syl = b + syl[len(a):]
            break
    if syl[:1] == "x" and syl[1:2] == "u":  # ju/qu/xu are jü/qü/xü
        syl = "xv" + syl[2:]
    for a, b in _FINAL_MERGE:
        if syl.endswith(a):
            syl = syl[: -len(a)] + b
            break
    return syl


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, int], dict[int, tuple[str, ...]], dict[str, str]]:
    """(translate table char→class char, char→all exact readings, fuzzy syllable→class char).

    Built from pypinyin's dictionary once per user and kept in ``user_cache_dir()/pinyin/`` (marshal,
    keyed by this file's source and pypinyin's version; atomic write; an unreadable file is
    rebuilt): importing pypinyin alone costs half a second."""
    import hashlib
    import marshal
    from importlib import metadata
    from pathlib import Path

    from qa_audit.core.resources import user_cache_dir

    try:
        version = metadata.version("pypinyin")
    except metadata.PackageNotFoundError:
        version = "none"
    key = hashlib.sha256(Path(__file__).read_bytes() + version.encode()).hexdigest()
    path = user_cache_dir() / "pinyin" / f"tables-{key[:32]}.marshal"
    try:
        got = marshal.loads(path.read_bytes())
        if isinstance(got, tuple) and len(got) == 3 and all(isinstance(x, dict) and x for x in got):
            return got
    except Exception:  # missing, truncated or corrupt: rebuild
        pass
    got = _build_tables()
    try:
        from qa_audit.core.atomic import write_bytes

        write_bytes(path, marshal.dumps(got))
    except OSError:
        pass
    return got


def _build_tables() -> tuple[dict[int, int], dict[int, tuple[str, ...]], dict[str, str]]:
    from pypinyin.pinyin_dict import pinyin_dict

    classes: dict[str, str] = {}
    table: dict[int, int] = {}
    readings: dict[int, tuple[str, ...]] = {}
    for cp, val in pinyin_dict.items():
        if not (0x3400 <= cp <= 0x9FFF):
            continue
        rs = tuple(dict.fromkeys(_strip_tone(x) for x in val.split(",") if x))
        if not rs:
            continue
        readings[cp] = rs
        f = _fuzzy(rs[0])
        c = classes.get(f)
        if c is None:
            c = classes[f] = chr(0xE000 + len(classes))
        table[cp] = ord(c)
    return table, readings, classes


def pinyin_key(text: str) -> str:
    """Same-length string of fuzzy pinyin classes (default reading of each character)."""
    return text.translate(_tables()[0])


def syllables(text: str) -> list[str]:
    """Default toneless reading of each character ('' for non-Chinese)."""
    r = _tables()[1]
    return [r[ord(c)][0] if ord(c) in r else c for c in text]


def pinyin_readings(term: str, limit: int = 16) -> list[str]:
    """Fuzzy pinyin keys of ``term`` over the readings of its heteronyms (还 hai/huan), at most limit."""
    tables = _tables()
    r, classes = tables[1], tables[2]
    keys = [""]
    for ch in term:
        rs = r.get(ord(ch))
        if not rs:
            opts = [ch]
        else:
            opts = list(dict.fromkeys(classes.get(_fuzzy(x), ch) for x in rs))
        keys = [k + o for k in keys for o in opts][:limit]
    return keys


def exact_syllables_match(a: str, b: str) -> bool:
    """True when every character of a and b share a toneless reading (no fuzzy merging)."""
    r = _tables()[1]
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x == y:
            continue
        rx, ry = r.get(ord(x)), r.get(ord(y))
        if not rx or not ry or ry[0] not in rx:
            return False
    return True
