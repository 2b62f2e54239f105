"""Written collection notices (书面催收: SMS, letters, app messages; calls of kind ``text``)."""
from __future__ import annotations

import re
from typing import Iterator

from qa_audit.core.model import Finding
from qa_audit.detect.rules.base import Rule, RuleContext
from qa_audit.detect.rules.registry import register

BASIS_NOTICE = ("《商业银行信用卡业务监督管理办法》第六十八条（催收应表明身份、如实告知欠款情况）；"
                "公司《书面催收规范》（催收短信/信函须载明欠款金额、还款期限、发送机构及联系方式）")

_NUM = r"\d+(?:\.\d+)?"
ELEMENTS = {
    # 欠款金额: an amount of money (3960元 / 人民币12680 / 应还8436.00)
    "amount": ("欠款金额", re.compile(
        rf"{_NUM}\s*(元|块|圆)|(人民币|rmb|¥|￥)\s*{_NUM}|(应还|欠款|欠|本息|合计|共计|金额|账单|待还|未还|本金|最低还款)"
        rf"[^。；;！!？?\n]{{0,8}}?{_NUM}")),
    # 还款期限: a date or a period to pay by (11月25日前 / 3日内 / 今天之内), an immediate request
    # (请尽快还款 / 立即处理), or the due date stated as passed (已逾期12天: payment is due now)
    "deadline": ("还款期限", re.compile(
        rf"\d+月\d+(日|号)(前|之前|以前|内|之内|止|截止|24|23|\d+时|\d+点)?|(于|在|请于|务必于)\s*\d+(年|月|日|号)|"
        rf"\d+\s*(个)?(日|天|工作日|小时|个月)(之内|内|以内)|(今天|今日|今晚|今天晚上|当天|当日|本周|本月|月底|月末|明天|明日|周[一二三四五六日末]|星期[一二三四五六日天])"
        rf"(之内|内|前|之前|以前|下班前|\d+点前|24点前)|"
        rf"(尽快|立即|马上|及时|即刻|从速|速|立刻|尽早)(还款|还清|处理|归还|偿还|缴|还|结清|足额|安排|联系|回电|登录)|"
        rf"(到期日|还款日|最后还款日|最迟还款日|截止日)[^。；;\n]{{0,6}}\d|已(经)?逾期\s*{_NUM}\s*(天|日|个月|期)")),
    # 联系方式: a phone number, a hotline, the app / online banking / an official channel, a reply
    "contact": ("联系方式", re.compile(
        r"\d{3,4}-\d{7,8}|(?<!\d)1\d{10}(?!\d)|(?<!\d)(400|800)-?\d{3}-?\d{4}|(?<!\d)95\d{3,4}(?!\d)|"
        r"客服|热线|联系电话|咨询电话|服务电话|致电|来电|回电|拨打|app|网银|手机银行|公众号|小程序|官网|网点|柜台|柜面|"
        r"门店|官方渠道|联系我们|联系方式|邮箱|营业厅|短信回复|回复\d")),
}
# a notice that asks for repayment (a callback request to a relative names no debt: not judged)
_DEBT = re.compile(r"还款|欠款|逾期|应还|账单|借款|贷款|欠|还清|结清|偿还|催收|催告|归还|透支|分期")


@register
class Notice001(Rule):
    """A written collection notice (SMS, letter) lacks one of its required elements.

    Every notice that asks for repayment must state the amount owed (欠款金额), a deadline (还款期限:
    a date or period to pay by, an immediate request such as 请尽快还款, or the due date stated as
    passed, 已逾期12天), the sender institution (发送机构: the same test as SELFID-001, a 【签名】
    counts) and a contact channel (联系方式: a phone number, 客服热线, the app, online banking, 回电).
    The finding names each missing element.  Not judged: calls, and notices that ask only for a
    callback and name no debt (a message to a relative).

    **Bad**::

        agent: 你的账户已经逾期，请处理。

    **Good**::

        agent: 【瑞丰银行】尊敬的周先生，您尾号6621的信用卡应还8436.00元，已逾期3天，请尽快通过瑞丰银行APP还款，咨询请拨打客服热线。
    """

    code = "NOTICE-001"
    name = "notice-missing-elements"
    category = "notice_elements"
    severity = "medium"
    basis = BASIS_NOTICE
    scope = "call"
    message = "书面催收通知缺少必要要素"
    reason_template = "书面催收通知缺少必要要素"

    @classmethod
    def meaning(cls, f: Finding) -> str:
        missing = f.details.get("missing") or []
        return cls.reason_template + (f"：{'、'.join(missing)}" if missing else "")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        call = ctx.call
        if call is None or call.kind != "text" or not call.segments:
            return
        texts = [ctx.text(i) for i in range(len(call.segments))]
        whole = "\n".join(texts)
        if not _DEBT.search(whole):
            return
        found: dict[str, str] = {}
        for key, (_, pat) in ELEMENTS.items():
            m = pat.search(whole)
            if m:
                found[key] = m.group()
        sender = not self._sender_missing(ctx)
        missing = [label for key, label in (("amount", "欠款金额"), ("deadline", "还款期限"), ("sender", "发送机构"),
                                            ("contact", "联系方式"))
                   if not (sender if key == "sender" else key in found)]
        if not missing:
            return
        have = ", ".join(f"{k} '{v}'" for k, v in found.items()) or "none"
        yield ctx.call_finding(
            self, message=f"{self.message}：{'、'.join(missing)}",
            explanation=(f"written notice ({len(call.segments)} lines) asks for repayment; missing: "
                         f"{', '.join(missing)} | found: {have}"
                         + ("; sender: named" if sender else "; sender: no institution named (SELFID-001 test)")
                         + " | score 1.00"),
            missing=missing)

    @staticmethod
    def _sender_missing(ctx: RuleContext) -> bool:
        """The SELFID-001 test (registry look-up: the rule may live in any module)."""
        from qa_audit.detect.rules import registry

        try:
            selfid = registry.get("SELFID-001")
        except KeyError:  # pragma: no cover - the rule always ships
            return False
        return bool(list(selfid().check(ctx)))
