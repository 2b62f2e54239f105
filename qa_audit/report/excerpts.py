"""Trainer excerpts: findings with a few turns of context, personal data redacted, and an audio clip
in which every redacted span is beeped.

    from qa_audit.report.excerpts import export_excerpts
    summary = export_excerpts(store, "out/excerpts", categories=["threat", "abuse"], status="any")

Each excerpt is written as Markdown and HTML (``<excerpt_id>.md`` / ``.html``) plus ``<excerpt_id>.wav``
when the call has audio, and listed in ``index.html``, ``index.md`` and ``manifest.json``.  The
excerpt id is a hash of the finding id; nothing in a file name, text or manifest carries a name,
phone, ID-card or bank-card number or address: the call id, agent id and metadata are left out, the
text goes through ``qa_audit.report.redact``, and the clip's redacted spans are muted and overlaid with a
1 kHz tone.

``status``: ``any`` (unreviewed, confirmed or appealed: dismissed findings are false alarms and are
never exported), ``unreviewed`` or ``confirmed``.

"Good practice" excerpts come from high-scoring calls: a hardship the agent handled well and a
correct refusal to discuss the debt with a third party.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import wave
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Optional

from qa_audit.report import redact as R
from qa_audit.core.atomic import atomic_path, write_json, write_text
from qa_audit.core.labels import category_label, reason_of, shorten
from qa_audit.core.model import Call, Finding
from qa_audit.report.excerpt_pages import PAGE, esc, render_html_body, render_markdown  # noqa: F401 - API
from qa_audit.store.db import Store, iso_week

STATUSES = ("any", "unreviewed", "confirmed")
THEMES = {
    "hardship": ("困难客户的妥善处理",
                 ("困难", "没钱", "失业", "生病", "住院", "带孩子", "没能力", "还不上", "周转不过来",
                  "生意不好", "没工作", "手术", "工资发不出")),
    "refusal_to_disclose": ("对第三方正确拒绝透露",
                            ("不方便透露", "不便透露", "不方便说", "只能跟他本人", "只能和他本人",
                             "需要和他本人", "跟他本人沟通", "和他本人沟通", "不能告诉您", "涉及个人隐私",
                             "具体情况不方便")),
}
SAMPLE_RATE = 8000
# privacy first: excerpts also hide what only *looks* like personal data (an 18-digit number whose
# check digit fails — possibly misheard — or any run of 9+ digits), below redact's default 0.5
EXCERPT_THRESHOLD = 0.3
BEEP_HZ = 1000.0


class ExcerptError(RuntimeError):
    """An excerpt that could not be written; the message names the excerpt and the problem."""


@dataclass
class Piece:
    text: str
    kind: str = "plain"  # plain | redacted
    evidence: bool = False
    note: str = ""       # for redacted pieces: entity type + recognizer


@dataclass
class Turn:
    index: int
    start: float
    end: float
    speaker: str
    pieces: list[Piece]
    focus: bool = False

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


@dataclass
class Excerpt:
    excerpt_id: str
    kind: str                  # finding | good_practice
    category: str
    title: str
    rule: str = ""
    severity: str = ""
    status: str = ""
    message: str = ""
    reason: str = ""           # plain Chinese: who said what and what it means (redacted)
    explanation: str = ""      # technical trace (redacted), shown behind 详情
    week: str = ""
    theme: str = ""
    score: Optional[float] = None
    turns: list[Turn] = field(default_factory=list)
    clip_start: float = 0.0
    clip_end: float = 0.0
    beeps: list[tuple[float, float]] = field(default_factory=list)  # seconds, relative to the clip
    redactions: list[dict[str, Any]] = field(default_factory=list)  # type/recognizer/score only
    audio_path: Optional[str] = None  # source recording (never written to the export)
    finding_id: str = ""              # for the web page; never written to the export

    def public_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("audio_path", "finding_id"):
            d.pop(k)
        d["turns"] = [{"index": t.index, "start": t.start, "end": t.end, "speaker": t.speaker,
                       "text": t.text, "focus": t.focus} for t in self.turns]
        return d


def excerpt_id_for(key: str) -> str:
    return "ex_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


# --- building ---------------------------------------------------------------------------------------
def _pieces(text: str, results: list[R.RedactionResult], ev: Optional[tuple[int, int]]) -> list[Piece]:
    cuts = {0, len(text)}
    for r in results:
        cuts.update((r.start, r.end))
    if ev:
        cuts.update((max(0, min(len(text), ev[0])), max(0, min(len(text), ev[1]))))
    pts = sorted(cuts)
    out: list[Piece] = []
    for a, b in zip(pts, pts[1:]):
        if a >= b:
            continue
        red = next((r for r in results if r.start <= a and b <= r.end), None)
        in_ev = bool(ev and ev[0] <= a and b <= ev[1])
        if red is not None:
            if red.start == a:  # one replacement per redacted span
                out.append(Piece(red.replacement, "redacted", in_ev,
                                 f"{red.entity_type} ({red.recognizer}, {red.score:.2f})"))
            continue
        out.append(Piece(text[a:b], "plain", in_ev))
    return out


def _clean(text: str, ctx: R.Context) -> str:
    return R.redact(text or "", ctx, threshold=EXCERPT_THRESHOLD).text


class _CallRedaction:
    """The redaction of one call, computed once and shared by its excerpts."""

    def __init__(self, call: Call, amounts: str = "bucket"):
        self.call = call
        self.ctx = R.Context(known_names=R.collect_names(call), amounts=amounts)
        self.results = [R.analyze(s.text, self.ctx, threshold=EXCERPT_THRESHOLD) for s in call.segments]

    def turns(self, lo: int, hi: int, focus: set[int], ev: Optional[tuple[int, tuple[int, int]]]) -> list[Turn]:
        out = []
        for i in range(lo, hi + 1):
            seg = self.call.segments[i]
            span = ev[1] if ev and ev[0] == i else None
            out.append(Turn(i, float(seg.start), float(seg.end), seg.speaker,
                            _pieces(seg.text, self.results[i], span), focus=i in focus))
        return out

    def beeps(self, lo: int, hi: int, clip_start: float) -> list[tuple[float, float]]:
        spans = []
        for i in range(lo, hi + 1):
            seg = self.call.segments[i]
            for r in self.results[i]:
                a, b = R.span_times(seg, r.start, r.end)
                spans.append((max(0.0, round(a - clip_start - 0.05, 3)), round(b - clip_start + 0.05, 3)))
        return _merge(spans)

    def summary(self, lo: int, hi: int) -> list[dict[str, Any]]:
        return [{"segment": i, "type": r.entity_type, "recognizer": r.recognizer, "score": r.score,
                 "replacement": r.replacement}
                for i in range(lo, hi + 1) for r in self.results[i]]


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _window(call: Call, centre: int, context: int) -> tuple[int, int]:
    n = len(call.segments)
    return max(0, centre - context), min(n - 1, centre + context)


_QUOTED = re.compile(r"^([^“”]{1,10}说“)(.*?)(”：.*)$", re.S)


def _reason(f: Finding, red: _CallRedaction) -> str:
    """The finding's reason, redacted like the dialogue.  Its quote is cut again from the segment,
    widened so that no phone number, card number or name the redaction must see whole is cut."""
    reason = reason_of(f)
    m = _QUOTED.match(reason)
    if not m or f.segment is None or f.char_start is None or not 0 <= f.segment < len(red.call.segments):
        return _clean(reason, red.ctx)
    text, rs = red.call.segments[f.segment].text, red.results[f.segment]
    core = m.group(2).strip("…")
    a = text.find(core, f.char_start) if core else -1
    if a < 0:
        return m.group(1) + shorten(_clean(f.evidence, red.ctx)) + _clean(m.group(3), red.ctx)
    b = a + len(core)
    for r in rs:
        a = r.start if r.start < a < r.end else a
        b = r.end if r.start < b < r.end else b
    inside = [replace(r, start=r.start - a, end=r.end - a) for r in rs if a <= r.start and r.end <= b]
    quote = ("…" if a > f.char_start else "") + R.apply(text[a:b], inside) + ("…" if b < (f.char_end or b) else "")
    return m.group(1) + quote + _clean(m.group(3), red.ctx)


def finding_excerpt(call: Call, f: Finding, status: str, *, context: int = 2,
                    red: Optional[_CallRedaction] = None, amounts: str = "bucket") -> Excerpt:
    red = red or _CallRedaction(call, amounts)
    ex = Excerpt(excerpt_id=excerpt_id_for(f.finding_id), kind="finding", category=f.category,
                 title=f"{category_label(f.category)} · {f.rule}", rule=f.rule,
                 severity=f.severity, status=status, message=_clean(f.message, red.ctx),
                 reason=_reason(f, red), explanation=_clean(f.explanation, red.ctx), week=iso_week(call.started_at),
                 audio_path=call.audio, finding_id=f.finding_id)
    if call.segments:
        seg_i = f.segment if f.segment is not None and 0 <= f.segment < len(call.segments) else 0
        lo, hi = _window(call, seg_i, context) if f.segment is not None else (0, min(len(call.segments) - 1, 2 * context))
        ev = None
        if f.segment is not None and f.char_start is not None and f.char_end is not None:
            ev = (seg_i, (int(f.char_start), int(f.char_end)))
        ex.turns = red.turns(lo, hi, {seg_i} if f.segment is not None else set(), ev)
        ex.clip_start = max(0.0, float(call.segments[lo].start) - 0.3)
        ex.clip_end = float(call.segments[hi].end) + 0.3
        ex.beeps = red.beeps(lo, hi, ex.clip_start)
        ex.redactions = red.summary(lo, hi)
    return ex


def _states(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    from qa_audit.store.reviews import review_states  # one query per 500 findings

    return review_states(store, ids)


def build_excerpts(store: Store, categories: Iterable[str] = (), status: str = "any", *,
                   context: int = 2, amounts: str = "bucket",
                   limit: Optional[int] = None) -> list[Excerpt]:
    """Excerpts of the stored findings in ``categories`` (all when empty) with review ``status``."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; choose one of {', '.join(STATUSES)}")
    cats = [c for c in categories if c]
    sql = "SELECT finding_id, call_id FROM findings"
    args: list[Any] = []
    if cats:
        sql += f" WHERE category IN ({','.join('?' * len(cats))})"
        args = cats
    sql += " ORDER BY call_id, segment, char_start"
    rows = store.conn.execute(sql, args).fetchall()
    states = _states(store, [r[0] for r in rows])
    by_call: dict[str, list[str]] = {}
    for r in rows:
        st = states[r[0]]["status"]
        if st == "dismissed":
            continue
        if status == "unreviewed" and st != "unreviewed":
            continue
        if status == "confirmed" and st != "confirmed":
            continue
        by_call.setdefault(r[1], []).append(r[0])
    out: list[Excerpt] = []
    for call_id, fids in by_call.items():
        call = store.get_call(call_id)
        if call is None:
            continue
        red = _CallRedaction(call, amounts)
        for f in store.findings_for_call(call_id):
            if f.finding_id in fids:
                ex = finding_excerpt(call, f, states[f.finding_id]["status"], context=context, red=red)
                sev = states[f.finding_id].get("severity")
                if sev:
                    ex.severity = sev
                out.append(ex)
                if limit and len(out) >= limit:
                    return out
    return out


