"""Features of one agent turn for the learned second opinion.

A turn is described by

- its character n-grams (1 to 3 characters) of the *normalized* text (``text.normalize``:
  simplified, half width, 您→你, Arabic numerals), as a binary vector scaled to unit length;
  runs of digits read ``0`` (an amount is an amount, whatever its value: 250 and 380 look the same
  unless a word frames them);
- the same unigrams and bigrams prefixed ``T|`` when the listener is a third party (the dialogue
  state), so that debt words can weigh differently before a relative than before the debtor;
- dense features: per lexicon category the best scored hit, a negated hit, a weak-entry hit and
  the number of hits (from the Detector's scored lexicon hits), a negation cue anywhere in the
  turn, quotation / reported speech, who is on the line (debtor / third party / unknown), a notice
  (SMS / letter), a second-person pronoun, a condition (要是/如果/再不), a question, the length and
  the position of the turn in the call.

The same function serves training and run time, so the two cannot drift apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

MODEL_CATEGORIES = ("threat", "abuse", "third_party_disclosure", "unauthorized_waiver", "impersonation")
NGRAM_MAX = 3

_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_SPACE = re.compile(r"\s+")
_QUOTES = re.compile("[“”「」『』\"]")
_SECOND = re.compile("你|您|咱")
_COND = re.compile("要是|如果|假如|万一|只要|再不|不然|否则|的话")
_QUESTION = re.compile(r"[?？吗]|是不是|怎么")

# (name, Chinese label for explanations)
DENSE: list[tuple[str, str]] = []
for _c, _zh in (("threat", "威胁"), ("abuse", "辱骂"), ("third_party_disclosure", "泄露"),
                ("unauthorized_waiver", "减免"), ("impersonation", "冒充")):
    DENSE += [(f"lex:{_c}:max", f"{_zh}词库命中分"), (f"lex:{_c}:neg", f"{_zh}词库命中被否定"),
              (f"lex:{_c}:weak", f"{_zh}词库弱命中"), (f"lex:{_c}:n", f"{_zh}词库命中数")]
DENSE += [("neg_cue", "句中有否定词"), ("quote", "引号/转述"), ("party:debtor", "对方为债务人"),
          ("party:third_party", "对方为第三人"), ("party:unknown", "对方身份未明"), ("kind:text", "短信/信函"),
          ("second_person", "第二人称"), ("conditional", "条件句"), ("question", "问句"),
          ("length", "句长"), ("position", "在通话中的位置")]
DENSE_INDEX = {name: k for k, (name, _) in enumerate(DENSE)}
N_DENSE = len(DENSE)


def prepare(text: str) -> str:
    """The string the n-grams are taken from: normalized text, spaces collapsed, digit runs → 0."""
    return _DIGITS.sub("0", _SPACE.sub(" ", text).strip())


def ngrams(text: str, third_party: bool = False) -> list[str]:
    """Distinct character n-grams (1..NGRAM_MAX) of ``prepare(text)``, in first-seen order; with
    ``third_party`` also the ``T|`` unigrams and bigrams."""
    t = prepare(text)
    seen: dict[str, None] = {}
    n = len(t)
    for k in range(1, NGRAM_MAX + 1):
        for a in range(0, n - k + 1):
            g = t[a:a + k]
            if g.strip():
                seen.setdefault(g, None)
    if third_party:
        for k in (1, 2):
            for a in range(0, n - k + 1):
                g = t[a:a + k]
                if g.strip():
                    seen.setdefault("T|" + g, None)
    return list(seen)


@dataclass
class TurnFeatures:
    text: str            # normalized text of the turn
    grams: list[str]     # distinct n-grams (see ngrams)
    dense: np.ndarray    # float32, len N_DENSE


def turn_features(ctx: Any, i: int) -> TurnFeatures:
    """Features of segment ``i`` of the call in ``ctx`` (a ``RuleContext`` built by
    ``Detector.context``: normalized texts, scored lexicon hits, dialogue state)."""
    text = ctx.text(i)
    det = ctx.detector
    party = ctx.dialogue.party[i] if ctx.dialogue is not None else "unknown"
    dense = np.zeros(N_DENSE, dtype=np.float32)
    counts: dict[str, int] = {}
    for h in ctx.hits[i] if i < len(ctx.hits) else ():
        c = h.entry.category
        if c not in MODEL_CATEGORIES:
            continue
        counts[c] = counts.get(c, 0) + 1
        k = DENSE_INDEX[f"lex:{c}:max"]
        dense[k] = max(dense[k], float(h.score))
        if h.negated:
            dense[DENSE_INDEX[f"lex:{c}:neg"]] = 1.0
        if h.entry.weak:
            k = DENSE_INDEX[f"lex:{c}:weak"]
            dense[k] = max(dense[k], float(h.entry.score))
    for c, n in counts.items():
        dense[DENSE_INDEX[f"lex:{c}:n"]] = min(n, 3) / 3.0
    cue = getattr(det, "_cue_re", None)
    if cue is not None and cue.search(text):
        dense[DENSE_INDEX["neg_cue"]] = 1.0
    if _QUOTES.search(text) or any(p.search(text) for _, _, p in getattr(det.negation, "reported", [])):
        dense[DENSE_INDEX["quote"]] = 1.0
    dense[DENSE_INDEX.get(f"party:{party}", DENSE_INDEX["party:unknown"])] = 1.0
    if ctx.call is not None and ctx.call.kind == "text":
        dense[DENSE_INDEX["kind:text"]] = 1.0
    if _SECOND.search(text):
        dense[DENSE_INDEX["second_person"]] = 1.0
    if _COND.search(text):
        dense[DENSE_INDEX["conditional"]] = 1.0
    if _QUESTION.search(text):
        dense[DENSE_INDEX["question"]] = 1.0
    dense[DENSE_INDEX["length"]] = min(len(text), 120) / 120.0
    n = len(ctx.call.segments) if ctx.call is not None else 1
    dense[DENSE_INDEX["position"]] = i / (n - 1) if n > 1 else 0.0
    return TurnFeatures(text=text, grams=ngrams(text, third_party=(party == "third_party")), dense=dense)
