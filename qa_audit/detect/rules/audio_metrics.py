"""Audio-metric rules (``scope = "audio"``): speech rate and long silences.

They read ``ctx.audio`` (the metrics the ASR stage stores in ``call.metadata["audio_metrics"]``)
and fall back to the segment timestamps when a call has no metrics (a transcript JSON input):

- agent speech rate, characters per minute of agent talk time;
- longest silence, seconds with nobody speaking between the first and the last utterance.

Options (``qa-audit run --rule-option NAME=VALUE``): ``audio_max_chars_per_min`` (default 380;
the synthesized sample calls run at 280–350), ``audio_max_silence_s`` (default 15).
"""
from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from qa_audit.core.model import Call, Finding
from qa_audit.detect.rules.base import Rule, RuleContext
from qa_audit.detect.rules.registry import register

DEFAULTS = {"audio_max_chars_per_min": 380.0, "audio_max_silence_s": 15.0}

_CHAR = re.compile(r"[\w\u4e00-\u9fff]")  # spoken characters: no punctuation or spaces

_RATE_KEYS = ("agent_speech_rate_cpm", "agent_chars_per_min", "agent_speech_rate", "agent_cpm", "speech_rate_agent")
_SILENCE_KEYS = ("longest_silence_s", "longest_silence", "max_silence", "max_silence_s")


def _opt(ctx: RuleContext, name: str) -> float:
    v = (ctx.options or {}).get(name)
    return float(v) if v is not None else float(DEFAULTS[name])


def _metric(metrics: Any, keys: tuple[str, ...]) -> Optional[float]:
    if not isinstance(metrics, dict):
        return None
    for k in keys:
        v = metrics.get(k)
        if isinstance(v, (int, float)):
            return float(v)
        if isinstance(v, dict):  # e.g. {"agent": 312.0}
            a = v.get("agent")
            if isinstance(a, (int, float)):
                return float(a)
    return None


def metrics_of(ctx: RuleContext) -> dict[str, Any]:
    if isinstance(ctx.audio, dict):
        return ctx.audio
    if ctx.call is not None:
        m = ctx.call.metadata.get("audio_metrics")
        if isinstance(m, dict):
            return m
    return {}


def agent_rate_from_segments(call: Call) -> tuple[Optional[float], int, float]:
    """(chars per minute, chars, seconds) of the agent's segments; None when under 5 s of talk."""
    chars, secs = 0, 0.0
    for s in call.segments:
        if s.speaker == "agent" and s.end > s.start:
            chars += len(_CHAR.findall(s.text))
            secs += s.end - s.start
    if secs < 5.0:
        return None, chars, secs
    return chars / secs * 60.0, chars, secs


def longest_gap_from_segments(call: Call) -> tuple[float, Optional[float], Optional[float]]:
    """Longest stretch with no segment, between the first and the last segment: (s, from, to)."""
    spans = sorted((s.start, s.end) for s in call.segments if s.end > s.start)
    best, frm, to = 0.0, None, None
    if not spans:
        return 0.0, None, None
    cur_end = spans[0][1]
    for a, b in spans[1:]:
        if a - cur_end > best:
            best, frm, to = a - cur_end, cur_end, a
        cur_end = max(cur_end, b)
    return best, frm, to


def _call_finding(rule: Rule, call: Call, *, start: Optional[float], end: Optional[float],
                  explanation: str, evidence: str, meaning: str, **details: Any) -> Finding:
    f = Finding(
        call_id=call.call_id, rule=rule.code, category=rule.category, severity=rule.severity,
        segment=None, start=None if start is None else round(start, 3),
        end=None if end is None else round(end, 3), speaker="agent", evidence=evidence,
        char_start=None, char_end=None, message=rule.message, explanation=explanation, score=1.0,
        details=details,
    )
    f.reason = rule.reason_for(f, meaning)
    return f


