"""Shared by the conversation rules: legal bases, the evidence clause, and ``LexiconRule``.

Not a rule module (the registry skips names starting with ``_``).
"""
from __future__ import annotations

from typing import ClassVar, Iterator

from qa_audit.core.model import Finding
from qa_audit.detect.rules.base import Rule, RuleContext

BASIS_CONVENTION = "《互联网金融逾期债务催收自律公约（试行）》"
BASIS_CARD = "《商业银行信用卡业务监督管理办法》第六十八条"
BASIS_PRIVACY = "《个人信息保护法》第十条；" + BASIS_CARD
BASIS_CRIMINAL = "《刑法》第二百九十三条之一（催收非法债务罪）；" + BASIS_CONVENTION


def evidence_span(text: str, s: int, e: int) -> tuple[int, int]:
    """The clause around a hit (what a reviewer reads), trimmed of spaces."""
    from qa_audit.detect.detector import clause_bounds

    a, b = clause_bounds(text, s, e)
    while a < s and text[a] in " \t":
        a += 1
    while b > e and text[b - 1] in " \t":
        b -= 1
    return a, b


class LexiconRule(Rule):
    """Base for rules fed by lexicon entries whose ``rule`` is this code (not registered itself).

    The reason quotes the clause around the best hit and says ``reason_template``, or the meaning
    ``entry_meanings`` gives for the lexicon entry that matched."""

    scope = "segment"
    entry_meanings: ClassVar[dict[str, tuple[str, ...]]] = {}  # meaning -> lexicon entry ids

    @classmethod
    def meaning(cls, f: Finding) -> str:
        entry = f.details.get("entry")
        for text, ids in cls.entry_meanings.items():
            if entry in ids:
                return text
        return super().meaning(f)

    def candidates(self, ctx: RuleContext, i: int):
        return ctx.hits_for(i, self.code)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        det = ctx.detector
        th, support = det.threshold(self.category)
        for i, seg in enumerate(ctx.call.segments):
            hs = self.candidates(ctx, i)
            if not hs or not det._judged(seg.speaker):
                continue
            best = max(hs, key=lambda h: (h.score, h.end - h.start))
            if best.score < support:
                continue
            weak = best.score < th or best.entry.weak
            yield self._finding(ctx, i, best, hs, th, weak)

    def _finding(self, ctx: RuleContext, i: int, best, hs, th: float, weak: bool) -> Finding:
        text = ctx.text(i)
        a, b = evidence_span(text, best.start, best.end)
        decision = (f"weak: score {best.score:.2f} < {th:.2f}, kept because the call has a strong "
                    f"{self.category} finding" if weak else f"score {best.score:.2f} ≥ {th:.2f}")
        others = [h for h in hs if h is not best]
        parts = [f"role: {ctx.speaker(i)} turn", "; ".join(best.notes), decision]
        if others:
            parts.append("other hits: " + "; ".join(
                f"'{h.pattern}' {h.score:.2f}" + (" (negated)" if h.negated else "") for h in others[:4]))
        return ctx.finding(self, i, a, b, explanation=" | ".join(parts), score=best.score,
                           focus=(best.start, best.end), weak=weak, entry=best.entry.id,
                           match=best.matched, how=best.how, hit_start=best.start, hit_end=best.end)