def good_practice_excerpts(store: Store, *, min_ratio: float = 0.9, context: int = 2,
                           amounts: str = "bucket", limit: int = 20) -> list[Excerpt]:
    """Well-handled moments from high-scoring calls (scorecard total ≥ ``min_ratio`` of the maximum and
    passed; calls without a scorecard qualify when none of their findings counts)."""
    totals = {r[0]: (float(r[1]), bool(r[2])) for r in store.conn.execute("SELECT call_id, total, fatal FROM scorecards")}
    out: list[Excerpt] = []
    for (call_id,) in store.conn.execute("SELECT call_id FROM calls ORDER BY started_at, call_id").fetchall():
        score = None
        if call_id in totals:
            score, fatal = totals[call_id]
            if fatal:  # cheap pre-filter before reading the card
                continue
            card = json.loads(store.conn.execute("SELECT card_json FROM scorecards WHERE call_id=?",
                                                 (call_id,)).fetchone()[0])
            if not card.get("passed", True) or score < min_ratio * float(card.get("max_points") or 100):
                continue
        else:
            fs = store.findings_for_call(call_id)
            if any(store.review_state(f.finding_id)["status"] != "dismissed" for f in fs):
                continue
        call = store.get_call(call_id)
        if call is None or not call.segments:
            continue
        red: Optional[_CallRedaction] = None
        for theme, (label, words) in THEMES.items():
            idx = _theme_turn(call, theme, words)
            if idx is None:
                continue
            red = red or _CallRedaction(call, amounts)
            lo, hi = _window(call, idx, context)
            ex = Excerpt(excerpt_id=excerpt_id_for(f"good|{call_id}|{theme}|{idx}"), kind="good_practice",
                         category="good_practice", title=f"良好示范 · {label}", theme=theme,
                         message=label, week=iso_week(call.started_at), score=score, audio_path=call.audio,
                         explanation=f"评分 {score:g}，" if score is not None else "")
            ex.explanation += f"第 {idx + 1} 句坐席应对为本主题的示范（匹配词：{_matched(call, idx, theme, words)}）。"
            ex.reason = f"第 {idx + 1} 句坐席的应对是“{label}”的良好示范"
            ex.turns = red.turns(lo, hi, {idx}, None)
            ex.clip_start = max(0.0, float(call.segments[lo].start) - 0.3)
            ex.clip_end = float(call.segments[hi].end) + 0.3
            ex.beeps = red.beeps(lo, hi, ex.clip_start)
            ex.redactions = red.summary(lo, hi)
            out.append(ex)
            if len(out) >= limit:
                return out
    return out


