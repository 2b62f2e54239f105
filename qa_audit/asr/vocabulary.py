"""Domain vocabulary for decoding: the call's institution names and the words of debt collection.

Whisper writes a word it does not expect with characters that sound alike (逾期 → 一七 / 预期,
还款 → 换款, a lender's name → anything).  faster-whisper's ``hotwords`` put a short text before
every 30 s window (in the previous-text slot of the prompt), which raises the odds of those words;
``initial_prompt`` (both backends; openai-whisper has no hotwords) conditions the first window only.

:func:`hotwords_for` gives the hotwords of one call: its institution names (``institution``
metadata, :func:`qa_audit.core.dial_log.call_institutions`), then :data:`COLLECTION_TERMS`;
:func:`prompt_for` a short sentence with the same words.  ``Transcriber(vocabulary=...)`` chooses:

- ``"hotwords"`` (default): faster-whisper hotwords (openai-whisper: the same text as its prompt);
- ``"prompt"``: an initial prompt sentence on both backends;
- ``"none"``: neither (the decoding before issue 10).

Measured on the 12 sample recordings (``benchmarks/asr_vocabulary.py``, faster-whisper base int8,
with the repeat collapsing of asr/cleanup.py), none → hotwords: mean CER 0.212 → 0.219 (better on
3 of the first 6 calls, worse on most of the rest), key-term recall 0.34 → 0.69, institution
names 0.13 → 0.80, punctuation marks per 100 characters 8.1 → 11.9 (truth 11.8), true sentence
ends kept 0.939 → 0.951.  On the first 6: prompt CER 0.215, a bare word list as hotwords 0.249
with almost no punctuation (2.2) and hotword loops.  Hotwords are the default because the rules
read the terms and names; they cost 0.007 of CER.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Optional

from qa_audit.core.dial_log import call_institutions
from qa_audit.core.model import Call

VOCABULARY_MODES = ("hotwords", "prompt", "none")
DEFAULT_VOCABULARY = "hotwords"

# words of debt collection that Whisper base mishears most on the sample calls (and the rules read)
COLLECTION_TERMS = ("逾期", "还款", "催收", "信用卡", "本金", "利息", "减免", "征信", "律师", "法院",
                    "欠款", "账单", "分期", "罚息", "违约金", "结清", "最低还款", "小贷", "消费金融", "工号")
MAX_HOTWORD_CHARS = 80  # keeps the prompt short (faster-whisper cuts it at half the context)


def vocabulary_names(call: Optional[Call], extra: Iterable[str] = ()) -> list[str]:
    """Institution names for the call (its metadata) plus ``extra`` (configured names)."""
    names = call_institutions(call) if call is not None else []
    return list(dict.fromkeys([*names, *extra]))


def hotwords_for(call: Optional[Call], terms: Iterable[str] = COLLECTION_TERMS,
                 extra_names: Iterable[str] = (), plain: bool = False) -> str:
    """The hotwords text of a call: a punctuated sentence naming its institutions, then the
    collection terms (``华远银行的催收电话：逾期、还款、……。``), at most MAX_HOTWORD_CHARS characters
    (whole words).  Punctuated because Whisper copies the prompt's style: a bare word list
    (``plain``) made base drop almost all punctuation on the sample calls (1.3 marks per 100
    characters against 8.1) and raised CER from 0.212 to 0.267."""
    names = vocabulary_names(call, extra_names)
    words = list(dict.fromkeys(terms))
    if plain:
        words = list(dict.fromkeys([*names, *words]))
    head = "" if plain else (f"{'、'.join(names[:3])}的催收电话：" if names else "催收电话：")
    out: list[str] = []
    n = len(head)
    for w in words:
        if n + len(w) + 1 > MAX_HOTWORD_CHARS:
            break
        out.append(w)
        n += len(w) + 1
    return " ".join(out) if plain else head + "、".join(out) + "。"


def prompt_for(call: Optional[Call], terms: Iterable[str] = COLLECTION_TERMS,
               extra_names: Iterable[str] = ()) -> str:
    """An initial prompt sentence: ``华远银行的催收电话，说到逾期、还款、本金、利息。``"""
    names = vocabulary_names(call, extra_names)
    head = f"{'、'.join(names[:3])}的催收电话" if names else "催收电话"
    return f"{head}，说到{'、'.join(list(terms)[:10])}。"


def decode_vocabulary(mode: str, call: Optional[Call], extra_names: Iterable[str] = ()) -> dict:
    """The decode options a vocabulary mode adds for one call (``hotwords`` / ``initial_prompt``)."""
    if mode not in VOCABULARY_MODES:
        raise ValueError(f"vocabulary must be one of {', '.join(VOCABULARY_MODES)}, not {mode!r}")
    if mode == "hotwords":
        return {"hotwords": hotwords_for(call, extra_names=extra_names)}
    if mode == "prompt":
        return {"initial_prompt": prompt_for(call, extra_names=extra_names)}
    return {}


def vocabulary_words(options: dict) -> list[str]:
    """The words a call's decode options (:func:`decode_vocabulary`) put before the audio."""
    text = options.get("hotwords") or options.get("initial_prompt") or ""
    text = re.sub(r"的催收电话|催收电话|，说到", "、", text)
    return [w for w in re.split(r"[、：:，,。\s]+", text) if w]


