"""Customer-side alerts (预警) and pressing a vulnerable customer.

- ALERT-001 ``complaint_risk`` and ALERT-002 ``vulnerable_customer`` read what the person on the line
  says (customer turns; lexicons ``complaint_risk.yaml`` / ``vulnerable_customer.yaml``).  Their
  severity is ``alert``: a signal for the supervisor (follow up, handle with care), never a violation
  of the agent — the scoring and penalty code ignore them, the review app shows them in a separate
  预警 lane, the summary report counts them per agent and team.
- VULN-001 ``vulnerable_pressure`` is the agent's violation: after a vulnerable-customer statement
  in the same call the agent keeps pressing (pay now anyway, borrow or sell, dismissing or doubting
  the situation: ``vulnerable_pressure.yaml``) or threatens or insults (threat / abuse hits).
"""
from __future__ import annotations

from typing import Iterator, Optional

from qa_audit.core.labels import shorten
from qa_audit.core.model import ALERT, Finding
from qa_audit.detect.rules._lexhits import best_hit, customer_hits, hit_finding
from qa_audit.detect.rules.base import Rule, RuleContext
from qa_audit.detect.rules.registry import register

BASIS_COMPLAINT = ("《银行业保险业消费投诉处理管理办法》第十条（建立投诉处理工作机制，及时处理消费投诉）；"
                   "公司《客户投诉预警与处理规范》")
BASIS_VULNERABLE = ("《银行业金融机构消费者权益保护管理办法》（关注老年人、残障人士等特殊群体，提供人性化服务）；"
                    "《互联网金融逾期债务催收自律公约（试行）》（对特殊困难债务人审慎催收）")


class _CustomerAlert(Rule):
    """Base of the customer-side alert rules (not registered itself)."""

    scope = "call"
    severity = ALERT

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        det = ctx.detector
        th, support = det.threshold(self.category)
        for i, hs in sorted(customer_hits(ctx, self.code, self.category).items()):
            best = best_hit(hs)
            if best is None or best.score < support:
                continue
            weak = best.score < th or best.entry.weak
            yield hit_finding(self, ctx, i, best, hs, th, weak)


@register
class Alert001(_CustomerAlert):
    """预警 — the person on the line says they will complain, report or sue, or asks how to complain.

    Complaint, 12378 / 金融监管局 / 银保监, 12345, 报警, 找媒体, 起诉你们, 我录音了, or a question about
    the complaint channel, said by the customer (or whoever answered).  An alert: it never deducts
    points and never feeds a penalty referral; the supervisor follows up.  Not: the agent offering
    the complaint channel, the customer daring the agent (你们去报警啊 / 你们起诉我吧), a denial
    (我没说要投诉).

    **Bad**::

        customer: 你们再这样打，我就打12378投诉你们。
        customer: 我已经录音了，明天就去报警。

    **Good**::

        customer: 你们去起诉我吧，我就是没钱。
        agent: 如果您对我的服务不满意，可以拨打客服热线投诉。
    """

    code = "ALERT-001"
    name = "complaint-risk"
    category = "complaint_risk"
    basis = BASIS_COMPLAINT
    message = "客户表示将投诉、举报、报警或起诉（投诉风险预警，不扣分）"
    reason_template = "表示要投诉、举报、报警或起诉，属投诉风险预警（不扣分，请主管跟进）"