def _matched(call: Call, idx: int, theme: str, words: tuple[str, ...]) -> str:
    if theme == "hardship":
        prev = call.segments[idx - 1].text if idx > 0 else ""
        return "、".join(w for w in words if w in prev) or "-"
    return "、".join(w for w in words if w in call.segments[idx].text) or "-"


def _theme_turn(call: Call, theme: str, words: tuple[str, ...]) -> Optional[int]:
    segs = call.segments
    if theme == "hardship":
        for i, s in enumerate(segs):
            if s.speaker == "customer" and any(w in s.text for w in words):
                for j in range(i + 1, min(len(segs), i + 3)):
                    if segs[j].speaker == "agent":
                        return j
        return None
    for i, s in enumerate(segs):
        if s.speaker == "agent" and any(w in s.text for w in words):
            return i
    return None


# --- audio ------------------------------------------------------------------------------------------
def cut_clip(audio: str | Path, start: float, end: float, beeps: Iterable[tuple[float, float]],
             out_path: str | Path, *, sample_rate: int = SAMPLE_RATE) -> Path:
    """Cut ``start..end`` of ``audio`` with ffmpeg (mono), mute each beep span and overlay a 1 kHz
    tone there, and write a 16-bit WAV atomically.  Raises ExcerptError naming the file."""
    import numpy as np

    audio = Path(audio)
    if not audio.is_file():
        raise ExcerptError(f"{audio}: audio file not found")
    dur = max(0.05, float(end) - float(start))
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-ss", f"{max(0.0, start):.3f}", "-t", f"{dur:.3f}",
           "-i", str(audio), "-ac", "1", "-ar", str(sample_rate), "-f", "s16le", "-"]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ExcerptError(f"{audio}: ffmpeg failed: {e}") from e
    if p.returncode != 0:
        raise ExcerptError(f"{audio}: ffmpeg could not decode: {p.stderr.decode('utf-8', 'replace').strip()[:300]}")
    x = np.frombuffer(p.stdout, dtype=np.int16).astype(np.float32)
    for a, b in beeps:
        i, j = max(0, int(a * sample_rate)), min(len(x), int(b * sample_rate))
        if j <= i:
            continue
        t = np.arange(j - i, dtype=np.float32) / sample_rate
        x[i:j] = 0.25 * 32767 * np.sin(2 * np.pi * BEEP_HZ * t)
    y = np.clip(x, -32768, 32767).astype(np.int16)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(y.tobytes())
    out_path = Path(out_path)
    with atomic_path(out_path) as tmp:
        tmp.write_bytes(buf.getvalue())
    return out_path


