"""Shared helpers of the issue-11 rules (contact, notice, alerts): lexicon hits as findings, and
lexicon hits on the customer's turns.

The Detector matches and scores lexicons on the agent's turns only (only they can violate).  The
customer-side alert rules (ALERT-001/002) read what the person on the line says: their lexicon hits
are matched and scored here, on demand, with the same engine (negation, reported speech, context
cues; a ``scope: call`` cue with ``speaker: customer`` looks at the customer's turns).

Not a rule module (the leading underscore keeps the registry from importing it as one).
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from qa_audit.core.model import Finding
from qa_audit.detect.rules._common import evidence_span


def hit_finding(rule: Any, ctx: Any, i: int, best: Any, hs: list, th: float, weak: bool,
                prefix: str = "", **details: Any) -> Finding:
    """A finding on segment ``i`` for the lexicon hit ``best`` (others listed in the explanation)."""
    text = ctx.text(i)
    a, b = evidence_span(text, best.start, best.end)
    decision = (f"weak: score {best.score:.2f} < {th:.2f}, kept because the call has a strong "
                f"{rule.category} finding" if weak else f"score {best.score:.2f} ≥ {th:.2f}")
    others = [h for h in hs if h is not best]
    parts = [f"role: {ctx.speaker(i)} turn"] + ([prefix] if prefix else []) + ["; ".join(best.notes), decision]
    if others:
        parts.append("other hits: " + "; ".join(
            f"'{h.pattern}' {h.score:.2f}" + (" (negated)" if h.negated else "") for h in others[:4]))
    return ctx.finding(rule, i, a, b, explanation=" | ".join(parts), score=best.score,
                       weak=weak, entry=best.entry.id, match=best.matched, how=best.how,
                       hit_start=best.start, hit_end=best.end, **details)


def _call_cues(ctx: Any, category: str) -> dict[str, set[str]]:
    det = ctx.detector
    lex = det.lexset.category(category)
    out: set[str] = set()
    for cue in (lex.context if lex else []):
        if cue.scope != "call":
            continue
        for i, seg in enumerate(ctx.call.segments):
            if (cue.speaker == "any" or seg.speaker == cue.speaker
                    or (cue.speaker == "customer" and seg.speaker == "unknown")) and cue.pattern.search(ctx.text(i)):
                out.add(cue.id)
                break
    return {category: out}


def customer_hits(ctx: Any, code: str, category: str) -> dict[int, list]:
    """Scored lexicon hits feeding ``code`` on every turn not spoken by the agent: ``{segment: hits}``
    (cached on the context)."""
    cache = ctx.__dict__.setdefault("_customer_hits", {})
    if code in cache:
        return cache[code]
    det = ctx.detector
    raw = ctx.__dict__.get("_customer_raw")
    if raw is None:  # one Aho-Corasick pass per customer turn, shared by every alert rule
        raw = ctx.__dict__["_customer_raw"] = {
            i: det.lexset.match(ctx.text(i)) for i, seg in enumerate(ctx.call.segments)
            if seg.speaker != "agent" and ctx.text(i)}
    cues = _call_cues(ctx, category)
    out: dict[int, list] = {}
    for i, hits in raw.items():
        hs = [h for h in hits if h.rule == code]
        if not hs:
            continue
        det.score_hits(i, ctx.norm[i], hs, cues)
        out[i] = hs
    cache[code] = out
    return out


def best_hit(hs: Iterable[Any]) -> Optional[Any]:
    hs = list(hs)
    return max(hs, key=lambda h: (h.score, h.end - h.start)) if hs else None
