"""The batch's inputs: what a file is (:func:`input_kind`), its content hash, :func:`discover`
(input files and folders -> :class:`Item` list), text notices, and the checks a recording passes
before the ASR sees it."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from qa_audit.core.model import Call, Segment, read_text

TRANSCRIPT_EXTENSIONS = frozenset({".json"})
TEXT_EXTENSIONS = frozenset({".txt"})
MIN_SAMPLE_RATE = 4000
MAX_SAMPLE_RATE = 192000
_HASH_BLOCK = 1 << 16


def audio_extensions() -> frozenset[str]:
    try:
        from qa_audit.audio.decode import AUDIO_EXTENSIONS
        return frozenset(AUDIO_EXTENSIONS)
    except ImportError:  # pragma: no cover - audio module missing
        return frozenset({".wav", ".mp3", ".m4a", ".flac", ".ogg", ".amr"})


@dataclass
class Item:
    """One input file.  ``key`` (absolute path) identifies it in ``run_items``."""

    key: str
    path: str
    kind: str  # audio | transcript | text
    content_hash: str
    call_id: str = ""  # known before processing for audio/text; from the JSON for transcripts


def file_hash(path: Path) -> str:
    """Content hash from size + first and last 64 KiB (cheap on hours of audio, catches edits)."""
    h = hashlib.sha1()
    try:
        size = path.stat().st_size
        h.update(str(size).encode())
        with open(path, "rb") as fh:
            h.update(fh.read(_HASH_BLOCK))
            if size > 2 * _HASH_BLOCK:
                fh.seek(-_HASH_BLOCK, os.SEEK_END)
            h.update(fh.read(_HASH_BLOCK))
    except OSError:
        h.update(b"unreadable")
    return h.hexdigest()[:20]


def input_kind(path: Path, explicit: bool, aexts: Optional[frozenset[str]] = None) -> Optional[str]:
    """audio | transcript | text by extension; a file named on the command line (``explicit``)
    with another extension is taken as audio, one found in a folder is ignored (None)."""
    ext = path.suffix.lower()
    if ext in (aexts if aexts is not None else audio_extensions()):
        return "audio"
    if ext in TRANSCRIPT_EXTENSIONS:
        return "transcript"
    if ext in TEXT_EXTENSIONS:
        return "text"
    return "audio" if explicit else None


def _folder_files(folder: Path, skip: list[Path]) -> list[Path]:
    """A folder's files, recursively, sorted; hidden files and those under ``skip`` left out."""
    return [f for f in sorted(x for x in folder.rglob("*") if x.is_file() and not x.name.startswith("."))
            if not any(f.resolve().is_relative_to(s) for s in skip)]


def discover(inputs: Iterable[str | os.PathLike], exclude: Iterable[str | os.PathLike] = ()
             ) -> tuple[list[Item], list[str], list[tuple[str, str]]]:
    """Input files and folders -> (items in order, ignored files, missing inputs).

    A folder contributes its audio, ``.json`` and ``.txt`` files (recursively, sorted); other files
    (CSV logs, images) are listed as ignored.  A file given by name is taken whatever its
    extension, as audio unless it ends in .json/.txt.  Folders in ``exclude`` (the output folder,
    when it sits inside an input folder) are skipped.
    """
    skip = [Path(x).resolve() for x in exclude]
    aexts = audio_extensions()
    items: list[Item] = []
    ignored: list[str] = []
    missing: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(p: Path, explicit: bool) -> None:
        key = str(p.resolve())
        if key in seen:
            return
        k = input_kind(p, explicit, aexts)
        if k is None:
            ignored.append(str(p))
            return
        seen.add(key)
        items.append(Item(key=key, path=str(p), kind=k, content_hash=file_hash(p)))

    for inp in inputs:
        p = Path(inp)
        if p.is_dir():
            for f in _folder_files(p, skip):
                add(f, False)
        elif p.is_file():
            add(p, True)
        else:
            missing.append((str(p), "input not found"))
    return items, ignored, missing


def load_text_notice(path: str, call_id: str, warnings: list[str]) -> Call:
    """A ``.txt`` SMS/letter: kind "text", one agent segment per non-empty line."""
    text, encoding = read_text(path)
    if encoding == "gbk":
        warnings.append("text decoded as GBK, not UTF-8 (accepted)")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    segs = [Segment(start=0.0, end=0.0, speaker="agent", text=ln) for ln in lines]
    return Call(call_id=call_id, kind="text", segments=segs, metadata={"source": Path(path).name})


def wav_truncation(path: str) -> Optional[str]:
    """For a RIFF/WAVE file: why it is truncated (its data chunk declares more bytes than the file
    holds), else None.  ffprobe reports the duration of what is there, so this needs the header."""
    import struct

    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
            size = fh.seek(0, os.SEEK_END)
    except OSError:
        return None
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, byte_rate = 12, 0
    while pos + 8 <= len(head):
        cid, n = head[pos:pos + 4], struct.unpack("<I", head[pos + 4:pos + 8])[0]
        if cid == b"fmt " and pos + 20 <= len(head):
            byte_rate = struct.unpack("<I", head[pos + 16:pos + 20])[0]
        if cid == b"data":
            if n in (0, 0xFFFFFFFF):  # streaming writers leave the size open
                return None
            have = size - (pos + 8)
            if have < n - max(byte_rate // 10, 64):
                if byte_rate:
                    return (f"truncated: the WAV header declares {n / byte_rate:.1f} s of audio, "
                            f"the file holds {max(have, 0) / byte_rate:.1f} s")
                return f"truncated: the WAV header declares {n} data bytes, the file holds {have}"
            return None
        pos += 8 + n + (n & 1)
    return None


def looks_like_text(path: str) -> Optional[str]:
    """Why a file named like audio is really text (no NUL byte, decodes as UTF-8/GBK), else None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    if not head.strip() or b"\x00" in head or head[:4] in (b"RIFF", b"ID3\x03", b"ID3\x04", b"OggS", b"fLaC"):
        return None
    for enc in ("utf-8", "gb18030"):
        try:
            text = head.decode(enc)
        except UnicodeDecodeError:
            continue
        if sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.95 * len(text):
            first = text.strip().splitlines()[0][:30] if text.strip() else ""
            return f"a text file, not an audio recording (starts with {first!r})"
    return None


def check_audio(path: str) -> float:
    """Probe before transcribing: reject what the ASR should not see; returns the duration."""
    from qa_audit.audio.decode import AudioError, probe

    why = wav_truncation(path) or looks_like_text(path)
    if why:
        raise AudioError(f"{path}: {why}")
    info = probe(path)
    if info.sample_rate and not (MIN_SAMPLE_RATE <= info.sample_rate <= MAX_SAMPLE_RATE):
        raise AudioError(f"{path}: unsupported sample rate {info.sample_rate} Hz "
                         f"(expected {MIN_SAMPLE_RATE}–{MAX_SAMPLE_RATE} Hz)")
    if not info.sample_rate:
        raise AudioError(f"{path}: audio stream declares no sample rate")
    return info.duration
