"""Abuse rules (ABUSE-*): insults and swearing, belittling and mockery."""
from __future__ import annotations

from qa_audit.detect.rules._common import BASIS_CARD, BASIS_CONVENTION, LexiconRule
from qa_audit.detect.rules.registry import register


@register
class Abuse001(LexiconRule):
    """Insults and swearing at the customer (老赖, 不要脸, 他妈的, 你算个什么东西).

    **Bad**::

        agent: 你就是个老赖，满嘴没一句实话。
        agent: 没钱你他妈的刷卡的时候怎么不说没钱？

    **Good**::

        agent: 您刚才说我们“不要脸”，我就当您是一时气话。
    """

    code = "ABUSE-001"
    name = "insult-or-swearing"
    category = "abuse"
    severity = "high"
    basis = BASIS_CONVENTION + "（不得使用侮辱、谩骂等不文明语言）；" + BASIS_CARD
    message = "坐席辱骂、侮辱客户"
    reason_template = "辱骂、侮辱客户"


@register
class Abuse002(LexiconRule):
    """Belittling or mocking the customer (丢不丢人, 混成这样, sarcasm about spending).

    **Bad**::

        agent: 您都四十好几的人了，混成这样，丢不丢人啊？
        agent: 钱多得花不完啊，怎么一到还信用卡就穷得叮当响了？

    **Good**::

        agent: 理解您现在手头比较紧，我们一起看看怎么安排。
    """

    code = "ABUSE-002"
    name = "belittling-or-mockery"
    category = "abuse"
    severity = "medium"
    basis = BASIS_CONVENTION + "（应文明催收，不得贬低、嘲讽债务人）"
    message = "坐席贬低、嘲讽客户"
    reason_template = "贬低、嘲讽客户"
