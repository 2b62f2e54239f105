"""End to end on a real recording: Whisper (faster-whisper base, CPU) → transcript → detector.

The recordings are synthesized telephone audio (8 kHz); Whisper mangles many words
(小蜜蜂借款 → 小米封屑款, 贷后 → 代后), which is exactly what the detector has to survive.
"""
from __future__ import annotations

import pytest

from qa_audit.core.resources import samples_dir

AUDIO = samples_dir() / "audio"


@pytest.mark.slow
def test_whisper_transcript_of_an_abusive_call_is_flagged():
    pytest.importorskip("faster_whisper")
    from qa_audit.asr.transcriber import Transcriber, call_from_metadata, read_metadata
    from qa_audit.detect.detector import Detector

    path = AUDIO / "D0016.mp3"
    if not path.exists():
        pytest.skip("no sample recording")
    call = Transcriber(backend="faster-whisper", model="base").transcribe(
        path, call_from_metadata(path, read_metadata(AUDIO / "calls.csv")))
    assert call.segments, "Whisper returned nothing"
    findings = Detector.load().scan(call)
    abuse = [f for f in findings if f.category == "abuse"]
    assert abuse, [s.text for s in call.segments]
    assert all(f.speaker == "agent" for f in abuse)
    # the agent does name the lender (heard as 小米封屑款的代后专员): no self-identification finding
    assert "no_self_identification" not in {f.category for f in findings}, [s.text for s in call.segments]
