"""Decoding (channels kept apart, 16 kHz float32), clear errors, streamed VAD, audio metrics."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from qa_audit.audio import decode as audio
from qa_audit.audio import AudioError, audio_metrics, channel_turns, decode_channel, probe

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "samples" / "asr_fixture" / "D0004_16s.wav"
TRUTH = json.loads((ROOT / "samples" / "asr_fixture" / "D0004_16s.json").read_text(encoding="utf-8"))


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def tone_stereo(tmp_path_factory) -> Path:
    """8 kHz stereo: a 440 Hz tone on the left only, silence on the right."""
    p = tmp_path_factory.mktemp("a") / "tone.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=3",
           "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-filter_complex",
           "[0:a][1:a]amerge=inputs=2[a]", "-map", "[a]", "-t", "3", str(p))
    return p


def test_channels_stay_apart_and_are_resampled(tone_stereo):
    info = probe(tone_stereo)
    assert (info.channels, info.sample_rate) == (2, 8000)
    left, right = decode_channel(tone_stereo, 0), decode_channel(tone_stereo, 1)
    assert left.dtype == np.float32 and abs(len(left) - 3 * 16000) <= 160
    assert np.sqrt(np.mean(left ** 2)) > 0.05
    assert np.abs(right).max() < 1e-3


@pytest.mark.parametrize("ext", ["mp3", "flac", "ogg", "m4a"])
def test_formats_decode(tmp_path, tone_stereo, ext):
    p = tmp_path / f"tone.{ext}"
    ffmpeg("-i", str(tone_stereo), str(p))
    assert ext in {e.lstrip(".") for e in audio.AUDIO_EXTENSIONS}
    left = decode_channel(p, 0)
    assert len(left) > 2.5 * 16000 and np.sqrt(np.mean(left ** 2)) > 0.05


def test_bad_files_raise_audio_error_naming_the_file(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp3"
    text.write_text("这不是音频文件" * 50, encoding="utf-8")
    cases = {empty: "empty file", text: "not a readable audio file"}
    six = tmp_path / "six.wav"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=8000:cl=5.1", "-t", "1", str(six))
    cases[six] = "6 audio channels"
    trunc = tmp_path / "trunc.wav"
    trunc.write_bytes(FIXTURE.read_bytes()[:60000])  # header promises 16.6 s
    image = tmp_path / "image.wav"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=16x16", "-frames:v", "1", "-f", "image2", "-c:v", "png", str(image))
    cases[image] = "no audio stream"
    for path, reason in cases.items():
        with pytest.raises(AudioError) as e:
            decode_channel(path, 0)
        assert str(e.value).startswith(str(path)) and reason in str(e.value), str(e.value)
    with pytest.raises(AudioError, match=r"trunc\.wav: truncated or damaged: decoded 1\.\d s"):
        decode_channel(trunc, 0)
    with pytest.raises(AudioError, match="no such file|cannot read"):
        probe(tmp_path / "missing.wav")


def test_vad_turns_match_true_turns_and_streaming_changes_nothing():
    whole = list(channel_turns(FIXTURE, 0, chunk_s=600))
    streamed = list(channel_turns(FIXTURE, 0, chunk_s=3))  # turns cross chunk boundaries
    assert len(whole) == len(streamed)
    for a, b in zip(whole, streamed):  # Silero's state differs a little at a chunk seam
        assert abs(a.start - b.start) < 0.15 and abs(a.end - b.end) < 0.15
    true_agent = [(s["start"], s["end"]) for s in TRUTH["segments"] if s["speaker"] == "agent"]
    assert len(whole) == len(true_agent)
    for t, (s, e) in zip(whole, true_agent):
        assert s - 0.3 <= t.start and t.end <= e + 0.3
        assert t.clip_start <= t.start and t.clip_start + len(t.audio) / 16000 >= t.end


def test_silence_and_noise_floor_have_no_turns(tmp_path):
    p = tmp_path / "quiet.wav"
    ffmpeg("-f", "lavfi", "-i", "anoisesrc=r=8000:a=0.002:c=pink:d=8", "-ac", "2", str(p))
    assert list(channel_turns(p, 0)) == [] and list(channel_turns(p, 1)) == []


def test_audio_metrics_example():
    m = audio_metrics([(0, 10), (15, 20)], [(8, 12)], duration=25, agent_chars=60)
    assert m["agent_talk_s"] == 15 and m["customer_talk_s"] == 4
    assert m["overtalk_s"] == 2
    assert m["silence_s"] == 25 - 17 and m["silence_ratio"] == round(8 / 25, 4)
    assert m["longest_silence_s"] == 3  # 12 -> 15; leading/trailing silence is not "in" the call
    assert m["agent_speech_rate_cpm"] == 240.0
    assert audio_metrics([], [], duration=5)["silence_ratio"] == 1.0


def test_ffmpeg_present():
    assert shutil.which("ffmpeg") and shutil.which("ffprobe")
