"""Two voices on a mono recording: who is the agent, by voice first and by what is said second.

On a mono recording (one channel for both parties) :mod:`qa_audit.asr.roles` can only guess the
speaker of a turn from its words.  Here every speech piece (a VAD turn with its text) is embedded
with Resemblyzer's GE2E speaker encoder (``resemblyzer``; its pretrained weights are in the wheel,
loaded once, on first use), the pieces are clustered into two voices (cosine k-means on the unit
sphere, weighted by duration, started from the two most different long pieces), and the voice
that sounds like the collector — the larger sum of the role cues of :func:`qa_audit.asr.roles.cue_score`
over its turns (introductions, 还款/逾期 terms, asking rather than answering) — is the agent.

A piece whose voice is unclear (its margin between the two voice centroids below
``MIN_MARGIN``) keeps the text-and-alternation decision of :func:`qa_audit.asr.roles.infer_roles`;
when the two voices cannot be told apart at all (centroids more alike than ``SAME_VOICE``) or the
encoder is not installed, every piece does.  Each segment's ``extra["role"]`` says how its role was
decided (``by``: voice / cues, the voice, its margin, the cues).
"""
from __future__ import annotations

import threading
from typing import Optional, Sequence

from qa_audit.core.model import Segment

SAMPLE_RATE = 16000
VOICE_WEIGHT = 30.0    # logit per unit of cosine margin (a typical 0.15 margin: 4.5, as a strong cue)
SEED_PIECES = 8        # 2-means restarts from every pair of the longest pieces
SAME_VOICE = 0.93      # centroids at least this alike: one voice (or two the encoder cannot separate)
ITERATIONS = 12

_ENCODER = None
_ENCODER_ERROR: Optional[str] = None
_LOCK = threading.Lock()


class DiarizeUnavailable(RuntimeError):
    """The speaker encoder cannot be loaded (resemblyzer missing)."""


def _pkg_resources_shim() -> bool:
    """webrtcvad (a resemblyzer dependency) reads its version with ``pkg_resources``, which recent
    setuptools no longer ship: give it the one function it calls, for the time of the import only
    (True when installed; :func:`_drop_shim` removes it, or jieba would take it for the real one and
    call its ``resource_stream``)."""
    import sys

    try:
        import pkg_resources  # noqa: F401
        return False
    except ImportError:
        pass
    import types
    from importlib import metadata

    mod = types.ModuleType("pkg_resources")

    class _Dist:
        def __init__(self, name: str):
            try:
                self.version = metadata.version(name)
            except metadata.PackageNotFoundError:
                self.version = "0"

    mod.get_distribution = _Dist  # type: ignore[attr-defined]
    mod.__qa_audit_shim__ = True  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = mod
    return True


def _drop_shim() -> None:
    import sys

    if getattr(sys.modules.get("pkg_resources"), "__qa_audit_shim__", False):
        del sys.modules["pkg_resources"]


def encoder():
    """Resemblyzer's VoiceEncoder (CPU), loaded once; raises DiarizeUnavailable."""
    global _ENCODER, _ENCODER_ERROR
    if _ENCODER is None:
        with _LOCK:
            if _ENCODER is None:
                if _ENCODER_ERROR:
                    raise DiarizeUnavailable(_ENCODER_ERROR)
                try:
                    _pkg_resources_shim()
                    try:
                        from resemblyzer import VoiceEncoder
                    finally:
                        _drop_shim()

                    _ENCODER = VoiceEncoder(device="cpu", verbose=False)
                except Exception as e:
                    _ENCODER_ERROR = f"speaker encoder unavailable ({type(e).__name__}: {e})"
                    raise DiarizeUnavailable(_ENCODER_ERROR) from e
    return _ENCODER