@register
class Alert002(_CustomerAlert):
    """预警 — the person on the line is in a vulnerable situation.

    Serious illness or hospitalization (theirs or close family's), a recent death in the family,
    suicidal or self-harm talk, a disability or mental illness, a minor, an elderly person who cannot
    follow (an age or 老人家 together with 听不懂 / 耳背 in the call), a disaster (地震, 洪水, 火灾,
    车祸).  An alert: never scored or referred; VULN-001 judges how the agent goes on.  Not: ordinary
    money trouble (没钱, 失业, 生意不好), figures of speech (急死了, 跳楼价), negated statements.

    **Bad**::

        customer: 我老公上个月查出肺癌，现在还在医院化疗。
        customer: 我真的不想活了，你们别再逼我了。

    **Good**::

        customer: 最近生意不好，手头紧，下个月发了工资再还。
        customer: 我在医院上班，白天不方便接电话。
    """

    code = "ALERT-002"
    name = "vulnerable-customer"
    category = "vulnerable_customer"
    basis = BASIS_VULNERABLE
    message = "客户表明处于特殊困难情形（重病、丧亲、轻生念头、残障、未成年、高龄、灾害；特殊困难客户预警，不扣分）"
    reason_template = ("表明处于特殊困难情形（重病、丧亲、轻生念头、残障、未成年、高龄或灾害），"
                       "属特殊困难客户预警（不扣分，后续应审慎沟通）")

    def statements(self, ctx: RuleContext) -> list[tuple[int, object]]:
        """(segment, best hit) of the strong vulnerable-customer statements, in call order."""
        th, _ = ctx.detector.threshold(self.category)
        out = []
        for i, hs in sorted(customer_hits(ctx, self.code, self.category).items()):
            best = best_hit(hs)
            if best is not None and best.score >= th and not best.entry.weak:
                out.append((i, best))
        return out


@register
class Vuln001(Rule):
    """The agent keeps pressing or threatens after the customer said they are in a vulnerable situation.

    A vulnerable-customer statement (ALERT-002, strong) on a customer turn, then on a later agent turn
    of the same call: a demand to pay now whatever happens (今天必须还 / 住院也得还), telling them to
    borrow or sell (找亲戚借 / 把车卖了), dismissing or doubting the situation (那是你的事 / 别找借口 /
    装病), or a threat or an insult.  Not: sympathy, a pause, pointing to the hardship procedure
    (可以申请延期还款), or the same words before the statement.

    **Bad**::

        customer: 我妈脑梗住院了，我天天在医院陪床。
        agent: 那是你的事，今天必须把最低还款还上。

    **Good**::

        customer: 我妈脑梗住院了，我天天在医院陪床。
        agent: 理解，您先照顾好家人，可以申请延期还款，我把申请方式发给您。
    """

    code = "VULN-001"
    name = "pressing-vulnerable-customer"
    category = "vulnerable_pressure"
    severity = "high"
    basis = ("《银行业金融机构消费者权益保护管理办法》（关注老年人、残障人士等特殊群体）；"
             "《互联网金融逾期债务催收自律公约（试行）》第二十二条（不得采用恐吓、骚扰等手段，对特殊困难债务人审慎催收）")
    scope = "call"
    message = "客户表明处于特殊困难情形后，坐席仍持续施压、催逼或威胁"
    reason_template = "客户此前已表明处于特殊困难情形，坐席仍继续施压、催逼或威胁"

    # threat / abuse hits also count as pressing after the statement
    _ALSO = ("threat", "abuse")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        det = ctx.detector
        stmts = Alert002().statements(ctx)
        if not stmts:
            return
        first, first_hit = stmts[0]
        th, _ = det.threshold(self.category)
        for i, seg in enumerate(ctx.call.segments):
            if i <= first or not det._judged(seg.speaker):
                continue
            cands = [h for h in ctx.hits_for(i, self.code) if h.score >= th]
            for cat in self._ALSO:
                cth, _ = det.threshold(cat)
                cands += [h for h in ctx.hits_in(i, cat) if h.score >= cth and not h.entry.weak]
            best: Optional[object] = best_hit(cands)
            if best is None:
                continue
            said = ctx.call.segments[first].text
            why = (f"after the customer's statement at segment {first} "
                   f"('{first_hit.matched}' in '{said[:30]}', {first_hit.entry.id})")
            yield hit_finding(self, ctx, i, best, cands, th, False, prefix=why,
                              statement_segment=first, pressing=best.entry.category,
                              meaning=f"客户此前说过“{shorten(said.rstrip('。；，! '), 20)}”，已表明处于特殊困难情形，"
                                      f"坐席仍继续施压、催逼或威胁")