_ITEM = r"[^、，,。？?！!：:；;\s]{1,8}"
_ECHO_RUN = re.compile(rf"(?:(?:{_ITEM})?的?催收电话[：:])?{_ITEM}(?:、{_ITEM})+、?(?=。|$)。?")


def _like(item: str, words: list[str]) -> bool:
    """``item`` is a vocabulary word or one written with one character changed (收费金融 for 消费金融,
    账贷 for 账单; not 你要还款 for 最低还款)."""
    for w in words:
        if item == w or len(item) == len(w) >= 2 and sum(a != b for a, b in zip(item, w)) <= 1:
            return True
    return False


def strip_echo(text: str, words: Iterable[str]) -> tuple[str, list[tuple[int, int]]]:
    """``text`` without the runs of the vocabulary Whisper wrote back as speech, and where they were.

    With hotwords, Whisper base sometimes ends a turn by reciting them: ``你就说是推款的,他知道。小贷、
    小贷、消费金融、工号。`` or ``我许是随心借平台的催收电话：逾期、催收、信用卡、本金、收费金融。``.  Such a
    run is a list of two or more items separated by 、 that ends a sentence, every item a vocabulary
    word or written like one, one of them exactly one; a ``……的催收电话：`` head before it goes with it.
    A list inside a sentence (``信用卡、欠款、属于民事纠纷``) stays.  The hotwords' head ends in a colon
    (``……的催收电话：``) and Whisper copies it: a colon closing a turn, alone or with the start of a
    vocabulary word (``是我,怎么了：逾`` / ``现在就转不开：逾期。``), goes, and every other colon reads as
    a comma (on the 87 audio_eval calls: 70 such tails and 35 colons; CER 0.2974 → 0.2965).

    >>> strip_echo("你就说是推款的,他知道。小贷、小贷、消费金融、工号。", ["小贷", "消费金融", "工号"])[0]
    '你就说是推款的,他知道。'
    """
    words = [w for w in dict.fromkeys(words) if w]
    if not words:
        return text, []
    spans = []
    for m in _ECHO_RUN.finditer(text):
        run = m.group()
        head = re.match(r"(?:.*?催收电话[：:])?", run).group()
        items = [x for x in re.split(r"[、。]", run[len(head):]) if x]
        if len(items) >= 2 and all(_like(x, words) for x in items) and any(x in words for x in items):
            s = m.start()
            if head:  # 我许是随心借平台的催收电话：: only the recited name and 的催收电话 go
                name = re.sub(r"的?催收电话[：:]$", "", head)
                keep = next((k for k in range(len(name)) if _like(name[k:], words)), len(name))
                s += keep
            if s > 0 and text[s - 1] in "、":  # 金、消费金融…: a cut item before the run
                s -= 1
            spans.append((s, m.end()))
    # ……怎么了：逾 / 现在就转不开：逾期。: the head's colon and the start of its list closing a turn
    if (m := _colon_tail(tuple(words)).search(text)) and not any(s <= m.start() < e for s, e in spans):
        spans.append((m.start(), m.end() - len(m.group(1))))
    spans.sort()
    out, pos = [], 0
    for s, e in spans:
        out.append(text[pos:s])
        pos = e
    out.append(text[pos:])
    # the prompt's colon copied as a pause (我是小橙分期的贷后专员小韩：…): a comma, or a full stop at the end
    kept = re.sub(r"[：:]", "，", "".join(out).strip())
    if spans and kept and not re.search(r"[。.！!？?，,、]$", kept):
        kept += "。"
    return kept, spans


@lru_cache(maxsize=64)
def _colon_tail(words: tuple[str, ...]) -> re.Pattern:
    """A colon, then nothing or the start of a vocabulary word, ending the text (group 1: the full
    stop after it, which stays)."""
    heads = sorted({w[:k] for w in words for k in range(1, len(w) + 1)}, key=len, reverse=True)
    return re.compile(r"[：:](?:" + "|".join(map(re.escape, heads)) + r")?([。.]?)$")
