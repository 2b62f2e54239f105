"""Audio decoding with ffmpeg: probe a recording, decode one channel at 16 kHz.

- :func:`probe` reads channel count and duration (ffprobe) and rejects what cannot be a call
  recording; :func:`iter_channel` decodes ONE channel with ffmpeg, resampled to 16 kHz float32,
  streamed in chunks, so a 3-hour recording never sits decoded in memory as a whole.

Voice activity turns are in :mod:`qa_audit.audio.vad`, talk metrics in :mod:`qa_audit.audio.metrics`.
Every problem raises :class:`AudioError` whose message starts with the file path.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

SAMPLE_RATE = 16000
AUDIO_EXTENSIONS = frozenset({".wav", ".mp3", ".m4a", ".flac", ".ogg", ".amr"})


class AudioError(ValueError):
    """A recording that cannot be decoded; the message names the file and the problem."""


@dataclass
class AudioInfo:
    path: str
    channels: int
    sample_rate: int
    duration: float
    codec: str


def _need(tool: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        raise AudioError(f"{tool} not found on PATH: install it (Debian/Ubuntu: apt-get install ffmpeg)")
    return exe


def probe(path: str | Path) -> AudioInfo:
    """Channel count, sample rate, duration; AudioError for an empty, non-audio or >2-channel file."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise AudioError(f"{path}: cannot read: {e.strerror or e}") from e
    if not path.is_file():
        raise AudioError(f"{path}: not a file")
    if size == 0:
        raise AudioError(f"{path}: empty file")
    cmd = [_need("ffprobe"), "-v", "error", "-print_format", "json", "-show_streams",
           "-show_format", "-select_streams", "a", str(path)]
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if p.returncode != 0:
        msg = (p.stderr.strip().splitlines() or ["ffprobe failed"])[-1]
        msg = msg.replace(str(path) + ": ", "")
        raise AudioError(f"{path}: not a readable audio file ({msg})")
    try:
        info = json.loads(p.stdout or "{}")
    except json.JSONDecodeError as e:
        raise AudioError(f"{path}: not a readable audio file (ffprobe output unreadable)") from e
    streams = info.get("streams") or []
    if not streams:
        raise AudioError(f"{path}: no audio stream")
    st = streams[0]
    channels = int(st.get("channels") or 0)
    if channels < 1:
        raise AudioError(f"{path}: audio stream has no channels")
    if channels > 2:
        raise AudioError(f"{path}: {channels} audio channels; expected mono or stereo (agent/customer)")
    dur = st.get("duration") or (info.get("format") or {}).get("duration")
    try:
        duration = float(dur)
    except (TypeError, ValueError):
        duration = 0.0
    return AudioInfo(str(path), channels, int(st.get("sample_rate") or 0), duration,
                     str(st.get("codec_name") or ""))


def iter_channel(path: str | Path, channel: int = 0, chunk_s: float = 300.0,
                 info: Optional[AudioInfo] = None) -> Iterator[Any]:
    """Decode one channel as 16 kHz mono float32, yielded in chunks of ``chunk_s`` seconds.

    Peak memory is one chunk (19 MB for 300 s) plus ffmpeg's pipe buffer, whatever the length.
    Raises AudioError when ffmpeg fails or the file decodes to far less than its header promises
    (a truncated file).
    """
    import numpy as np

    path = Path(path)
    info = info or probe(path)
    if channel >= info.channels:
        raise AudioError(f"{path}: has {info.channels} channel(s), channel {channel} requested")
    cmd = [_need("ffmpeg"), "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0",
           "-af", f"pan=mono|c0=c{channel}", "-ac", "1", "-ar", str(SAMPLE_RATE),
           "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]
    chunk_bytes = int(chunk_s * SAMPLE_RATE) * 4
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    total = 0
    try:
        assert proc.stdout is not None
        while True:
            buf = proc.stdout.read(chunk_bytes)
            if not buf:
                break
            n = len(buf) // 4
            total += n
            yield np.frombuffer(buf[:n * 4], dtype=np.float32)
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        rc = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for fh in (proc.stdout, proc.stderr):
            if fh:
                fh.close()
    decoded = total / SAMPLE_RATE
    if rc != 0:
        msg = (err.strip().splitlines() or [f"ffmpeg exit status {rc}"])[-1]
        raise AudioError(f"{path}: cannot decode audio ({msg})")
    if total == 0:
        raise AudioError(f"{path}: no audio samples could be decoded")
    bad = [ln for ln in err.splitlines() if re.search(r"corrupt|invalid|truncat|error while decoding|"
                                                       r"end of file|partial file", ln, re.I)]
    if bad:
        msg = bad[0].replace(str(path) + ": ", "").strip()
        raise AudioError(f"{path}: truncated or damaged: decoded {decoded:.1f} s, then ffmpeg: {msg}")
    if info.duration > 2.0 and decoded < 0.9 * info.duration - 1.0:
        raise AudioError(f"{path}: truncated: decoded {decoded:.1f} s of the {info.duration:.1f} s "
                         f"its header declares")


def decode_channel(path: str | Path, channel: int = 0, info: Optional[AudioInfo] = None):
    """One whole channel as 16 kHz float32 (for short files and tests)."""
    import numpy as np

    parts = list(iter_channel(path, channel, info=info))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
