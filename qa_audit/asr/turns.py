"""From VAD turns to transcript segments: decode, give every word to its turn, merge neighbours.

:class:`TurnDecoder` decodes the turns of one channel three ways:

- :meth:`~TurnDecoder.whole_channel`: the WHOLE channel audio (in windows of about WINDOW_S cut in
  the silence between turns) with word timestamps; every word goes to the turn its time falls in
  (or the nearest within WORD_SNAP_S; words farther from every turn are dropped);
- :meth:`~TurnDecoder.joined`: the turns joined into one stream, their pauses capped at MAX_GAP_S;
- :meth:`~TurnDecoder.alone`: one turn by itself.

In the first two a turn that gets no words, or whose Whisper segment loops, is decoded again alone
(fallback).  :func:`make_segment` turns a turn's words into a :class:`Segment` and
:func:`merge_segments` joins same-speaker neighbours.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Protocol

from qa_audit.asr.backends import Backend, RawSegment, RawWord
from qa_audit.asr.cleanup import MAX_COMPRESSION_RATIO, clean_text, is_hallucination, to_simplified
from qa_audit.audio.decode import SAMPLE_RATE
from qa_audit.audio.vad import Turn
from qa_audit.core.model import Segment, Word

WINDOW_S = 300.0  # seconds of turn audio decoded as one stream
GAP_S = 0.2  # least silence between joined turns
MAX_GAP_S = 2.0  # longest real pause kept between joined turns (longer ones are cut)
WORD_SNAP_S = 1.0  # channel mode: a word this far outside every turn is dropped
MERGE_GAP_S = 1.0  # same-speaker VAD turns closer than this, nothing said between, are joined
MIN_FALLBACK_TURN_S = 0.5  # a turn this long that got no words is decoded again alone


def _mid(x: RawWord | RawSegment) -> float:
    return (x.start + x.end) / 2


def _clamp(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


class _Layout(Protocol):
    """Where the turns sit in the audio handed to Whisper."""

    def turn_at(self, t: float) -> Optional[int]: ...  # the turn a time (in that audio) belongs to

    def offset(self, k: int) -> float: ...  # what to add to that time to get the recording's time


class _JoinedLayout:
    """Turns one after the other in a joined stream: a time in a gap goes to the nearer turn."""

    def __init__(self, turns: list[Turn], offsets: list[float]):
        self.turns, self.offsets = turns, offsets
        self.lengths = [len(t.audio) / SAMPLE_RATE for t in turns]

    def turn_at(self, t: float) -> int:
        offsets, lengths = self.offsets, self.lengths
        k = max(0, bisect.bisect_right(offsets, t) - 1)
        if t > offsets[k] + lengths[k] and k + 1 < len(offsets):  # in the gap: nearer turn
            if offsets[k + 1] - t < t - (offsets[k] + lengths[k]):
                k += 1
        return k

    def offset(self, k: int) -> float:
        return self.turns[k].clip_start - self.offsets[k]


class _WindowLayout:
    """A window of the whole channel starting at ``start`` s: a time goes to the turn it falls in,
    or the nearest one within WORD_SNAP_S, or none."""

    def __init__(self, lo: list[float], hi: list[float], start: float):
        self.lo, self.hi, self.start = lo, hi, start

    def turn_at(self, t: float) -> Optional[int]:
        x, lo, hi = self.start + t, self.lo, self.hi
        k = max(0, bisect.bisect_right(lo, x) - 1)
        best, dist = None, WORD_SNAP_S
        for j in (k, k + 1):
            if 0 <= j < len(lo):
                d = max(lo[j] - x, x - hi[j], 0.0)
                if d <= dist:
                    best, dist = j, d
        return best

    def offset(self, k: int) -> float:
        return self.start


def _clip_bounds(turns: list[Turn]) -> tuple[list[float], list[float]]:
    """Start and end (seconds) of every turn's padded clip."""
    return ([t.clip_start for t in turns], [t.clip_start + len(t.audio) / SAMPLE_RATE for t in turns])