@register
class Audio001(Rule):
    """Agent speaks too fast (语速过快): above 380 characters per minute of agent talk time.

    Uses ``audio_metrics.agent_speech_rate_cpm`` when the recording has metrics, else the agent's
    characters divided by the duration of the agent's segments (at least 5 s of agent talk).

    **Bad**::

        agent: 40 characters in 6 s   # 400 chars/min

    **Good**::

        agent: 40 characters in 10 s  # 240 chars/min
    """
    code = "AUDIO-001"
    name = "speech-too-fast"
    category = "audio_quality"
    severity = "low"
    basis = "公司《电话催收质检评分表》沟通礼仪：语速适中、吐字清晰"
    scope = "audio"
    message = "坐席语速过快"
    reason_template = "坐席语速 {chars_per_min} 字/分钟，超过 {limit} 字/分钟的上限"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        call = ctx.call
        if call is None or call.kind != "call" or not call.segments:
            return
        limit = _opt(ctx, "audio_max_chars_per_min")
        rate = _metric(metrics_of(ctx), _RATE_KEYS)
        source = "audio_metrics"
        if rate is None:
            rate, chars, secs = agent_rate_from_segments(call)
            source = f"segments ({chars} chars in {secs:.1f} s)"
        if rate is not None and rate > limit:
            yield _call_finding(
                self, call, start=None, end=None, evidence=f"坐席语速 {rate:.0f} 字/分钟",
                explanation=f"agent speech rate {rate:.1f} chars/min > {limit:.0f} (from {source})",
                meaning=f"坐席语速每分钟 {rate:.0f} 字，超过每分钟 {limit:.0f} 字的上限",
                chars_per_min=round(rate, 1), limit=limit,
            )


@register
class Audio002(Rule):
    """Long silence on the line (长时间静音): nobody speaks for more than 15 s.

    Uses ``audio_metrics.longest_silence_s`` when the recording has metrics, else the longest gap
    between segments (between the first and the last utterance).

    **Bad**::

        agent: 我查一下。   [20 s with nobody speaking]   agent: 您好，还在吗？

    **Good**::

        agent: 我查一下，请稍等。   [6 s]   agent: 查到了。
    """
    code = "AUDIO-002"
    name = "long-silence"
    category = "audio_quality"
    severity = "low"
    basis = "公司《电话催收质检评分表》沟通礼仪：通话中不得长时间冷场或无故静音"
    scope = "audio"
    message = "通话中长时间静音"
    reason_template = "通话中连续 {longest_silence_s} 秒无人说话，超过 {limit} 秒的上限"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        call = ctx.call
        if call is None or call.kind != "call" or not call.segments:
            return
        limit = _opt(ctx, "audio_max_silence_s")
        metrics = metrics_of(ctx)
        longest = _metric(metrics, _SILENCE_KEYS)
        frm = to = None
        source = "audio_metrics"
        if longest is None:
            longest, frm, to = longest_gap_from_segments(call)
            source = "segment gaps"
        else:
            at = metrics.get("longest_silence_at") if isinstance(metrics, dict) else None
            if isinstance(at, (list, tuple)) and len(at) == 2:
                frm, to = float(at[0]), float(at[1])
        if longest > limit:
            where = f" from {frm:.1f} s to {to:.1f} s" if frm is not None and to is not None else ""
            yield _call_finding(
                self, call, start=frm, end=to, evidence=f"静音 {longest:.1f} 秒",
                explanation=f"longest silence {longest:.1f} s{where} > {limit:.0f} s (from {source})",
                meaning=(f"通话中{f'从 {frm:.1f} 秒到 {to:.1f} 秒' if where else ''}连续 {longest:.1f} 秒无人说话，"
                         f"超过 {limit:.0f} 秒的上限"),
                longest_silence_s=round(longest, 2), limit=limit,
            )


def run_audio_rules(call: Call, options: dict[str, Any] | None = None,
                    select: Any = None, ignore: Any = None) -> list[Finding]:
    """Run the selected ``audio`` rules on one call (used when the Detector does not run them)."""
    from qa_audit.detect.rules import registry

    ctx = RuleContext(call=call, options=dict(options or {}),
                      audio=call.metadata.get("audio_metrics"))
    out: list[Finding] = []
    for cls in registry.select(select, ignore, scopes=["audio"]):
        out.extend(cls().findings(ctx))
    return out
