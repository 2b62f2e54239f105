"""Waiver rule (WAIVER-001): reductions, 停息挂账 or settlements promised on the agent's own authority."""
from __future__ import annotations

import re
from typing import Iterator

from qa_audit.core.model import Finding
from qa_audit.detect.rules._common import LexiconRule, evidence_span
from qa_audit.detect.rules.base import RuleContext
from qa_audit.detect.rules.registry import register


@register
class Waiver001(LexiconRule):
    """Reduction, waiver, 停息挂账, 只还本金 or settlement promised on the agent's own authority.

    **Bad**::

        agent: 利息和违约金我直接给您减免掉，就当结清了，不用走什么申请。
        agent: 我这边直接给您办停息挂账，从今天起就不再产生利息了。

    **Good**::

        agent: 停息挂账和减免都需要您本人提交书面申请，由审批部门审核，我没办法给您打包票。
        agent: 您的罚息减免申请已经审批通过，审批编号是JM20261118047。
    """

    code = "WAIVER-001"
    name = "unauthorized-waiver"
    category = "unauthorized_waiver"
    severity = "high"
    basis = "《商业银行信用卡业务监督管理办法》第七十条（个性化分期须经审批）；公司《减免审批管理规定》"
    message = "坐席擅自承诺减免、停息挂账或折扣结清"
    reason_template = "未经审批擅自承诺减免、停息挂账或折扣结清"

    # a settlement for less than the amount the agent said is owed (欠款一万一千九…你还九千九就算结清)
    _OWED = re.compile(r"(欠款|欠了|欠|一共|总共|合计|应还|待还|共计|加起来|本息|总额|连本带息|全部|现在是)"
                       r"[^0-9,，。;；!?？！]{0,6}?(\d+(?:\.\d+)?)")
    _SETTLE = re.compile(r"(\d+(?:\.\d+)?)(块|元)?(钱)?[^0-9。;；!?？！]{0,10}?"
                         r"(就算结清|就结清|算结清|就算结了|就清了|就两清|这笔账就|这个账就|就当还清|就当结清|就了结)")
    _NOT = re.compile(r"不|没|无法|如果您?全额|全部还清|还清全部")
    _REST = re.compile(r"(剩下|剩余|其余|余下|另外|余款|尾款|再)的?(还|付|转|打|交)?\s*$|先(还|付|转|打)|首付")
    _APPROVED = re.compile(r"(审批|申请|批准|审核)(编号|单号|文号)|已经审批通过|审批已经通过")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        base = list(super().check(ctx))
        found = {f.segment for f in base if not f.details.get("weak")}
        extra = [] if self._approved(ctx) else list(self._below_owed(ctx, found))
        done = {f.segment for f in extra}
        yield from (f for f in base if f.segment not in done)
        yield from extra

    def _approved(self, ctx: RuleContext) -> bool:
        return any(self._APPROVED.search(ctx.text(i)) for i in ctx.agent_segments())

    def _below_owed(self, ctx: RuleContext, found: set) -> Iterator[Finding]:
        """Settlements for less than the largest amount the agent said is owed so far."""
        owed = 0.0
        for i in ctx.agent_segments():
            text = ctx.text(i)
            for m in self._SETTLE.finditer(text):
                if i not in found and self._below(text, m, owed):
                    found.add(i)
                    yield self._settle_finding(ctx, i, text, m, owed)
            for m in self._OWED.finditer(text):
                owed = max(owed, float(m.group(2))) if owed == 0 or float(m.group(2)) < owed * 20 else owed

    def _below(self, text: str, m: re.Match, owed: float) -> bool:
        amount = float(m.group(1))
        a, _ = evidence_span(text, m.start(), m.end())
        return (0 < amount < owed * 0.97 and amount >= 100
                and not self._NOT.search(text[a:m.start()])
                and not self._REST.search(text[max(0, m.start() - 12):m.start()])
                # 今天还15000，下个月还8000就结清了: the parts add up to what is owed
                and sum(float(x) for x in re.findall(r"\d+(?:\.\d+)?", text) if float(x) >= 100) < owed * 0.97)

    def _settle_finding(self, ctx: RuleContext, i: int, text: str, m: re.Match, owed: float) -> Finding:
        s, e = evidence_span(text, m.start(), m.end())
        return ctx.finding(
            self, i, s, e, score=0.75, entry="settle-below-owed", match=m.group(), focus=(m.start(), m.end()),
            meaning=f"坐席先说欠款 {owed:g} 元，又承诺只还 {m.group(1)} 元就算结清，属未经审批的擅自折扣",
            explanation=f"role: agent turn | settlement for {m.group(1)} while the agent said {owed:g} "
                        f"is owed (a discount on own authority) | score 0.75")
