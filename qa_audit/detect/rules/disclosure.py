"""Disclosure rule (DISCLOSE-001): the debt told to someone not confirmed as the debtor."""
from __future__ import annotations

from typing import Iterator

from qa_audit.core.labels import shorten, speaker_label
from qa_audit.core.model import Finding
from qa_audit.detect.rules._common import BASIS_PRIVACY, evidence_span
from qa_audit.detect.rules.base import Rule, RuleContext
from qa_audit.detect.rules.registry import register
from qa_audit.detect.rules.selfid import SelfId001


@register
class Disclose001(Rule):
    """The agent tells someone not confirmed as the debtor about the debt.

    The listener comes from the dialogue state (``dialogue.py``): the dialer's callee_relation,
    updated by what is said (我是他妈妈, 他同事, 打错了, 本人确认, 核实无误).  A debt word (逾期,
    欠款, 催收, 没还, an amount owed…) in an agent turn spoken to a third party is a disclosure.

    **Bad**::

        customer: 我是他妈妈，他手机落家里了。
        agent: 周俊在我们惠民贷借的那笔钱，已经逾期四十五天了。

    **Good**::

        customer: 刘洋是我儿子，怎么了？
        agent: 我们有点事情需要和他本人沟通，麻烦您转告他回个电话。
    """

    code = "DISCLOSE-001"
    name = "third-party-disclosure"
    category = "third_party_disclosure"
    severity = "critical"
    basis = BASIS_PRIVACY + "（不得向债务人以外的第三人透露债务信息）"
    scope = "call"
    message = "坐席向非债务人本人透露欠款信息"
    reason_template = "对方并非债务人本人，坐席仍向其透露欠款信息"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        det = ctx.detector
        th, _ = det.threshold(self.category)
        st = ctx.dialogue
        for i, seg in enumerate(ctx.call.segments):
            if not det._judged(seg.speaker) or not st.is_third_party(i):
                continue
            hs = self._debt_hits(ctx, i)
            if not hs:
                continue
            best = max(hs, key=lambda h: (h.score, h.end - h.start))
            if best.score < th:
                continue
            a, b = evidence_span(ctx.text(i), best.start, best.end)
            words = sorted({h.matched for h in hs if h.score >= th})
            expl = (f"role: agent turn | {st.explain(i)} | " + "; ".join(best.notes)
                    + f" | debt words said: {', '.join(words)} | score {best.score:.2f} ≥ {th:.2f}")
            yield ctx.finding(self, i, a, b, explanation=expl, score=best.score, focus=(best.start, best.end),
                              meaning=self._listener_meaning(ctx, i), listener=st.party[i],
                              entry=best.entry.id, match=best.matched)

    def _debt_hits(self, ctx: RuleContext, i: int) -> list:
        """Debt words of segment i, without the institution's own name (快牛借款, 惠民贷 are
        self-identification, not debt words)."""
        hs = ctx.hits_for(i, self.code)
        name = SelfId001.find_name(ctx.text(i), ctx.options.get("institution") or {}) if hs else None
        if name:
            hs = [h for h in hs if h.end <= name[0] or h.start >= name[1]]
        return hs

    def _listener_meaning(self, ctx: RuleContext, i: int) -> str:
        """Why the listener is not the debtor, in plain Chinese."""
        ev = ctx.dialogue.since[i] if i < len(ctx.dialogue.since) else None
        if ev is not None and ev.evidence:
            said = f"{speaker_label(ctx.speaker(ev.segment))}说过“{shorten(ev.evidence, 20)}”"
            return f"对方并非债务人本人（{said}），坐席仍向其透露欠款信息"
        if ctx.dialogue.prior == "contact":
            return "拨打的是联系人，对方并非债务人本人，坐席仍向其透露欠款信息"
        return self.reason_template
