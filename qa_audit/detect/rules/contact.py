"""Contact rules: a person who is not the debtor is not a collection target (联系人不可作为催收对象)."""
from __future__ import annotations

import re
from typing import Iterator

from qa_audit.core.model import Finding
from qa_audit.detect.rules._lexhits import best_hit, hit_finding
from qa_audit.detect.rules.base import Rule, RuleContext
from qa_audit.detect.rules.registry import register

BASIS_CONTACT = ("《互联网金融逾期债务催收自律公约（试行）》第二十二条（不得向债务人以外的第三人催收，"
                 "不得骚扰与债务无关的第三人）；《商业银行信用卡业务监督管理办法》第六十八条；"
                 "《民法典》第四百六十五条（合同仅对当事人具有约束力，紧急联系人不承担还款义务）")

# a hit that names the debtor in the third person (替他还 / 帮她垫上): the listener is not the debtor
_THIRD_PERSON = re.compile("[他她]")


@register
class Contact001(Rule):
    """The agent treats someone who is not the debtor as a collection target.

    The listener comes from the dialogue state (``dialogue.py``, as for DISCLOSE-001): an emergency
    contact, spouse, parent, colleague, friend or a wrong number.  While such a third party is on
    the line the agent must not demand or press them to repay for the debtor (你替他还 / 你先垫上),
    say they are liable or obliged (紧急联系人就有义务还款 / 父债子还), make leaving them alone
    conditional on paying (你替他还了我们就不找你了), threaten to keep calling them until someone
    pays, or push after they declined (跟我没关系 → 你不管谁管).  A hit that itself names the debtor
    in the third person (替他还) counts whatever the dialer believed it dialled.

    Not: asking them to pass on a message or for a new number; a contact who volunteers and is told
    it is entirely voluntary (这完全是自愿的，您没有义务替他还); telling the debtor himself to ask
    family for help (你可以找家里人帮你周转一下).

    **Bad**::

        customer: 我是他妈妈，他不在家。
        agent: 你是他的紧急联系人，就有义务替他还款，你先帮他把钱垫上。

    **Good**::

        customer: 我是他妈妈，他不在家。
        agent: 好的阿姨，麻烦您转告他给我们回个电话，谢谢。
    """

    code = "CONTACT-001"
    name = "contact-as-collection-target"
    category = "contact_pressure"
    severity = "high"
    basis = BASIS_CONTACT
    scope = "call"
    message = "坐席将非债务人（紧急联系人、亲友、同事、错拨号码机主）作为催收对象，要求其代还或施压"
    reason_template = "对方不是债务人本人（紧急联系人、亲友、同事或错拨号码的机主），坐席却把对方当作催收对象，要求其代还或向其施压"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        det = ctx.detector
        th, _ = det.threshold(self.category)
        st = ctx.dialogue
        declined = self._decline_pattern(ctx)
        for i, seg in enumerate(ctx.call.segments):
            if not det._judged(seg.speaker):
                continue
            hs = [h for h in ctx.hits_for(i, self.code) if h.score >= th]
            if not hs:
                continue
            third = st.is_third_party(i)
            keep = []
            for h in hs:
                # pushing after a decline: the decline must come first (the lexicon cue sees the whole call)
                if h.entry.id == "push-after-decline" and not (
                        declined and any(ctx.speaker(k) != "agent" and declined.search(ctx.text(k))
                                         for k in range(i))):
                    continue
                if third or _THIRD_PERSON.search(h.matched):
                    keep.append(h)
            best = best_hit(keep)
            if best is None:
                continue
            listener = (st.explain(i) if third else
                        f"the agent speaks of the debtor in the third person ('{best.matched}'); {st.explain(i)}")
            yield hit_finding(self, ctx, i, best, hs, th, False, prefix=listener, listener=st.party[i])

    @staticmethod
    def _decline_pattern(ctx: RuleContext):
        lex = ctx.detector.lexset.category("contact_pressure")
        for cue in (lex.context if lex else []):
            if cue.id == "declined-in-call":
                return cue.pattern
        return None
