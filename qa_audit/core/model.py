"""The data model every stage shares: plain dataclasses with a JSON round trip.

The transcript file is one JSON object per call::

    {"call_id": "D0001", "agent_id": "A007", "started_at": "2026-11-23T10:15:00+08:00",
     "callee_relation": "debtor",
     "segments": [{"start": 0.4, "end": 5.3, "speaker": "agent", "text": "您好，这里是…"}]}

Extra keys are allowed and preserved in ``Call.metadata`` / ``Segment.extra``.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Optional

SPEAKERS = ("agent", "customer", "unknown")
RELATIONS = ("debtor", "contact", "unknown")
SEVERITIES = ("low", "medium", "high", "critical")
CALL_KINDS = ("call", "text")  # text = SMS / letter notice

_SAFE_ID = re.compile(r"[^0-9A-Za-z_.\-\u4e00-\u9fff]+")


class TranscriptError(ValueError):
    """A transcript file that cannot be read; the message names the file and the problem."""


def safe_id(call_id: str) -> str:
    """A call id usable as a file name: no path separators, no '..', never empty."""
    s = _SAFE_ID.sub("_", str(call_id)).strip("._")
    s = s.replace("..", "_")
    if not s:
        s = "call_" + hashlib.sha1(str(call_id).encode("utf-8")).hexdigest()[:10]
    return s[:120]


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float = 1.0


@dataclass
class Segment:
    start: float
    end: float
    speaker: str
    text: str
    channel: Optional[int] = None
    words: Optional[list[Word]] = None
    avg_logprob: Optional[float] = None
    no_speech_prob: Optional[float] = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "start": round(float(self.start), 3),
            "end": round(float(self.end), 3),
            "speaker": self.speaker,
            "text": self.text,
        }
        if self.channel is not None:
            d["channel"] = self.channel
        if self.words is not None:
            d["words"] = [asdict(w) for w in self.words]
        if self.avg_logprob is not None:
            d["avg_logprob"] = round(float(self.avg_logprob), 4)
        if self.no_speech_prob is not None:
            d["no_speech_prob"] = round(float(self.no_speech_prob), 4)
        d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Segment":
        known = {f.name for f in fields(cls)} - {"extra"}
        words = d.get("words")
        speaker = d.get("speaker") or "unknown"
        if speaker not in SPEAKERS:
            speaker = "unknown"
        return cls(
            start=float(d.get("start", 0.0) or 0.0),
            end=float(d.get("end", 0.0) or 0.0),
            speaker=speaker,
            text=str(d.get("text") or ""),
            channel=d.get("channel"),
            words=[Word(**w) for w in words] if words else None,
            avg_logprob=d.get("avg_logprob"),
            no_speech_prob=d.get("no_speech_prob"),
            extra={k: v for k, v in d.items() if k not in known},
        )


@dataclass
class Call:
    call_id: str
    agent_id: str = ""
    started_at: str = ""  # ISO 8601 with time zone
    callee_relation: str = "unknown"
    audio: Optional[str] = None
    duration: Optional[float] = None
    kind: str = "call"
    segments: list[Segment] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def team(self) -> str:
        return str(self.metadata.get("team") or "")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "call_id": self.call_id,
            "agent_id": self.agent_id,
            "started_at": self.started_at,
            "callee_relation": self.callee_relation,
        }
        if self.audio is not None:
            d["audio"] = self.audio
        if self.duration is not None:
            d["duration"] = round(float(self.duration), 3)
        if self.kind != "call":
            d["kind"] = self.kind
        if self.metadata:
            d["metadata"] = self.metadata
        d["segments"] = [s.to_dict() for s in self.segments]
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Call":
        if not isinstance(d, dict):
            raise TranscriptError("transcript is not a JSON object")
        if "call_id" not in d:
            raise TranscriptError("transcript has no call_id")
        segs = d.get("segments", [])
        if not isinstance(segs, list):
            raise TranscriptError("'segments' is not a list")
        relation = d.get("callee_relation") or "unknown"
        if relation not in RELATIONS:
            relation = "unknown"
        known = {"call_id", "agent_id", "started_at", "callee_relation", "audio", "duration",
                 "kind", "segments", "metadata"}
        metadata = dict(d.get("metadata") or {})
        metadata.update({k: v for k, v in d.items() if k not in known})
        return cls(
            call_id=str(d["call_id"]),
            agent_id=str(d.get("agent_id") or ""),
            started_at=str(d.get("started_at") or ""),
            callee_relation=relation,
            audio=d.get("audio"),
            duration=d.get("duration"),
            kind=d.get("kind") or "call",
            segments=[Segment.from_dict(s) for s in segs],
            metadata=metadata,
        )

    @classmethod
    def from_json(cls, text: str) -> "Call":
        return cls.from_dict(json.loads(text))


def read_text(path: str | Path) -> tuple[str, str]:
    """Read a UTF-8 (or GBK) text file: ``(text, encoding)``; TranscriptError names file and problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise TranscriptError(f"{path}: cannot read: {e.strerror or e}") from e
    if not raw.strip():
        raise TranscriptError(f"{path}: empty file")
    if b"\x00" in raw[:4096]:
        raise TranscriptError(f"{path}: binary data, not text")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030"), "gbk"
        except UnicodeDecodeError as e:
            raise TranscriptError(f"{path}: not UTF-8 or GBK text") from e


def load_call(path: str | Path) -> Call:
    """Read a transcript JSON file; raise TranscriptError naming the file and the problem."""
    path = Path(path)
    text, encoding = read_text(path)
    gbk = " (GBK-encoded)" if encoding == "gbk" else ""
    try:
        call = Call.from_json(text)
    except json.JSONDecodeError as e:
        raise TranscriptError(f"{path}: invalid JSON{gbk} at line {e.lineno} column {e.colno}: {e.msg}") from e
    except (TranscriptError, TypeError, ValueError) as e:
        raise TranscriptError(f"{path}: invalid transcript{gbk}: {e}") from e
    if encoding == "gbk":  # accepted, and recorded so the run summary can say so
        call.metadata.setdefault("source_encoding", "gbk")
    return call


@dataclass
class Finding:
    """One rule hit.

    ``reason`` is what a user reads: plain Chinese, who said what and what it means, e.g.
    坐席说“明天上午我们的人就去你们单位”：以上门或到单位找人相威胁（THREAT-001）.  ``explanation`` is the
    technical trace (lexicon entry, scores, weak/strong decision) shown behind 详情 / 技术详情.
    """

    call_id: str
    rule: str  # code, e.g. "THREAT-003"
    category: str  # threat | abuse | third_party_disclosure | unauthorized_waiver | impersonation | no_self_identification | ...
    severity: str  # low | medium | high | critical
    segment: Optional[int]  # index into call.segments; None for call-level findings
    start: Optional[float]
    end: Optional[float]
    speaker: str
    evidence: str  # exact text (substring of the segment text) that carries the finding
    char_start: Optional[int]
    char_end: Optional[int]
    message: str  # Chinese, for the report
    explanation: str  # technical: entry/pattern, context, negation/role decision, score
    score: float = 1.0
    details: dict[str, Any] = field(default_factory=dict)
    reason: str = ""  # plain Chinese for users: who said what + what it means (rule code at the end)

    @property
    def finding_id(self) -> str:
        """Stable id: same call, rule and place give the same id across runs (idempotent storage)."""
        key = f"{self.call_id}|{self.rule}|{self.segment}|{self.char_start}|{self.char_end}"
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["finding_id"] = self.finding_id
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Finding":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})