def embed_pieces(pieces: Sequence) -> "np.ndarray":  # noqa: F821
    """One unit-length GE2E embedding per audio piece (16 kHz float32)."""
    import numpy as np
    import torch

    enc = encoder()
    out = []
    with torch.inference_mode():
        for w in pieces:
            w = np.asarray(w, dtype=np.float32)
            rms = float(np.sqrt(np.mean(w ** 2))) if len(w) else 0.0
            if rms > 1e-6:
                w = w * (10 ** (-30 / 20) / rms)  # -30 dBFS, as resemblyzer's preprocessing
            if len(w) < SAMPLE_RATE // 2:
                w = np.pad(w, (0, SAMPLE_RATE // 2 - len(w)))
            e = enc.embed_utterance(w)
            out.append(e / (np.linalg.norm(e) or 1.0))
    return np.stack(out) if out else np.zeros((0, 256), dtype=np.float32)


def _two_means(emb, w, seeds: tuple[int, int]):
    import numpy as np

    cents = np.stack([emb[seeds[0]], emb[seeds[1]]])
    labels = None
    for _ in range(ITERATIONS):
        s = emb @ cents.T
        new = np.argmax(s, axis=1)
        if new.min() == new.max():
            return None
        cents = np.stack([(emb[new == k] * w[new == k, None]).sum(0) for k in (0, 1)])
        cents /= np.linalg.norm(cents, axis=1, keepdims=True)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
    s = emb @ cents.T
    inertia = float((w * (1.0 - s[np.arange(len(emb)), labels])).sum())
    return labels, cents, inertia


def two_voices(emb, weights) -> tuple[list[int], list[float], float]:
    """(voice 0/1 of each piece, its signed margin sim(voice 0) - sim(voice 1), similarity of the
    two voice centroids).  Weighted 2-means on the unit sphere, restarted from every pair of the
    longest pieces; the split with the least weighted inertia wins."""
    import numpy as np

    n = len(emb)
    if n < 2:
        return [0] * n, [0.0] * n, 1.0
    w = np.asarray(weights, dtype=float)
    longest = [int(i) for i in np.argsort(-w)[:SEED_PIECES]]
    best = None
    for a in range(len(longest)):
        for b in range(a + 1, len(longest)):
            r = _two_means(emb, w, (longest[a], longest[b]))
            if r is not None and (best is None or r[2] < best[2]):
                best = r
    if best is None:
        return [0] * n, [0.0] * n, 1.0
    labels, cents, _ = best
    s = emb @ cents.T
    return [int(x) for x in labels], [float(x) for x in s[:, 0] - s[:, 1]], float(cents[0] @ cents[1])


def _voice_is_agent(segs: Sequence[Segment], labels: list[int]) -> tuple[int, list[float]]:
    """The voice whose turns sound like the collector, and each voice's summed cue score."""
    from qa_audit.asr.roles import cue_score

    score = [0.0, 0.0]
    for s, k in zip(segs, labels):
        score[k] += cue_score(s.text)[0]
    return (0 if score[0] >= score[1] else 1), score


PIECE_MAX_S = 4.0  # voice of a piece from at most its first 4 s (GE2E windows are 1.6 s)


def segment_pieces(chunks, segments: Sequence[Segment], max_s: Optional[float] = None) -> list:
    """The audio of each segment (time order; at most ``max_s`` of it, float16) cut from a stream of
    16 kHz float32 chunks as they pass: memory holds the pieces, never the whole recording (a
    3-hour mono call stays within the worker's bound)."""
    import numpy as np

    max_s = PIECE_MAX_S if max_s is None else max_s
    spans = [(max(0, int(s.start * SAMPLE_RATE)),
              max(int(s.start * SAMPLE_RATE) + 1, min(int(s.end * SAMPLE_RATE), int((s.start + max_s) * SAMPLE_RATE))))
             for s in segments]
    parts: list[list] = [[] for _ in spans]
    pos = 0
    first = 0  # spans before this one are complete
    for chunk in chunks:
        end = pos + len(chunk)
        k = first
        while k < len(spans) and spans[k][0] < end:
            a, b = spans[k]
            lo, hi = max(a, pos), min(b, end)
            if hi > lo:
                parts[k].append(np.asarray(chunk[lo - pos:hi - pos], dtype=np.float16))
            k += 1
        while first < len(spans) and spans[first][1] <= end:
            first += 1
        pos = end
    return [np.concatenate(p).astype(np.float32) if p else np.zeros(1, dtype=np.float32) for p in parts]


def assign_roles(segments: Sequence[Segment], audio=None, voice_weight: float = VOICE_WEIGHT,
                 pieces: Optional[list] = None) -> list[Segment]:
    """Set ``speaker`` of each mono segment (time order) to agent / customer.

    The voice each piece is closer to (signed margin, times ``voice_weight``) is added to the text
    cues of :func:`qa_audit.asr.roles.infer_roles`, whose alternation model decides; every piece gets
    a role (no ``unknown``) unless the voices cannot be told apart, when the text alone decides as
    before.  Raises DiarizeUnavailable when the encoder cannot be loaded."""
    from qa_audit.asr.roles import infer_roles

    segs = sorted(segments, key=lambda s: s.start)
    if not segs:
        return []
    if pieces is None:  # a whole channel in memory (short files, tests)
        pieces = [audio[max(0, int(s.start * SAMPLE_RATE)):max(int(s.start * SAMPLE_RATE) + 1, int(s.end * SAMPLE_RATE))]
                  for s in segs]
    emb = embed_pieces(pieces)
    labels, margins, alike = two_voices(emb, [s.end - s.start for s in segs])
    agent_voice, score = _voice_is_agent(segs, labels)
    separable = alike < SAME_VOICE and score[0] != score[1]
    if not separable:
        infer_roles(segs)
        for s, k, m in zip(segs, labels, margins):
            s.extra["role"].update(by="cues", voice=k, margin=round(m, 3))
        return segs
    sign = 1.0 if agent_voice == 0 else -1.0
    logits = [sign * m * voice_weight for m in margins]
    infer_roles(segs, min_confidence=0.5, extra_logits=logits)
    for s, k, m in zip(segs, labels, margins):
        s.extra["role"].update(by="voice", voice=k, agent_voice=agent_voice, margin=round(sign * m, 3),
                               voices_alike=round(alike, 3))
    return segs