@dataclass
class ExportSummary:
    out_dir: Path
    excerpts: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)


def export_excerpts(store: Store, out_dir: str | Path, categories: Iterable[str] = (), status: str = "any", *,
                    context: int = 2, amounts: str = "bucket", good_practice: bool = True,
                    audio: bool = True) -> ExportSummary:
    """Write the excerpts (and the good-practice ones) to ``out_dir``; one failed clip is recorded in
    the summary and the rest goes on."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    exs = build_excerpts(store, categories, status, context=context, amounts=amounts)
    if good_practice:
        exs += good_practice_excerpts(store, context=context, amounts=amounts)
    summary = ExportSummary(out)
    bodies = []
    for ex in exs:
        clip_name = None
        if audio and ex.audio_path and ex.turns:
            clip_name = f"{ex.excerpt_id}.wav"
            try:
                cut_clip(ex.audio_path, ex.clip_start, ex.clip_end, ex.beeps, out / clip_name)
            except ExcerptError as e:
                # the source path may contain personal data: report only the excerpt and the problem kind
                summary.failures.append({"excerpt": ex.excerpt_id, "error": _public_error(e), "detail": str(e)})
                clip_name = None
        write_text(out / f"{ex.excerpt_id}.md", render_markdown(ex, clip_name))
        body = render_html_body(ex, clip_name)
        write_text(out / f"{ex.excerpt_id}.html", PAGE.format(title=esc(ex.title), body=body))
        bodies.append(body)
        d = ex.public_dict()
        d["files"] = [f"{ex.excerpt_id}.md", f"{ex.excerpt_id}.html"] + ([clip_name] if clip_name else [])
        summary.excerpts.append(d)
    write_text(out / "index.html", PAGE.format(title="培训案例库", body="<h1>培训案例库</h1>" + "".join(bodies)))
    md = ["# 培训案例库", ""] + [f"- [{e['title']}]({e['excerpt_id']}.md)" for e in summary.excerpts]
    write_text(out / "index.md", "\n".join(md) + "\n")
    write_json(out / "manifest.json", {"status": status, "categories": list(categories),
                                       "excerpts": summary.excerpts,
                                       "failures": [{k: v for k, v in f.items() if k != "detail"}
                                                    for f in summary.failures]})
    return summary


def _public_error(e: Exception) -> str:
    msg = str(e)
    return "audio unavailable: " + ("file not found" if "not found" in msg else "ffmpeg could not decode it")