def _channel_windows(lo: list[float], hi: list[float], duration: float) -> list[tuple[float, float]]:
    """Windows of about WINDOW_S over the channel, cut in the middle of the gaps between turns."""
    bounds = [0.0]
    for k in range(1, len(lo)):
        if hi[k - 1] - bounds[-1] >= WINDOW_S:
            bounds.append((hi[k - 1] + lo[k]) / 2)
    bounds.append(duration)
    return list(zip(bounds, bounds[1:]))


@dataclass
class TurnDecoder:
    """Decodes the turns of a channel with a loaded backend; counts what it drops in ``stats``."""

    backend: Backend
    opts: dict
    max_gap: float = MAX_GAP_S
    stats: dict = field(default_factory=lambda: {"fallback_turns": 0, "dropped_segments": 0})

    def alone(self, turn: Turn) -> list[RawWord]:
        """Decode one turn by itself; words in the recording's time."""
        words: list[RawWord] = []
        for s in self.backend.decode(turn.audio, self.opts):
            if is_hallucination(s.text, s.no_speech_prob, s.avg_logprob) or s.compression_ratio > MAX_COMPRESSION_RATIO:
                self.stats["dropped_segments"] += 1
                continue
            for w in s.words or [RawWord(s.start, s.end, s.text, 1.0)]:
                words.append(RawWord(turn.clip_start + w.start, turn.clip_start + w.end, w.word,
                                     w.probability, s.avg_logprob, s.no_speech_prob))
        return words

    def joined(self, turns: list[Turn]) -> list[list[RawWord]]:
        """Decode turns as one stream (real pauses kept, at least GAP_S and at most max_gap, the
        rest cut out); words per turn (original times)."""
        stream, offsets = self._join(turns)
        per_turn: list[list[RawWord]] = [[] for _ in turns]
        lo, hi = _clip_bounds(turns)
        redo = self._assign(self.backend.decode(stream, self.opts), _JoinedLayout(turns, offsets), lo, hi, per_turn)
        return self._redo_failed(turns, per_turn, redo)

    def whole_channel(self, audio, turns: list[Turn]) -> list[list[RawWord]]:
        """Decode the whole channel audio (windows of about WINDOW_S cut in the silence between
        turns) with word timestamps; every word goes to the turn its time falls in (or the
        nearest one within WORD_SNAP_S; farther words are dropped)."""
        per_turn: list[list[RawWord]] = [[] for _ in turns]
        if not turns:
            return per_turn
        lo, hi = _clip_bounds(turns)
        redo: set[int] = set()
        for a, b in _channel_windows(lo, hi, len(audio) / SAMPLE_RATE):
            clip = audio[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)]
            if len(clip) < SAMPLE_RATE // 10:
                continue
            redo |= self._assign(self.backend.decode(clip, self.opts), _WindowLayout(lo, hi, a), lo, hi, per_turn)
        return self._redo_failed(turns, per_turn, redo)

    def _join(self, turns: list[Turn]):
        """The turns' audio as one stream, and where (seconds) each turn starts in it."""
        import numpy as np

        parts, offsets = [], []
        pos = 0
        for k, t in enumerate(turns):
            offsets.append(pos / SAMPLE_RATE)
            nxt = turns[k + 1] if k + 1 < len(turns) else None
            real = (nxt.clip_start - t.clip_start - len(t.audio) / SAMPLE_RATE) if nxt else GAP_S
            gap = np.zeros(int(min(max(real, GAP_S), self.max_gap) * SAMPLE_RATE), dtype=np.float32)
            parts += [t.audio, gap]
            pos += len(t.audio) + len(gap)
        return np.concatenate(parts), offsets

    def _assign(self, segments: Iterable[RawSegment], layout: _Layout, lo: list[float], hi: list[float],
                per_turn: list[list[RawWord]]) -> set[int]:
        """Give every word of the kept segments to its turn (clamped to the turn's clip); the
        turns touched by a looping segment come back, to be decoded again alone."""
        redo: set[int] = set()
        for s in segments:
            ks = {layout.turn_at(_mid(w)) for w in s.words} or {layout.turn_at(_mid(s))}
            ks.discard(None)
            if s.compression_ratio > MAX_COMPRESSION_RATIO:  # a repetition loop: decode these turns alone
                redo |= ks  # type: ignore[arg-type]
                continue
            if is_hallucination(s.text, s.no_speech_prob, s.avg_logprob):
                self.stats["dropped_segments"] += 1
                continue
            for w in s.words:
                k = layout.turn_at(_mid(w))
                if k is None:
                    self.stats["dropped_words"] = self.stats.get("dropped_words", 0) + 1
                    continue
                x = layout.offset(k)
                per_turn[k].append(RawWord(_clamp(x + w.start, lo[k], hi[k]), _clamp(x + w.end, lo[k], hi[k]),
                                           w.word, w.probability, s.avg_logprob, s.no_speech_prob))
        return redo

    def _redo_failed(self, turns: list[Turn], per_turn: list[list[RawWord]], redo: set[int]) -> list[list[RawWord]]:
        """Decode alone the turns in ``redo`` and those that got no words."""
        for k, t in enumerate(turns):
            if k in redo or (not per_turn[k] and t.end - t.start >= MIN_FALLBACK_TURN_S):
                self.stats["fallback_turns"] += 1
                per_turn[k] = self.alone(t)
        return per_turn


