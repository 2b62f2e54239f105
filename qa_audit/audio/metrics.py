"""Per-call audio metrics: talk time, silence and overtalk from the two sides' speech intervals,
and the median pitch of a clip."""
from __future__ import annotations

import re
from typing import Any, Iterable, Optional, Sequence

from qa_audit.audio.decode import SAMPLE_RATE

Interval = tuple[float, float]


def _union(iv: Iterable[Interval]) -> list[Interval]:
    out: list[list[float]] = []
    for s, e in sorted((float(s), float(e)) for s, e in iv if e > s):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _total(iv: Sequence[Interval]) -> float:
    return sum(e - s for s, e in iv)


def _intersection(a: Sequence[Interval], b: Sequence[Interval]) -> float:
    i = j = 0
    tot = 0.0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            tot += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tot


def audio_metrics(agent: Sequence[Interval], customer: Sequence[Interval], duration: float,
                  agent_chars: Optional[int] = None) -> dict[str, Any]:
    """Per-call talk metrics from the two sides' speech intervals (seconds).

    - ``agent_talk_s`` / ``customer_talk_s``: speech time of each side;
    - ``silence_s`` / ``silence_ratio``: time (share of the call) in which nobody speaks;
    - ``longest_silence_s``: longest stretch with nobody speaking between the first and last speech;
    - ``overtalk_s``: time both speak at once;
    - ``agent_speech_rate_cpm``: agent characters per minute of agent speech (needs the transcript).

    Example: agent [(0, 10)], customer [(8, 12)], duration 20 -> agent 10 s, customer 4 s,
    overtalk 2 s, silence 8 s (ratio 0.4), longest silence 0 s (none between speech).
    """
    a, c = _union(agent), _union(customer)
    both = _union(list(a) + list(c))
    duration = max(float(duration or 0.0), both[-1][1] if both else 0.0)
    speech = _total(both)
    gaps = [s2 - e1 for (_, e1), (s2, _) in zip(both, both[1:])]
    a_talk = _total(a)
    m: dict[str, Any] = {
        "duration_s": round(duration, 2),
        "agent_talk_s": round(a_talk, 2),
        "customer_talk_s": round(_total(c), 2),
        "silence_s": round(max(0.0, duration - speech), 2),
        "silence_ratio": round(max(0.0, duration - speech) / duration, 4) if duration > 0 else 0.0,
        "longest_silence_s": round(max(gaps), 2) if gaps else 0.0,
        "overtalk_s": round(_intersection(a, c), 2),
        "agent_turns": len(a),
        "customer_turns": len(c),
    }
    if agent_chars is not None:
        m["agent_chars"] = int(agent_chars)
        m["agent_speech_rate_cpm"] = round(agent_chars / (a_talk / 60.0), 1) if a_talk > 0 else None
    return m


def segments_audio_metrics(segments: Sequence[Any], duration: float) -> dict[str, Any]:
    """:func:`audio_metrics` from transcript segments: their times by speaker, and the agent's
    characters (punctuation and spaces not counted) for the speech rate."""
    agent = [(s.start, s.end) for s in segments if s.speaker == "agent"]
    cust = [(s.start, s.end) for s in segments if s.speaker == "customer"]
    chars = sum(len(re.sub(r"[\W_]+", "", s.text)) for s in segments if s.speaker == "agent")
    return audio_metrics(agent, cust, duration, agent_chars=chars)


def call_audio_metrics(call) -> dict[str, Any]:
    """:func:`audio_metrics` from a transcript's segment times (mono calls, or without the audio)."""
    return segments_audio_metrics(call.segments, call.duration or 0.0)


def median_f0(audio, sr: int = SAMPLE_RATE, fmin: float = 60.0, fmax: float = 400.0) -> Optional[float]:
    """Median pitch (Hz) of the voiced frames of a clip (normalised autocorrelation), or None.

    Works on 300-3400 Hz telephone audio too: the harmonics keep the period even where the
    fundamental itself was filtered out.
    """
    import numpy as np

    x = np.asarray(audio, dtype=np.float32)
    win, hop = int(0.04 * sr), int(0.01 * sr)
    if len(x) < win:
        return None
    n = 1 + (len(x) - win) // hop
    idx = np.arange(win)[None, :] + hop * np.arange(n)[:, None]
    frames = x[idx] * np.hanning(win).astype(np.float32)
    energy = (frames ** 2).sum(axis=1)
    keep = energy > max(1e-6, 0.3 * np.median(energy))
    frames = frames[keep]
    if len(frames) == 0:
        return None
    spec = np.fft.rfft(frames, n=2 * win, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :win]
    ac = ac / np.maximum(ac[:, :1], 1e-12)
    lo, hi = int(sr / fmax), int(sr / fmin)
    lags = lo + np.argmax(ac[:, lo:hi], axis=1)
    peak = ac[np.arange(len(ac)), lags]
    voiced = peak > 0.5
    if voiced.sum() < 3:
        return None
    return float(np.median(sr / lags[voiced]))
