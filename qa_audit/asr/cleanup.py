"""What is kept of Whisper's output: its silence hallucinations dropped, text made simplified Chinese.

- :func:`is_hallucination` says why a segment is a silence hallucination (subtitle credits and
  video outros learned from the training data, a prompt echo, a segment with a high no-speech
  probability and a low log-probability), or None;
- :func:`clean_text` removes the spaces Whisper puts around Chinese characters and converts to
  simplified Chinese (OpenCC t2s).
"""
from __future__ import annotations

import re
from typing import Optional

# An optional simplified-Chinese prompt (Transcriber(initial_prompt=INITIAL_PROMPT)).  Off by
# default: on the sample calls it made base skip whole 30 s windows (pooled CER 0.280 vs 0.273).
INITIAL_PROMPT = "以下是普通话的电话录音。"
MAX_COMPRESSION_RATIO = 2.4  # a segment compressing better than this is a repetition loop

# Whisper silence hallucinations: subtitle credits and video outros learned from its training data
HALLUCINATION_PATTERNS = [
    r"字幕(由|制作|提供|校对|翻译|:|：)", r"字幕.{0,12}(提供|制作|志愿者|组)", r"(请|欢迎).{0,6}(点赞|订阅|转发|打赏)",
    r"不吝点赞", r"点赞.{0,4}订阅", r"订阅.{0,6}频道", r"(谢谢|感谢)(大家|您|你们)?的?(观看|收看|收听)",
    r"amara\.org", r"明镜与点点", r"优优独播剧场", r"yoyo television", r"本视频", r"下期再见",
    r"中文字幕", r"小编", r"索兰娅",
]
_HALLU = re.compile("|".join(HALLUCINATION_PATTERNS), re.IGNORECASE)
_PUNCT_ONLY = re.compile(r"^[\W_]*$")
_SPACE_CJK = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def is_hallucination(text: str, no_speech_prob: float | None = None,
                     avg_logprob: float | None = None) -> Optional[str]:
    """Why a Whisper segment is a silence hallucination, or None.

    Bad: "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目" (boilerplate) -> dropped;
    no_speech_prob 0.9 with avg_logprob -1.3 -> dropped.  Good: "您好，这里是快易贷" -> kept.
    """
    t = text.strip()
    if not t or _PUNCT_ONLY.match(t):
        return "empty"
    if _HALLU.search(t):
        return "boilerplate"
    if t.strip("。，,. ") == INITIAL_PROMPT.strip("。"):
        return "prompt echo"
    if no_speech_prob is not None and avg_logprob is not None and no_speech_prob > 0.6 and avg_logprob < -1.0:
        return "no speech"
    return None


_T2S = None


def to_simplified(text: str) -> str:
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    return _T2S.convert(text)


def clean_text(text: str) -> str:
    return to_simplified(_SPACE_CJK.sub("", text.strip()))
