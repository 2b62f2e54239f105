"""Offline transcription of call recordings with faster-whisper or openai-whisper.

How a recording becomes a dialogue (both backends, same options: beam search of 5 at temperature 0,
no prompt; :mod:`qa_audit.asr.backends`):

1. each channel is decoded on its own (:mod:`qa_audit.audio.decode`) and cut into speech turns by Silero
   VAD (:mod:`qa_audit.audio.vad`), so every turn keeps its own timing;
2. ``mode="batched"`` (default since issue 13): consecutive turns of a channel are joined into clips
   of at most 30 s (pauses capped at BATCHED_MAX_GAP_S = 1 s: long silences never reach the
   model) and the clips of BOTH channels are decoded together, up to 4 per encoder/generate call
   (faster-whisper's batched pipeline), each clip on its own (not conditioned on the text before);
   every word goes to the turn it falls in.  Measured on the 12 sample calls
   (``benchmarks/bench_asr_variants.py``, base int8): 1.6x less CPU than ``"channel"`` at the same
   mean CER (0.207 vs 0.212).  ``mode="channel"`` (the default before): the WHOLE channel audio (in
   windows of about WINDOW_S cut in the silence between turns; held in memory, 230 MB per hour)
   decoded conditioned on the previous text, words to the turn their time falls in (or the
   nearest within WORD_SNAP_S); ``"stream"``: the turns joined (pauses capped at MAX_GAP_S),
   conditioned; ``"turn"``: each turn alone.  In every mode a turn that gets no words, or whose
   segment loops, is decoded again alone (fallback; :mod:`qa_audit.asr.turns`);
3. Whisper's silence hallucinations are dropped (boilerplate such as 字幕由…提供, segments with
   high no-speech probability and low log-probability), text is converted to simplified Chinese
   (OpenCC t2s; :mod:`qa_audit.asr.cleanup`), and both channels' turns are merged in time order: on
   a stereo recording the channel says who speaks (``agent_channel``), on a mono one the turns are
   clustered into two voices (:mod:`qa_audit.asr.diarize`, GE2E) and the agent's voice named from
   what it says, with :mod:`qa_audit.asr.roles`' cues and turn alternation.

``Transcriber`` loads the model once; ``transcribe_paths`` drives a batch (metadata CSV
(:mod:`qa_audit.asr.metadata`), content-hash cache, per-file errors, progress bar) for
``qa-audit transcribe``.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from qa_audit.asr.backends import BACKENDS, BEAM_SIZE, RawSegment, RawWord, check_backend, decode_options, load_backend, resolve_model
from qa_audit.asr.cleanup import HALLUCINATION_PATTERNS, INITIAL_PROMPT, clean_text, is_hallucination, to_simplified
from qa_audit.asr.metadata import call_from_metadata, read_metadata
from qa_audit.asr.turns import (BATCHED_MAX_GAP_S, GAP_S, MAX_GAP_S, MERGE_GAP_S, WINDOW_S, WORD_SNAP_S, TurnDecoder, make_segment,
                                merge_segments, windows_of)
from qa_audit.audio.decode import AUDIO_EXTENSIONS, AudioError, AudioInfo, decode_channel, probe
from qa_audit.audio.metrics import segments_audio_metrics
from qa_audit.audio.vad import Turn, channel_turns
from qa_audit.core.atomic import write_json
from qa_audit.core.model import Call, Segment, safe_id

__all__ = ["BACKENDS", "GAP_S", "HALLUCINATION_PATTERNS", "INITIAL_PROMPT", "MAX_GAP_S", "MERGE_GAP_S", "MODES",
           "PIPELINE_VERSION", "RawSegment", "RawWord", "TranscribeSummary", "Transcriber", "TranscriptCache",
           "WINDOW_S", "WORD_SNAP_S", "call_from_metadata", "clean_text", "decode_options", "file_sha256",
           "find_audio", "is_hallucination", "read_metadata", "resolve_model", "to_simplified", "transcribe_paths"]

PIPELINE_VERSION = "asr-4"  # 3: recited vocabulary cut from the transcript; 4: the prompt's colons
MODES = ("channel", "stream", "turn", "batched")
MONO_MERGE_GAP_S = 1.5  # mono: consecutive pieces given the same role form one turn
CHANNEL_MODE_MAX_S = 1200.0  # longer recordings use "stream" mode: memory bounded by the window, not the file


def _check_arguments(backend: str, agent_channel: int, mode: str) -> None:
    check_backend(backend)
    if agent_channel not in (0, 1):
        raise ValueError(f"agent_channel must be 0 (left) or 1 (right), not {agent_channel!r}")
    if mode not in MODES:
        raise ValueError("mode must be 'channel' (whole channel audio, words to turns), 'stream' "
                         "(joined turns, words to turns), 'turn' (each turn alone) or 'batched' "
                         "(clips of joined turns of both channels, decoded in batches)")


class Transcriber:
    """Loads a Whisper model once and turns recordings into :class:`Call` transcripts."""

    def __init__(self, backend: str = "faster-whisper", model: str = "base", agent_channel: int = 0,
                 compute_type: str = "int8", cpu_threads: int = 0, words: bool = False,
                 initial_prompt: Optional[str] = None, mode: str = "batched",
                 merge_gap: float = MERGE_GAP_S, max_gap: Optional[float] = None,
                 beam_size: int = BEAM_SIZE, customer_beam_size: Optional[int] = None,
                 vocabulary: Optional[str] = None, vocabulary_names: Sequence[str] = (),
                 voices: bool = True):
        """``vocabulary`` (:mod:`qa_audit.asr.vocabulary`): ``"hotwords"`` (default), ``"prompt"`` or
        ``"none"``; per call from its institution names (+ ``vocabulary_names``, e.g. the configured
        institutions) and the collection terms."""
        from qa_audit.asr.vocabulary import DEFAULT_VOCABULARY, VOCABULARY_MODES

        _check_arguments(backend, agent_channel, mode)
        self.vocabulary = DEFAULT_VOCABULARY if vocabulary is None else vocabulary
        if self.vocabulary not in VOCABULARY_MODES:
            raise ValueError(f"vocabulary must be one of {', '.join(VOCABULARY_MODES)}, not {vocabulary!r}")
        self.vocabulary_names = list(vocabulary_names)
        self.voices = voices  # mono: roles by voice (asr/diarize.py) before the text cues
        self.backend, self.model_name = backend, model or "base"
        self.agent_channel, self.compute_type, self.cpu_threads = agent_channel, compute_type, cpu_threads
        if max_gap is None:
            max_gap = BATCHED_MAX_GAP_S if mode == "batched" else MAX_GAP_S
        self.words, self.mode, self.merge_gap, self.max_gap = words, mode, merge_gap, max(max_gap, GAP_S)
        self.opts = decode_options(initial_prompt, beam_size)
        if mode == "batched":  # clips decoded side by side, none conditioned on another's text
            self.opts["condition_on_previous_text"] = False
        # the customer's channel may be decoded with another beam (stereo only: on mono the roles
        # are known after decoding)
        self.customer_opts = ({**decode_options(initial_prompt, customer_beam_size),
                               "condition_on_previous_text": self.opts["condition_on_previous_text"]}
                              if customer_beam_size and customer_beam_size != beam_size else self.opts)
        self.model_ref, self.model_id = resolve_model(backend, self.model_name)
        engine = load_backend(backend, self.model_ref, compute_type, cpu_threads)
        self.decoder = TurnDecoder(engine, self.opts, self.max_gap)
        self.stats = self.decoder.stats  # fallback_turns, dropped_segments, dropped_words
        self.customer_decoder = (self.decoder if self.customer_opts is self.opts else
                                 TurnDecoder(engine, self.customer_opts, self.max_gap, self.stats))

    def cache_key_options(self) -> dict[str, Any]:
        """Everything that changes the transcript, for the cache key."""
        from qa_audit.audio import vad as V

        return {"pipeline": PIPELINE_VERSION, "backend": self.backend, "model": self.model_id,
                "compute_type": self.compute_type if self.backend == "faster-whisper" else "fp32",
                "agent_channel": self.agent_channel, "words": self.words, "mode": self.mode,
                "merge_gap": self.merge_gap, "decode": self.opts, "vocabulary": self.vocabulary,
                **({"decode_customer": self.customer_opts} if self.customer_opts is not self.opts else {}),
                "voices": self.voices,
                "vad": [V.VAD_THRESHOLD, V.VAD_MIN_SILENCE_MS, V.VAD_MIN_SPEECH_MS, V.TURN_PAD_S, V.VAD_CHUNK_S],
                "window": [WINDOW_S, GAP_S, self.max_gap]}

    def transcribe(self, path: str | Path, call: Optional[Call] = None) -> Call:
        """Transcribe one recording; ``call`` (metadata to fill in) or a new Call named by the stem.

        Raises AudioError naming the file for anything wrong with the audio.
        """
        path = Path(path)
        t0 = time.perf_counter()
        info = probe(path)
        if call is None:
            call = Call(call_id=path.stem)
        self.decoder.opts = self.call_options(call)
        if self.customer_decoder is not self.decoder:
            self.customer_decoder.opts = self.call_options(call, self.customer_opts)
        segs = self._stereo_segments(path, info) if info.channels == 2 else self._mono_segments(path, info)
        self._fill_call(call, path, info, segs, time.perf_counter() - t0)
        return call

    def call_options(self, call: Optional[Call], base: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """The decode options of one call: the shared ones (``base``, default the agent's) plus its
        vocabulary (hotwords/prompt)."""
        from qa_audit.asr.vocabulary import decode_vocabulary

        base = self.opts if base is None else base
        extra = decode_vocabulary(self.vocabulary, call, self.vocabulary_names)
        if base.get("initial_prompt") and "initial_prompt" in extra:
            extra.pop("initial_prompt")  # an explicit prompt wins
        return {**base, **extra}

    def call_cache_key(self, call: Optional[Call]) -> str:
        """What of a call's own metadata changes its transcript (its vocabulary), for the cache."""
        from qa_audit.asr.vocabulary import decode_vocabulary

        v = decode_vocabulary(self.vocabulary, call, self.vocabulary_names)
        return json.dumps(v, sort_keys=True, ensure_ascii=False) if v else ""

    # -- the steps ----------------------------------------------------------------------------
    def _stereo_segments(self, path: Path, info: AudioInfo) -> list[Segment]:
        """Each channel is one speaker (``agent_channel`` the agent); both merged in time order."""
        segs: list[Segment] = []
        speakers = ["agent" if ch == self.agent_channel else "customer" for ch in (0, 1)]
        if (self.mode == "batched" and self.customer_decoder is self.decoder
                and (info.duration or 0.0) <= CHANNEL_MODE_MAX_S):
            # both channels' clips in the same batches
            turns = [list(channel_turns(path, ch, info=info)) for ch in (0, 1)]
            for ch, words in enumerate(self.decoder.batched(turns)):
                segs += [s for s in (make_segment(t, w, speakers[ch], self.words)
                                     for t, w in zip(turns[ch], words)) if s is not None]
            return merge_segments(segs, self.merge_gap)
        for ch in (0, 1):
            segs += self._channel_segments(path, ch, info, speakers[ch])
        return merge_segments(segs, self.merge_gap)

    def _mono_segments(self, path: Path, info: AudioInfo) -> list[Segment]:
        """One channel: the roles are inferred from what is said, then same-role pieces merged."""
        from qa_audit.asr.roles import infer_roles

        segs = sorted(self._channel_segments(path, 0, info, "unknown"), key=lambda s: s.start)
        if self.voices and len(segs) >= 2:
            from qa_audit.asr.diarize import DiarizeUnavailable, assign_roles, segment_pieces
            from qa_audit.audio.decode import iter_channel

            try:  # two voices (GE2E), the agent's named from what it says (asr/diarize.py)
                pieces = segment_pieces(iter_channel(path, 0, info=info), segs)
                return merge_segments(assign_roles(segs, pieces=pieces),
                                      max(self.merge_gap, MONO_MERGE_GAP_S))
            except DiarizeUnavailable:
                pass
        return merge_segments(infer_roles(segs), max(self.merge_gap, MONO_MERGE_GAP_S))

    def _channel_segments(self, path: Path, channel: int, info: AudioInfo, speaker: str) -> list[Segment]:
        out: list[Segment] = []
        decoder = self.customer_decoder if speaker == "customer" else self.decoder
        for turn, words in self._words_per_turn(path, channel, info, decoder):
            seg = make_segment(turn, words, speaker, self.words)
            if seg is not None:
                out.append(seg)
        return out

    def _words_per_turn(self, path: Path, channel: int, info: AudioInfo,
                        decoder: TurnDecoder) -> Iterator[tuple[Turn, list[RawWord]]]:
        turns = channel_turns(path, channel, info=info)
        if self.mode == "batched":  # one channel (mono, a long recording, another beam): by windows
            for window in windows_of(turns):
                yield from zip(window, decoder.batched([window])[0])
            return
        if self.mode == "channel" and (info.duration or 0.0) <= CHANNEL_MODE_MAX_S:
            # whole-channel decoding holds the channel in memory (~230 MB per hour at 16 kHz);
            # a longer recording falls through to the streamed windows below
            turns = list(turns)
            if turns:
                audio = decode_channel(path, channel, info=info)
                yield from zip(turns, decoder.whole_channel(audio, turns))
            return
        for window in windows_of(turns):
            yield from zip(window, self._decode_window(window, decoder))

    def _decode_window(self, window: list[Turn], decoder: TurnDecoder) -> list[list[RawWord]]:
        if self.mode == "turn":
            return [decoder.alone(t) for t in window]
        return decoder.joined(window)

    def _drop_vocabulary_echo(self, segs: list[Segment]) -> tuple[list[Segment], int]:
        """Segments without the hotwords / prompt Whisper recited as speech and with the prompt's
        colons read as pauses (:func:`qa_audit.asr.vocabulary.strip_echo`); a segment left empty goes."""
        from qa_audit.asr.vocabulary import strip_echo, vocabulary_words

        words = vocabulary_words(self.decoder.opts)
        if not words:
            return segs, 0
        out, n = [], 0
        for seg in segs:
            text, spans = strip_echo(seg.text, words)
            if spans:
                n += len(spans)
                seg.extra["vocabulary_echo"] = [seg.text[s:e] for s, e in spans]
                if seg.words:
                    seg.words = _words_outside(seg.text, seg.words, spans)
            seg.text = text  # also the prompt's colons read as commas
            if not text:
                continue
            out.append(seg)
        return out, n

    def _fill_call(self, call: Call, path: Path, info: AudioInfo, segs: list[Segment], seconds: float) -> None:
        segs, echoes = self._drop_vocabulary_echo(segs)
        call.segments = segs
        call.audio = str(path)
        call.duration = round(info.duration, 3)
        call.metadata["audio_metrics"] = segments_audio_metrics(segs, info.duration)
        call.metadata["asr"] = {"backend": self.backend, "model": self.model_id,
                                "channels": info.channels, "mode": self.mode,
                                "seconds": round(seconds, 2)}
        if echoes:
            call.metadata["asr"]["vocabulary_echo_removed"] = echoes


def _words_outside(text: str, words: list, spans: list[tuple[int, int]]) -> list:
    """The words of a segment that lie outside ``spans`` of its text (found in order)."""
    keep, pos = [], 0
    for w in words:
        t = w.word.strip()
        at = text.find(t, pos) if t else -1
        if at < 0:
            keep.append(w)
            continue
        pos = at + len(t)
        if not any(s <= at < e for s, e in spans):
            keep.append(w)
    return keep


# --- batches ----------------------------------------------------------------------------------
@dataclass
class TranscribeSummary:
    written: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    audio_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        return {"written": self.written, "cached": self.cached,
                "failed": [{"file": f, "error": e} for f, e in self.failed],
                "audio_seconds": round(self.audio_seconds, 2), "seconds": round(self.seconds, 2)}


def _audio_under(folder: Path) -> list[Path]:
    """Audio files below a folder, sorted; hidden files and folders skipped."""
    return sorted(f for f in folder.rglob("*") if f.is_file() and f.suffix.lower() in AUDIO_EXTENSIONS
                  and not any(part.startswith(".") for part in f.relative_to(folder).parts))


def find_audio(inputs: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Audio files under the inputs (folders recursively, sorted); unusable inputs as errors."""
    files: list[Path] = []
    errors: list[tuple[str, str]] = []
    for inp in inputs:
        p = Path(inp)
        if p.is_dir():
            files += _audio_under(p)
        elif p.is_file():
            files.append(p)
        else:
            errors.append((str(p), f"{p}: no such file or folder"))
    seen: set[Path] = set()
    uniq = []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            uniq.append(f)
    return uniq, errors


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class TranscriptCache:
    """Transcripts keyed by sha256 of the audio bytes + everything that changes the transcript
    (:meth:`Transcriber.cache_key_options`), one JSON file each under ``folder``."""

    KEPT_METADATA = ("audio_metrics", "asr")

    def __init__(self, folder: Path, key_options: dict[str, Any], enabled: bool = True):
        self.folder, self.enabled = folder, enabled
        self._options = json.dumps(key_options, sort_keys=True, ensure_ascii=False)

    def path(self, digest: str) -> Path:
        key = hashlib.sha256((digest + "\n" + self._options).encode()).hexdigest()
        return self.folder / f"{key[:2]}/{key}.json"

    def restore(self, digest: str, call: Call, audio: Path) -> bool:
        """Fill ``call`` from the cache; False when it holds nothing (readable) for this audio."""
        cfile = self.path(digest)
        if not (self.enabled and cfile.is_file()):
            return False
        try:
            cached = json.loads(cfile.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return False
        call.segments = [Segment.from_dict(s) for s in cached["segments"]]
        call.audio, call.duration = str(audio), cached.get("duration")
        call.metadata.update(cached.get("metadata") or {})
        return True

    def store(self, digest: str, call: Call) -> None:
        if self.enabled:
            write_json(self.path(digest), {"segments": [s.to_dict() for s in call.segments],
                                           "duration": call.duration,
                                           "metadata": {k: call.metadata[k] for k in self.KEPT_METADATA
                                                        if k in call.metadata}})


class _Batch:
    """Transcribes files one by one into ``out``; a file that fails is recorded and the batch goes on."""

    def __init__(self, out: Path, rows: dict[str, dict[str, str]], summary: TranscribeSummary,
                 on_error: Optional[Callable[[str, str], None]]):
        self.out, self.rows, self.summary, self.on_error = out, rows, summary, on_error
        self.transcriber: Optional[Transcriber] = None
        self.cache: Optional[TranscriptCache] = None
        self.produced: dict[str, str] = {}  # safe call id -> the file it came from

    def fail(self, f: str, msg: str) -> None:
        self.summary.failed.append((f, msg))
        if self.on_error:
            self.on_error(f, msg)

    def run(self, f: Path) -> None:
        try:
            self._transcribe(f)
        except AudioError as e:
            self.fail(str(f), str(e))
        except Exception as e:  # one bad file never stops the batch
            self.fail(str(f), f"{f}: {type(e).__name__}: {e}")

    def _transcribe(self, f: Path) -> None:
        assert self.transcriber is not None and self.cache is not None
        call = call_from_metadata(f, self.rows)
        sid = safe_id(call.call_id)
        self._check(f, call, sid)
        digest = self._digest(f)
        vocab = self.transcriber.call_cache_key(call) if hasattr(self.transcriber, "call_cache_key") else ""
        key = digest + ("\n" + vocab if vocab else "")
        if self.cache.restore(key, call, f):
            self.summary.cached.append(str(f))
        else:
            call = self.transcriber.transcribe(f, call)
            self.cache.store(key, call)
        call.metadata["content_sha256"] = digest
        self.summary.audio_seconds += float(call.duration or 0.0)
        dest = self.out / f"{sid}.json"
        write_json(dest, call.to_dict())
        self.produced[sid] = str(f)
        self.summary.written.append(str(dest))

    def _check(self, f: Path, call: Call, sid: str) -> None:
        if sid in self.produced:
            raise AudioError(f"{f}: call_id {call.call_id!r} already produced by {self.produced[sid]}")
        if f.suffix.lower() not in AUDIO_EXTENSIONS:
            raise AudioError(f"{f}: unsupported file type {f.suffix or '(none)'}; expected one of "
                             f"{', '.join(sorted(AUDIO_EXTENSIONS))}")

    @staticmethod
    def _digest(f: Path) -> str:
        try:
            return file_sha256(f)
        except OSError as e:
            raise AudioError(f"{f}: cannot read: {e.strerror or e}") from e


def _each_with_progress(files: list[Path], work: Callable[[Path], None]) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    with Progress(TextColumn("[bold]transcribe"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), TextColumn("{task.description}"),
                  transient=False) as bar:
        task = bar.add_task("", total=len(files))
        for f in files:
            bar.update(task, description=f.name)
            work(f)
            bar.advance(task)


def transcribe_paths(inputs: Sequence[str | Path] | str | Path, out_dir: str | Path,
                     backend: str = "faster-whisper", model: str = "base",
                     metadata_csv: str | Path | None = None, agent_channel: int = 0,
                     compute_type: str = "int8", cpu_threads: int = 0, words: bool = False,
                     cache_dir: str | Path | None = None, use_cache: bool = True,
                     progress: bool = True, transcriber: Optional[Transcriber] = None,
                     on_error: Optional[Callable[[str, str], None]] = None,
                     vocabulary: Optional[str] = None, vocabulary_names: Sequence[str] = ()) -> TranscribeSummary:
    """Transcribe files/folders into ``out_dir/<safe_id(call_id)>.json`` (atomic writes).

    A transcript is cached by sha256 of the audio bytes + backend + model + options in
    ``cache_dir`` (default ``out_dir/.asr-cache``): a rerun skips finished files.  A file that
    fails is recorded in ``summary.failed`` as (file, reason) and the batch goes on.
    """
    t_start = time.perf_counter()
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = read_metadata(metadata_csv) if metadata_csv else {}
    files, errors = find_audio(inputs)
    batch = _Batch(out, rows, TranscribeSummary(), on_error)
    for f, msg in errors:
        batch.fail(f, msg)
    if files:  # load the model once, up front: if it cannot load, nothing can run
        batch.transcriber = transcriber if transcriber is not None else Transcriber(
            backend=backend, model=model, agent_channel=agent_channel, compute_type=compute_type,
            cpu_threads=cpu_threads, words=words, vocabulary=vocabulary, vocabulary_names=vocabulary_names)
        batch.cache = TranscriptCache(Path(cache_dir) if cache_dir else out / ".asr-cache",
                                      batch.transcriber.cache_key_options(), use_cache)
    if progress and files:
        _each_with_progress(files, batch.run)
    else:
        for f in files:
            batch.run(f)
    batch.summary.seconds = time.perf_counter() - t_start
    return batch.summary
