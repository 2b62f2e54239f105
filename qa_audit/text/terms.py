"""Post-ASR correction of debt-collection terms: what Whisper wrote for a term it misheard.

Whisper base writes the words of debt collection with characters that sound alike: 逾期 → 一七 /
预期 / 与其, 还款 → 换款 / 海款, 利息 → 利西, 催收 → 催修, 法院 → 发院, 小贷 → 小袋.  The rules read
the corrected text (the detector's normalization, :func:`qa_audit.text.normalize.normalize` with
``correct_terms=True``); the transcript keeps what was heard, and a finding that rests on a
corrected term says both (识别为“一七”，按“逾期”理解).

A form that is no word of its own (换款, 利西, 催修, 发院) is always read back.  Forms that are
ordinary words (预期, 与其, 一七, 正信, 前款, 小袋) need a debt context: a word of money or debt in
the same turn (钱, 欠, 还, 借, 贷, 款, 账, 元, a number ...) and a close one (a debt word or a number
within a few characters, or a typical frame: 已经预期, 预期了, 小袋公司).  A numeral form (一七) is
never read back inside a number (尾号一七二三).

A second stage reads back, by sound, the terms the rules need most when no listed form covers what
was heard (:func:`sound_alikes`, :data:`SOUND_ALIKE_TERMS`: authorities, criminal-law words, the
threats and insults of collection, debt words): 被按 → 备案, 通机 → 通缉, 护集地 → 户籍地.  A window of
the text is read back when its syllables, tones ignored, are the term's — exactly for a two-character
term, up to the confusions of telephone ASR (z/zh, l/n, in/ing ...; :mod:`.pinyin_match`) and with at
least one character the same for a longer one — and it is no Chinese word of its own: not a word of
jieba's dictionary (frequency ≥ :data:`MIN_WORD_FREQ`: 统计 stays 统计, 消化 stays 消化), no word
inside it where the term has other characters (护士集 is no 户籍地), and neither end forming a word
with its neighbour (已经方 is not 已警方).  Without jieba's dictionary this stage does nothing.
Every replacement has the same length as what it replaces, so offsets stay valid.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional

__all__ = ["Correction", "Corrected", "MISHEARINGS", "MIN_WORD_FREQ", "SOUND_ALIKE_TERMS", "correct",
           "note_zh", "sound_alikes"]

# term -> forms Whisper writes for it (same length); forms that are everyday words are in AMBIGUOUS
MISHEARINGS: dict[str, tuple[str, ...]] = {
    "逾期": ("一七", "预期", "与其", "于期", "与期", "余期", "鱼期", "逾其", "预其", "玉器", "于其", "语气", "遇期"),
    "还款": ("换款", "海款", "还宽", "环款", "缓款", "还快"),
    "小贷": ("小袋", "小代", "小待"),
    "利息": ("利西", "立息", "力息", "例息", "利喜"),
    "罚息": ("发息", "法息", "罚西"),
    "催收": ("催修", "吹收", "崔收", "摧收", "催手", "推收"),
    "法院": ("发院", "法苑", "罚院", "法愿"),
    "本金": ("本经", "本今", "本斤"),
    "征信": ("正信", "证信", "争信", "征性", "正性"),
    "减免": ("剪免", "检免", "简免", "减缅"),
    "欠款": ("欠宽", "前款", "欠狂"),
    "起诉": ("起素", "起塑", "起速"),
    "律师": ("律诗", "律是", "绿师"),
    "信用卡": ("新用卡", "心用卡", "信用看", "星用卡"),
    "滞纳金": ("滞纳经", "志纳金", "滞那金"),
    "账单": ("账蛋",),
    # authorities an impersonating agent claims (IMPERSONATE-*) and what they threaten
    "检察院": ("检查院", "监察院"),
    "经侦": ("金增", "金针", "精真", "经真", "金侦"),
    "经侦大队": ("精神大队", "金针大队", "经真大队"),
    "经侦支队": ("金钱支队", "金针支队", "精神支队"),
    "网警支队": ("网前知队", "网井支队", "网警知队"),
    "支队": ("知队", "直队"),
    "公安局": ("工安局", "公安剧"),
    "派出所": ("派出锁", "排出所"),
    "诈骗": ("价骗", "驾骗", "炸骗", "榨骗"),
    "通缉": ("通机", "通急"),
    "立案": ("立按",),
    "备案": ("被按", "背案"),
    "公诉": ("工诉", "公素"),
    "警官": ("井官",),
    "民警": ("明景", "民井"),
    "结清": ("节清", "结青"),
}
AMBIGUOUS = {"监察院", "金针", "被按", "民井", "明景", "通机", "立按", "小袋", "小代", "预期", "与其", "一七", "正信", "前款", "语气", "玉器", "还快", "于其", "律诗", "律是"}

_DEBT = re.compile(r"钱|欠|还|借|贷|款|账|帐|元|块|万|千|百|利息|本金|罚息|信用|银行|催|逾|期|天|个月|征信|"
                   r"起诉|法院|律师|违约|滞纳|分期|额度|\d|[一二三四五六七八九十两]+(天|个月|期|号)")
# an everyday-word form needs a debt word or a number within WINDOW characters, or a typical frame
_NEAR = re.compile(r"钱|欠|还|借|贷|款|账|帐|元|块|利息|本金|罚息|信用|银行|催收|天|个月|违约|滞纳|已经|\d|"
                   r"[一二三四五六七八九十两]+(天|个月|期)")
_FRAME = {
    "逾期": re.compile(r"(已经|都|还|你|您|这个|这笔|账户|严重|长期|一直|多次)$|^(了|的|天|[0-9一二三四五六七八九十两]|记录|费|罚息|利息|未还|欠款|金额|状态|情况|多久)"),
    "征信": re.compile(r"(上|影响|你的|您的|个人|到)$|^(记录|报告|系统|中心|上|会|黑名单|有)"),
    "欠款": re.compile(r"(的|你|您|这笔|所有|全部)$|^(的|金额|一共|还|总|是|[0-9一二三四五六七八九十两])"),
    "小贷": re.compile(r"^(公司|平台|机构|那边|这边|的|借|贷|APP|app)"),
    "律师": re.compile(r"(找|请|我们的|委托)$|^(函|事务所|介入|团队)"),
}
WINDOW = 6

# read back by sound (second stage): the listed terms and what the rules must not lose to a homophone
SOUND_ALIKE_TERMS: tuple[str, ...] = tuple(dict.fromkeys([
    *MISHEARINGS,
    # authorities and the criminal law an impersonating or threatening agent invokes
    "公安", "警方", "警察", "刑警", "法官", "执行局", "司法局", "传票", "拘留", "逮捕", "坐牢", "判刑",
    "户籍地", "刑事责任", "刑事案件", "诈骗罪", "拒执罪", "失信人", "黑名单", "通讯录", "村委会", "居委会",
    "曝光", "律师函", "催收函", "经侦", "经侦支队", "网警", "撤销立案", "诈骗", "线索",
    # insults
    "老赖", "畜生", "废物", "人渣", "王八蛋", "狗东西", "神经病", "龟儿子", "瓜娃子",  # not 不要脸: 不要连/不要恋 are speech
]))
MIN_WORD_FREQ = 10  # a heard form this frequent in jieba's dictionary is a word of its own


@dataclass(frozen=True)
class Correction:
    start: int   # offsets in the text (same in the corrected one)
    end: int
    heard: str   # 一七
    term: str    # 逾期

    def note_zh(self) -> str:
        return f"识别为“{self.heard}”，按“{self.term}”理解"


@dataclass
class Corrected:
    text: str
    corrections: list[Correction] = field(default_factory=list)


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern, dict[str, str]]:
    to_term = {form: term for term, forms in MISHEARINGS.items() for form in forms}
    alt = "|".join(sorted(map(re.escape, to_term), key=len, reverse=True))
    return re.compile(alt), to_term


_NUMERAL = "0123456789零〇一二两三四五六七八九十百千万"


def _context_ok(text: str, s: int, e: int, heard: str, term: str) -> bool:
    if all(c in _NUMERAL for c in heard):  # 一七: not inside a number (尾号一七二三, 一七年)
        if (s > 0 and text[s - 1] in _NUMERAL + "号码是第") or re.match(r"[0-9零〇一二两三四五六七八九]{2}|年|号|点|分|块|元", text[e:e + 2]):
            return False
    if heard not in AMBIGUOUS:
        return True
    if heard == "与其" and re.search(r"不如|还不如|倒不如|宁可|宁愿", text[e:e + 16]):
        return False  # 与其……不如: the conjunction
    frame = _FRAME.get(term)
    if frame is not None and (frame.search(text[max(0, s - 4):s]) or frame.search(text[e:e + 4])):
        return True
    return bool(_DEBT.search(text[:s] + " " + text[e:])) and bool(
        _NEAR.search(text[max(0, s - WINDOW):s]) or _NEAR.search(text[e:e + WINDOW]))


@lru_cache(maxsize=1)
def _automaton():
    """Aho-Corasick over the pinyin classes of the terms (:func:`.normalize.pinyin_readings`):
    finds the windows of a text that may sound like a term, in C; :func:`_matches` decides."""
    import ahocorasick

    from qa_audit.text.normalize import pinyin_readings

    keys: dict[str, list[str]] = {}
    for term in SOUND_ALIKE_TERMS:
        for key in pinyin_readings(term):
            keys.setdefault(key, []).append(term)
    A = ahocorasick.Automaton()
    for key, ts in keys.items():
        A.add_word(key, tuple(ts))
    A.make_automaton()
    return A


# the reading of a term where its characters' usual (first) readings are not it
_TERM_READINGS = {"还款": ("huan", "kuan"), "曝光": ("bao", "guang")}


def _syllables(word: str) -> Optional[tuple[str, ...]]:
    """The usual toneless reading of each character (the first of the reading table: its rare
    readings, 完 kuan, 款 xin, 支 qi, would make 还完 and 期对 sound like 还款 and 支队)."""
    from qa_audit.text.pinyin_match import readings

    rs = tuple(readings(c)[:1] for c in word)
    return tuple(r[0] for r in rs) if all(rs) else None


def _matches(w: str, term: str) -> bool:
    """``w`` sounds like ``term``: the same syllables (two characters), or confusable ones with at
    least one character the same (longer)."""
    from qa_audit.text.pinyin_match import confusable_key

    if w == term or len(w) != len(term) or len(term) > 2 and not any(a == b for a, b in zip(w, term)):
        return False
    heard, said = _syllables(w), _TERM_READINGS.get(term) or _syllables(term)
    if heard is None or said is None:
        return False
    if len(term) == 2:
        return heard == said
    return all(confusable_key(a) == confusable_key(b) for a, b in zip(heard, said))


def _candidates(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Windows whose sound is a term's, longest first at each position, none overlapping."""
    from qa_audit.text.normalize import pinyin_key

    blocked = {k for s, e in taken for k in range(s, e)}
    hits = []
    for end, ts in _automaton().iter(pinyin_key(text)):
        for term in ts:
            s = end + 1 - len(term)
            if not blocked.intersection(range(s, end + 1)) and _matches(text[s:end + 1], term):
                hits.append((s, end + 1, term))
    out: list[tuple[int, int, str]] = []
    nxt = 0
    for s, e, term in sorted(hits, key=lambda h: (h[0], h[0] - h[1])):
        if s >= nxt:
            out.append((s, e, term))
            nxt = e
    return out


