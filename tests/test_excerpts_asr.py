"""End to end on a real recording: real Whisper (faster-whisper base, word timestamps) → Store →
trainer excerpt.  The name the ASR heard is redacted in the text and beeped in the clip at the time
the words say, which lies inside the true turn of samples/audio_truth."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from qa_audit.report import excerpts as E
from qa_audit.report import redact as R
from qa_audit.core.model import Finding, load_call
from qa_audit.store.db import Store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
AUDIO = ROOT / "samples" / "audio" / "D0004.wav"
TRUTH = ROOT / "samples" / "audio_truth" / "D0004.json"


@pytest.fixture(scope="module")
def asr_call():
    from qa_audit.asr.transcriber import Transcriber

    tr = Transcriber(backend="faster-whisper", model="base", words=True)
    call = tr.transcribe(AUDIO)
    call.call_id, call.agent_id, call.started_at = "D0004", "A026", "2026-11-08T14:22:31+08:00"
    call.audio = str(AUDIO)
    return call


def test_whisper_transcript_excerpt_is_redacted_and_beeped(tmp_path, asr_call):
    call = asr_call
    truth = load_call(TRUTH)
    assert call.segments and call.segments[0].words, "word timestamps expected"
    first = call.segments[0]
    res = R.analyze(first.text, R.Context(known_names=R.collect_names(call)))
    names = [r for r in res if r.entity_type == "PERSON"]
    assert names, f"no name found in the ASR opening turn {first.text!r}"
    store = Store(tmp_path / "h.sqlite3")
    k = 0
    f = Finding(call.call_id, "NOID-LBL", "no_self_identification", "medium", 0, first.start, first.end,
                "agent", first.text[:2], k, k + 2, "坐席未表明所属机构", "test finding on the opening turn")
    store.save_call(call, [f])
    s = E.export_excerpts(store, tmp_path / "out", ["no_self_identification"], good_practice=False)
    assert not s.failures and len(s.excerpts) == 1
    ex = s.excerpts[0]
    text = json.dumps(ex, ensure_ascii=False) + (tmp_path / "out" / f"{ex['excerpt_id']}.md").read_text(encoding="utf-8")
    for r in names:
        assert r.text not in text
    assert "李娜" not in text
    # the first beep covers the name heard in the opening turn, inside its true turn (0.40–2.42 s)
    t0 = truth.segments[0]
    a, b = ex["beeps"][0]
    abs_a, abs_b = a + ex["clip_start"], b + ex["clip_start"]
    assert t0.start - 0.3 <= abs_a < abs_b <= t0.end + 0.3, (abs_a, abs_b, first.words)
    clip = tmp_path / "out" / f"{ex['excerpt_id']}.wav"
    p = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(clip), "-f", "s16le", "-ac", "1",
                        "-ar", "8000", "-"], capture_output=True, check=True)
    y = np.frombuffer(p.stdout, dtype=np.int16).astype(np.float32)
    seg = y[int(a * 8000) + 40:int(b * 8000) - 40]
    power = np.abs(np.fft.rfft(seg)) ** 2
    freqs = np.fft.rfftfreq(len(seg), 1 / 8000)
    assert abs(freqs[np.argmax(power)] - 1000) < 20
