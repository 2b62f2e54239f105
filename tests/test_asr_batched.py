"""Batched decoding (the default mode): turns joined into clips of at most 30 s, the clips of both
channels decoded in one batched call, every word back to its turn.  A fake backend "hears" which
turn a stretch of audio came from (each turn's audio is a constant value), so the test checks the
bookkeeping without a model."""
from __future__ import annotations

import numpy as np
import pytest

from qa_audit.asr.backends import RawSegment, RawWord, _rounds
from qa_audit.asr.turns import CLIP_S, GAP_S, TurnDecoder, _clip_groups
from qa_audit.audio.decode import SAMPLE_RATE
from qa_audit.audio.vad import Turn


def turn(channel: int, start: float, length: float, value: float) -> Turn:
    audio = np.full(int(length * SAMPLE_RATE), value, dtype=np.float32)
    return Turn(start=start + 0.1, end=start + length - 0.1, channel=channel, audio=audio, clip_start=start)


class Ear:
    """One word per run of constant non-zero audio, at the run's middle, saying the value."""

    name = "fake"

    def __init__(self):
        self.calls = []
        self.alone = 0

    def _words(self, audio, a: float, b: float) -> list[RawWord]:
        x = audio[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)]
        words, i = [], 0
        while i < len(x):
            if x[i] == 0:
                i += 1
                continue
            j = i
            while j < len(x) and x[j] == x[i]:
                j += 1
            mid = a + (i + j) / 2 / SAMPLE_RATE
            words.append(RawWord(mid - 0.05, mid + 0.05, f"w{round(float(x[i]) * 1000)}", 0.9))
            i = j
        return words

    def decode(self, audio, opts):
        self.alone += 1
        ws = self._words(audio, 0, len(audio) / SAMPLE_RATE)
        return [RawSegment(ws[0].start, ws[-1].end, "".join(w.word for w in ws), -0.2, 0.01, 1.2, ws)] if ws else []


class Hearing(Ear):
    """... and decodes clips in batches."""

    def decode_clips(self, audio, clips, opts, batch_size=8, streams=None):
        self.calls.append((list(clips), list(streams or []), dict(opts)))
        out = []
        for a, b in clips:
            assert b - a <= CLIP_S + 1e-6
            ws = self._words(audio, a, b)
            if ws:
                out.append(RawSegment(ws[0].start, ws[-1].end, "".join(w.word for w in ws), -0.2, 0.01, 1.2, ws))
        return out


def channel(ch: int, n: int, length: float, pause: float, base: int) -> list[Turn]:
    return [turn(ch, k * (length + pause), length, (base + k) / 1000) for k in range(n)]


def test_clip_groups_fill_clips_without_exceeding_30_s():
    turns = channel(0, 12, 4.0, 3.0, 1)  # 4 s turns, 3 s pauses (capped at 1 s when joined)
    groups = _clip_groups(turns, max_gap=1.0)
    assert [k for g in groups for k in g] == list(range(12))  # every turn once, in order
    for g in groups:
        joined = sum(len(turns[k].audio) for k in g) / SAMPLE_RATE + (len(g) - 1) * 1.0 + GAP_S
        assert joined <= CLIP_S
    assert [len(g) for g in groups] == [6, 6]  # 6 turns + 5 pauses + 0.2 s = 29.2 s; a 7th: 34.2 s
    long = [turn(0, 0, 40.0, 0.5), *channel(0, 2, 3.0, 1.0, 2)]
    assert _clip_groups(long)[0] == [0]


def test_rounds_pair_the_clips_of_each_stream_in_order():
    assert _rounds([0, 0, 1, 0, 1]) == [[0, 2], [1, 4], [3]]
    assert _rounds([1, 1, 1]) == [[0], [1], [2]]


def test_both_channels_in_one_call_and_every_word_back_to_its_turn():
    agent, customer = channel(0, 9, 3.0, 2.5, 1), channel(1, 4, 2.0, 8.0, 101)
    fake = Hearing()
    dec = TurnDecoder(fake, {"beam_size": 5, "condition_on_previous_text": False}, max_gap=1.0)
    words = dec.batched([agent, customer])
    assert len(fake.calls) == 1  # one batched call for the whole recording
    clips, streams, _ = fake.calls[0]
    assert streams == sorted(streams) and set(streams) == {0, 1} and len(clips) == len(streams)
    assert [[w.word for w in ws] for ws in words[0]] == [[f"w{1 + k}"] for k in range(9)]
    assert [[w.word for w in ws] for ws in words[1]] == [[f"w{101 + k}"] for k in range(4)]
    for turns, ws in zip((agent, customer), words):  # times back in the recording, inside the turn
        for t, w in zip(turns, ws):
            mid = t.clip_start + len(t.audio) / SAMPLE_RATE / 2
            assert w[0].start == pytest.approx(mid - 0.05, abs=0.01)
    assert fake.alone == 0 and dec.stats["fallback_turns"] == 0


def test_a_turn_longer_than_a_clip_and_a_turn_without_words_are_decoded_alone():
    turns = [turn(0, 0.0, 35.0, 0.007), turn(0, 36.0, 3.0, 0.008)]
    silent = turn(0, 40.0, 2.0, 0.0)  # "hears" nothing in the batch
    silent.audio[:] = 0
    fake = Hearing()
    dec = TurnDecoder(fake, {"beam_size": 5}, max_gap=1.0)
    words = dec.batched([turns + [silent]])
    assert [w.word for w in words[0][0]] == ["w7"] and [w.word for w in words[0][1]] == ["w8"]
    assert words[0][2] == []
    assert fake.alone == 2 and dec.stats["fallback_turns"] == 2  # the long one and the silent one


def test_backend_without_batching_decodes_each_clip_at_its_place():
    agent = channel(0, 3, 2.0, 1.0, 1)
    fake = Ear()
    dec = TurnDecoder(fake, {"beam_size": 5}, max_gap=1.0)
    words = dec.batched([agent])
    assert [[w.word for w in ws] for ws in words[0]] == [["w1"], ["w2"], ["w3"]]
    assert fake.alone == 1  # the one clip, decoded by decode()


@pytest.mark.slow
def test_clips_tiling_the_whole_audio_decode():
    """Real Whisper: a recording whose clips tile the joined audio exactly (faster-whisper asserted
    on the rounding error of duration - sum(clips) and the file failed)."""
    from pathlib import Path

    from qa_audit.asr.transcriber import Transcriber

    path = Path(__file__).resolve().parents[1] / "samples" / "audio_eval" / "E0068.mp3"
    call = Transcriber(cpu_threads=2).transcribe(path)
    assert call.duration > 30 and len(call.segments) >= 4
    assert {s.speaker for s in call.segments} == {"agent", "customer"}
