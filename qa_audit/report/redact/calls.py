"""Whole calls: names known for a call, a redacted copy of it, and the audio time of a redacted span."""
from __future__ import annotations

from qa_audit.report.redact.base import DEFAULT_THRESHOLD, Context, RedactionResult
from qa_audit.report.redact.engine import analyze, apply
from qa_audit.report.redact.names import NameRecognizer, plausible_name

NAME_KEYS = ("debtor_name", "customer_name", "name", "contact_name", "debtor", "customer", "姓名",
             "客户姓名", "联系人姓名", "agent_name")


def collect_names(call, threshold: float = 0.6) -> set[str]:
    """Names known for a call: metadata name fields plus confident full names found in any turn."""
    names: set[str] = set()
    md = getattr(call, "metadata", None) or {}
    for k in NAME_KEYS:
        v = md.get(k)
        if isinstance(v, str) and 2 <= len(v.strip()) <= 6:
            names.add(v.strip())
    rec = NameRecognizer()
    for seg in call.segments:
        for r in rec.analyze(seg.text, seg.text, Context()):
            if r.score >= threshold and len(r.text) >= 2 and plausible_name(r.text):
                names.add(r.text)
    return names


def redact_call(call, *, threshold: float = DEFAULT_THRESHOLD, amounts: str = "bucket"):
    """A redacted copy of ``call`` (text and metadata) and the results per segment index.

    Metadata is dropped except harmless keys (team); names found anywhere in the call are redacted
    everywhere in it.
    """
    import copy

    ctx = Context(known_names=collect_names(call), amounts=amounts)
    out = copy.deepcopy(call)
    per_seg: dict[int, list[RedactionResult]] = {}
    for i, seg in enumerate(out.segments):
        res = analyze(seg.text, ctx, threshold=threshold)
        per_seg[i] = res
        seg.text = apply(seg.text, res)
        seg.words = None  # word texts would leak the original
        seg.extra = {}
    out.metadata = {k: v for k, v in (call.metadata or {}).items() if k in ("team",)}
    return out, per_seg


def span_times(seg, start: int, end: int) -> tuple[float, float]:
    """Audio time of characters [start, end) of a segment: word timestamps when the segment has
    ``words`` (aligned by their text), else proportional within the segment."""
    text = seg.text
    if seg.words:
        spans = []  # (char_start, char_end, word)
        pos = 0
        for w in seg.words:
            wt = (w.word or "").strip()
            if not wt:
                continue
            k = text.find(wt, pos)
            if k < 0:
                spans = []
                break
            spans.append((k, k + len(wt), w))
            pos = k + len(wt)
        hit = [w for (a, b, w) in spans if a < end and b > start]
        if spans and hit:
            return float(min(w.start for w in hit)), float(max(w.end for w in hit))
    n = max(1, len(text))
    dur = max(0.0, float(seg.end) - float(seg.start))
    return float(seg.start) + dur * start / n, float(seg.start) + dur * end / n