def _own_word(text: str, s: int, e: int, term: str, freq: dict[str, int]) -> bool:
    """The heard window text[s:e] reads as Chinese words of its own (see the module docstring)."""
    def word(x: str) -> bool:
        return freq.get(x, 0) >= MIN_WORD_FREQ

    heard = text[s:e]
    if word(heard):
        return True
    for a in range(len(heard)):
        for b in range(a + 2, len(heard) + 1):
            if (a, b) != (0, len(heard)) and heard[a:b] != term[a:b] and word(heard[a:b]):
                return True
    return (s > 0 and word(text[s - 1:s + 1])) or (e < len(text) and word(text[e - 1:e + 1]))


def _pieces(text: str, s: int, e: int) -> Iterable[str]:
    yield text[s:e]
    for a in range(e - s):
        for b in range(a + 2, e - s + 1):
            yield text[s + a:s + b]
    if s > 0:
        yield text[s - 1:s + 1]
    if e < len(text):
        yield text[e - 1:e + 1]


def sound_alikes(text: str, taken: list[tuple[int, int]] = ()) -> list[Correction]:
    """Windows of ``text`` outside ``taken`` that sound like a term of :data:`SOUND_ALIKE_TERMS`
    and are no word of their own, as corrections (same length).

    >>> [(c.heard, c.term) for c in sound_alikes("我们已经在派出所被按了")]
    [('被按', '备案')]
    """
    cands = _candidates(text, list(taken))
    if not cands:
        return []
    from qa_audit.text.jieba_dict import frequencies

    freq = frequencies(p for s, e, _ in cands for p in _pieces(text, s, e))
    if freq is None:
        return []
    return [Correction(s, e, text[s:e], t) for s, e, t in cands if not _own_word(text, s, e, t, freq)]


def correct(text: str) -> Corrected:
    """``text`` with misheard debt terms read back (same length), and what was replaced.

    >>> correct("你已经一七三个月了").text
    '你已经逾期三个月了'
    >>> correct("与其这样不如聊聊天").text
    '与其这样不如聊聊天'
    """
    pat, to_term = _pattern()
    out: list[str] = []
    fixes: list[Correction] = []
    pos = 0
    for m in pat.finditer(text):
        heard = m.group()
        term = to_term[heard]
        if len(term) != len(heard) or not _context_ok(text, m.start(), m.end(), heard, term):
            continue
        fixes.append(Correction(m.start(), m.end(), heard, term))
    fixes += sound_alikes(text, [(c.start, c.end) for c in fixes])
    if not fixes:
        return Corrected(text)
    fixes.sort(key=lambda c: c.start)
    for c in fixes:
        out.append(text[pos:c.start])
        out.append(c.term)
        pos = c.end
    out.append(text[pos:])
    return Corrected("".join(out), fixes)


def note_zh(corrections: list[Correction]) -> str:
    """识别为“一七”，按“逾期”理解；识别为“换款”，按“还款”理解"""
    return "；".join(dict.fromkeys(c.note_zh() for c in corrections))