def windows_of(turns: Iterable[Turn]) -> Iterator[list[Turn]]:
    """Consecutive turns in windows of about WINDOW_S of audio (joined with GAP_S pauses)."""
    window: list[Turn] = []
    size = 0.0
    for turn in turns:
        window.append(turn)
        size += len(turn.audio) / SAMPLE_RATE + GAP_S
        if size >= WINDOW_S:
            yield window
            window, size = [], 0.0
    if window:
        yield window


# --- segments -----------------------------------------------------------------------------------
def _mean(values: list[Optional[float]]) -> Optional[float]:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def make_segment(t: Turn, words: list[RawWord], speaker: str, keep_words: bool = False) -> Optional[Segment]:
    """The segment of a turn (None when no words survived or the text is a hallucination)."""
    text = clean_text("".join(w.word for w in words))
    if not words or is_hallucination(text):
        return None
    seg = Segment(start=t.start, end=t.end, speaker=speaker, text=text, channel=t.channel,
                  avg_logprob=_mean([w.avg_logprob for w in words]),
                  no_speech_prob=_mean([w.no_speech_prob for w in words]))
    if keep_words:
        seg.words = [Word(round(w.start, 3), round(w.end, 3), to_simplified(w.word.strip()),
                          round(float(w.probability), 4)) for w in words]
    return seg


def _absorb(p: Segment, s: Segment) -> None:
    """Append segment ``s`` to ``p`` (text, end, length-weighted confidences, words)."""
    n_p, n_s = len(p.text), len(s.text)
    p.text = p.text + s.text  # one Whisper stream: its punctuation is already there
    p.end = max(p.end, s.end)
    for attr in ("avg_logprob", "no_speech_prob"):
        a, b = getattr(p, attr), getattr(s, attr)
        if a is not None and b is not None:
            setattr(p, attr, (a * n_p + b * n_s) / max(1, n_p + n_s))
    if p.words is not None and s.words is not None:
        p.words = p.words + s.words


def merge_segments(segs: list[Segment], merge_gap: float = MERGE_GAP_S) -> list[Segment]:
    """Join same-speaker neighbours closer than merge_gap with nothing said between."""
    out: list[Segment] = []
    for s in sorted(segs, key=lambda s: (s.start, s.end)):
        p = out[-1] if out else None
        if (p is not None and p.speaker == s.speaker and p.channel == s.channel
                and s.speaker != "unknown" and s.start - p.end < merge_gap):
            _absorb(p, s)
        else:
            out.append(s)
    return out
