"""Threat rules (THREAT-*): visits, exposure, harm, criminal intimidation, exaggerated consequences."""
from __future__ import annotations

from qa_audit.detect.rules._common import BASIS_CARD, BASIS_CONVENTION, BASIS_CRIMINAL, BASIS_PRIVACY, LexiconRule
from qa_audit.detect.rules.registry import register


@register
class Threat001(LexiconRule):
    """Threat to come to the home or workplace, or to contact employer/family as pressure.

    **Bad**::

        agent: 这周五我们的人就去你们公司前台等你，当着你同事的面好好聊聊。
        agent: 周二我们就去你家楼下，你住哪个小区我们都清楚。

    **Good**::

        agent: 您放心，我们不会上门，也不会给您单位打电话。
    """

    code = "THREAT-001"
    name = "visit-or-workplace-threat"
    category = "threat"
    severity = "high"
    basis = BASIS_CONVENTION + "（不得以上门、骚扰工作单位及亲友等方式催收）；" + BASIS_CARD
    message = "坐席以上门、到单位或联系家人/单位相威胁"
    reason_template = "以上门、到单位找人或联系其家人、领导相威胁"
    entry_meanings = {
        "以上门、到单位或到学校找人相威胁": ("visit-home-work", "our-people-coming", "people-arriving",
                                     "bring-a-crew", "school-gate", "scouted-place"),
        "以联系其单位领导、家人或身边的人施压相威胁": ("boss-colleagues", "call-work-family", "spouse-will-know",
                                        "rhetorical-tell-spouse", "talk-to-their-circle"),
        "暗示掌握其住址、行踪相威胁": ("know-where-you-live", "whereabouts-known"),
    }


@register
class Threat002(LexiconRule):
    """Threat to expose the debt: contact list blasts, posting in groups/online, shaming posters.

    **Bad**::

        agent: 今晚不还，我就给你通讯录里每个人发短信。
        agent: 我们会把你的照片做成海报，发到你朋友圈。

    **Good**::

        agent: 您的个人信息我们是保密的，不会发到网上。
    """

    code = "THREAT-002"
    name = "exposure-threat"
    category = "threat"
    severity = "critical"
    basis = BASIS_PRIVACY + "；" + BASIS_CONVENTION + "（不得公开债务人信息、不得骚扰无关第三人）"
    message = "坐席以曝光、群发通讯录或公开羞辱相威胁"
    reason_template = "以曝光欠款、群发通讯录或公开羞辱相威胁"


@register
class Threat003(LexiconRule):
    """Threat of harm or veiled menace (你小心点, 别出什么意外, 走着瞧).

    **Bad**::

        agent: 你天天晚上接孩子走的那条路，黑灯瞎火的，小心点，别出什么意外。

    **Good**::

        agent: 天气不好，您路上注意安全，还款的事我们改天再聊。
    """

    code = "THREAT-003"
    name = "harm-threat"
    category = "threat"
    severity = "critical"
    basis = BASIS_CRIMINAL + "（不得使用暴力或以暴力相威胁）"
    message = "坐席以人身伤害或暗示危险相威胁"
    reason_template = "以人身伤害或暗示会出意外相威胁"


@register
class Threat004(LexiconRule):
    """Arrest, jail or "fraud" used as intimidation for a civil debt.

    **Bad**::

        agent: 明天就把材料交给公安，到时候直接抓你去坐牢。
        agent: 你借钱不还就是诈骗，判个三五年都是轻的。

    **Good**::

        agent: 欠款属于民事纠纷，不会因为这个抓人坐牢，但逾期会记入征信。
    """

    code = "THREAT-004"
    name = "criminal-threat"
    category = "threat"
    severity = "critical"
    basis = BASIS_CONVENTION + "（不得以刑事追究等虚假信息恐吓）；" + BASIS_CARD
    message = "坐席以抓捕、坐牢、定性诈骗等刑事后果恐吓"
    reason_template = "把民事欠款说成刑事犯罪，以抓人、坐牢恐吓"


@register
class Threat005(LexiconRule):
    """False or exaggerated consequences (children's schooling, 政审, travel bans) and 后果自负.

    **Bad**::

        agent: 征信黑了孩子上学要查家长征信，好的学校根本不会收。
        agent: 这礼拜不把钱打过来，后果自负。

    **Good**::

        agent: 逾期记录会报送征信系统，影响您本人以后办理贷款。
    """

    code = "THREAT-005"
    name = "exaggerated-consequence"
    category = "threat"
    severity = "high"
    basis = BASIS_CONVENTION + "（不得夸大或虚构逾期后果）；《银行业金融机构消费者权益保护管理办法》"
    message = "坐席夸大或虚构逾期后果进行恐吓"
    reason_template = "夸大或虚构逾期后果（如影响子女上学、政审、出行）进行恐吓"
