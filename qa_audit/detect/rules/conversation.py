"""Conversation rules: what the agent says (lexicon rules) and how the call goes (dialogue rules)."""
from __future__ import annotations

import re
from typing import Iterable, Iterator

from qa_audit.core.model import Finding
from qa_audit.detect.rules.base import Rule, RuleContext
from qa_audit.detect.rules.registry import register

BASIS_CONVENTION = "《互联网金融逾期债务催收自律公约（试行）》"
BASIS_CARD = "《商业银行信用卡业务监督管理办法》第六十八条"
BASIS_PRIVACY = "《个人信息保护法》第十条；" + BASIS_CARD
BASIS_CRIMINAL = "《刑法》第二百九十三条之一（催收非法债务罪）；" + BASIS_CONVENTION


def _evidence_span(text: str, s: int, e: int) -> tuple[int, int]:
    """The clause around a hit (what a reviewer reads), trimmed of spaces."""
    from qa_audit.detect.detector import clause_bounds

    a, b = clause_bounds(text, s, e)
    while a < s and text[a] in " \t":
        a += 1
    while b > e and text[b - 1] in " \t":
        b -= 1
    return a, b


class LexiconRule(Rule):
    """Base for rules fed by lexicon entries whose ``rule`` is this code (not registered itself)."""

    scope = "segment"

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
        a, b = _evidence_span(text, best.start, best.end)
        decision = (f"weak: score {best.score:.2f} < {th:.2f}, kept because the call has a strong "
                    f"{self.category} finding" if weak else f"score {best.score:.2f} ≥ {th:.2f}")
        others = [h for h in hs if h is not best]
        parts = [f"role: {ctx.speaker(i)} turn", "; ".join(best.notes), decision]
        if others:
            parts.append("other hits: " + "; ".join(
                f"'{h.pattern}' {h.score:.2f}" + (" (negated)" if h.negated else "") for h in others[:4]))
        return ctx.finding(self, i, a, b, explanation=" | ".join(parts), score=best.score,
                           weak=weak, entry=best.entry.id, match=best.matched, how=best.how,
                           hit_start=best.start, hit_end=best.end)


# --- threat --------------------------------------------------------------------------------
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


# --- abuse ---------------------------------------------------------------------------------
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


# --- impersonation -------------------------------------------------------------------------
@register
class Imperson001(LexiconRule):
    """Claims to be, or to speak for, police, court, procuratorate, government or a law firm.

    **Bad**::

        agent: 我现在就是代表经侦支队跟你做最后一次沟通。
        agent: 今天是代表人民法院跟您做诉前调解。

    **Good**::

        agent: 我们不是法院，也不是公安，是受银行委托的催收机构。
    """

    code = "IMPERSON-001"
    name = "authority-impersonation"
    category = "impersonation"
    severity = "critical"
    basis = BASIS_CONVENTION + "（不得冒充公检法、政府机关或律师）；《治安管理处罚法》第五十一条"
    message = "坐席冒充或假借公检法、政府、律师名义"


@register
class Imperson002(LexiconRule):
    """False claim that a case is already filed (已经立案, 案号, 传票, 撤案, 跟法官说).

    **Bad**::

        agent: 法院也已经立案了，案号是2026民初4781号，传票这几天就寄到。

    **Good**::

        agent: 如果长期不还款，我行保留依法向法院提起诉讼的权利。
    """

    code = "IMPERSON-002"
    name = "false-case-claim"
    category = "impersonation"
    severity = "high"
    basis = BASIS_CONVENTION + "（不得虚构诉讼、立案等法律状态）"
    message = "坐席虚称已立案、已起诉或能左右司法程序"


# --- waiver --------------------------------------------------------------------------------
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
        extra: list[Finding] = []
        owed = 0.0
        approved = any(self._APPROVED.search(ctx.text(i)) for i in ctx.agent_segments())
        for i in ctx.agent_segments():
            text = ctx.text(i)
            for m in self._SETTLE.finditer(text):
                amount = float(m.group(1))
                a, _ = _evidence_span(text, m.start(), m.end())
                if (i not in found and not approved and 0 < amount < owed * 0.97 and amount >= 100
                        and not self._NOT.search(text[a:m.start()])
                        and not self._REST.search(text[max(0, m.start() - 12):m.start()])
                        # 今天还15000，下个月还8000就结清了: the parts add up to what is owed
                        and sum(float(x) for x in re.findall(r"\d+(?:\.\d+)?", text) if float(x) >= 100) < owed * 0.97):
                    s, e = _evidence_span(text, m.start(), m.end())
                    found.add(i)
                    extra.append(ctx.finding(
                        self, i, s, e, score=0.75, entry="settle-below-owed", match=m.group(),
                        explanation=f"role: agent turn | settlement for {m.group(1)} while the agent said {owed:g} "
                                    f"is owed (a discount on own authority) | score 0.75"))
            for m in self._OWED.finditer(text):
                owed = max(owed, float(m.group(2))) if owed == 0 or float(m.group(2)) < owed * 20 else owed
        done = {f.segment for f in extra}
        yield from (f for f in base if f.segment not in done)
        yield from extra


# --- dialogue rules ------------------------------------------------------------------------
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

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        det = ctx.detector
        th, _ = det.threshold(self.category)
        st = ctx.dialogue
        for i, seg in enumerate(ctx.call.segments):
            if not det._judged(seg.speaker) or not st.is_third_party(i):
                continue
            hs = ctx.hits_for(i, self.code)
            if not hs:
                continue
            text = ctx.text(i)
            # the institution's own name (快牛借款, 惠民贷) is self-identification, not a debt word
            name = SelfId001.find_name(text, ctx.options.get("institution") or {})
            if name:
                hs = [h for h in hs if h.end <= name[0] or h.start >= name[1]]
                if not hs:
                    continue
            best = max(hs, key=lambda h: (h.score, h.end - h.start))
            if best.score < th:
                continue
            a, b = _evidence_span(text, best.start, best.end)
            words = sorted({h.matched for h in hs if h.score >= th})
            expl = (f"role: agent turn | {st.explain(i)} | " + "; ".join(best.notes)
                    + f" | debt words said: {', '.join(words)} | score {best.score:.2f} ≥ {th:.2f}")
            yield ctx.finding(self, i, a, b, explanation=expl, score=best.score,
                              listener=st.party[i], entry=best.entry.id, match=best.matched)


_NAME_CHARS = r"[\u4e00-\u9fffA-Za-z0-9]"


@register
class SelfId001(Rule):
    """The agent never names the institution he or she calls for.

    By default the whole call is searched; ``self_id_window_turns`` agent turns or
    ``self_id_window_seconds`` seconds (config; whichever is later) restrict it to the opening.  A name counts when the agent presents it as their own
    (我是泰和银行信用卡中心的 / 这里是快易贷 / 受新瑞银行委托 / 安心花的催收专员); a surname and a job
    number alone, or "负责您账户的", do not.

    **Bad**::

        agent: 您好，我是负责您账户的客户经理小秦，工号3318。

    **Good**::

        agent: 您好，我是泰和银行信用卡中心的，工号5127。
    """

    code = "SELFID-001"
    name = "no-self-identification"
    category = "no_self_identification"
    severity = "medium"
    basis = BASIS_CONVENTION + "（催收时应表明身份及所代表的机构）；" + BASIS_CARD
    scope = "call"
    message = "坐席未表明所属机构"

    _compiled: dict = {}
    _types: dict = {}
    _fixes: dict = {}
    _STOP = set("是的在从给找跟打受向到了吗吧呢啊喂嗯哦你我他她们这那哪个位请问好笔张台份边里")
    # stop characters that may still start a name the agent introduces (好借花, 好分期)
    _STOP_FIRST_OK = set("好")
    _STOP_FIRST = _STOP - _STOP_FIRST_OK

    @classmethod
    def _patterns(cls, inst: dict):
        key = id(inst)
        if key not in cls._compiled:
            suf = sorted(map(str, inst.get("suffixes") or ["银行"]), key=len, reverse=True)
            roles = sorted(map(str, inst.get("roles") or ["客服"]), key=len, reverse=True)
            intros = sorted(map(str, inst.get("intros") or ["我是"]), key=len, reverse=True)
            suf_re = re.compile("|".join(map(re.escape, suf)))
            role_re = re.compile(rf"^(的)?\s?({'|'.join(map(re.escape, roles))})")
            intro_re = re.compile(rf"({'|'.join(map(re.escape, intros))})[\s,，]?[\u4e00-\u9fff]?$")
            generic = {str(x) for x in inst.get("generic") or []}
            exclude = [str(x) for x in inst.get("exclude") or []]
            intro_alt = "|".join(map(re.escape, [i for i in intros if len(i) >= 2]))
            role_alt = "|".join(map(re.escape, roles))
            own_re = re.compile(rf"(?:{intro_alt})[\s,，]?({_NAME_CHARS}{{2,10}}?)(?=的\s?.{{0,2}}(?:{role_alt})|的(?:[\s,.?!;，。？！；]|$)|委托|的(?:工号|我姓|姓|你|他|她|找一下|找你|请问|想跟你|跟你|给你打|打电话)|(?:这边|那边)的(?:[\s,.?!;，。？！；]|$))")
            dept_re = re.compile(rf"(?:{intro_alt})[\s,，]?({_NAME_CHARS}{{2,8}}?)(?:客服|催收|贷后|信用卡|服务|客户服务)?(?:中心|服务部|贷后部|催收部|风控部|部门)(?=的|[\s,.?!;，。？！；]|$)")
            # 我是分期乐的小王 / 我是京东金融的李经理: name + 的 + a person (小X / 老X / X经理)
            person_re = re.compile(rf"(?:{intro_alt})[\s,，]?({_NAME_CHARS}{{2,8}}?)(?=的(?:小|老|阿)[\u4e00-\u9fff](?:[\s,.?!;，。？！；]|$)|的[\u4e00-\u9fff]{{1,2}}(?:经理|主管|专员|顾问|老师))")
            # 这里是分期乐。 / 我们是美团: a place-intro (not 我是, which introduces a person) + name + pause
            place_re = re.compile(rf"(?:这里是|这边是|我这边是|我这里是|我们是|我们这边是|我们这里是|这儿是|我这儿是|我们这儿是)[\s,，]?({_NAME_CHARS}{{2,8}}?)(?=[\s,.?!;，。？！；]|$)")
            # 这里是美团客服。 / 您好，美团月付客服中心，…: a place intro or a greeting + name + role + pause
            place_role_re = re.compile(rf"(?:这里是|这边是|我这边是|我这里是|我们是|我们这边是|我们这里是|这儿是|我这儿是|我们这儿是)[\s,，]?({_NAME_CHARS}{{2,8}}?)的?(?:{role_alt})(?=[\s,.?!;，。？！；]|$)")
            greet_role_re = re.compile(rf"(?:^|你好|喂)[\s,，]?({_NAME_CHARS}{{2,8}}?)的?(?:{role_alt})(?=[\s,.?!;，。？！；]|$)")
            # 我们瑞丰这边看到… / 咱们恒信那边: 我们 + a name + 这边
            we_re = re.compile(rf"(?:我们|咱们|我行|我司)({_NAME_CHARS}{{2,6}}?)(?:这边|那边|这里)")
            fixes = [(str(a), str(b)) for a, b in (inst.get("asr_fixes") or []) if len(str(a)) == len(str(b))]
            cls._fixes[key] = (re.compile("|".join(re.escape(a) for a, _ in fixes)), dict(fixes)) if fixes else None
            cls._types[key] = sorted(map(str, inst.get("type_words") or []), key=len, reverse=True)
            cls._compiled[key] = (suf_re, role_re, intro_re, generic, exclude, own_re, dept_re, person_re, place_re,
                                  place_role_re, greet_role_re, we_re)
        return cls._compiled[key]

    # Cantonese-flavoured Mandarin (我系…嘅客服, 我哋呢边系…): read as Mandarin, same length, so the
    # offsets stay valid
    _DIALECT = (re.compile(r"(?<=[我们这那边里度])系"), "是"), (re.compile("嘅"), "的"), \
        (re.compile("我哋"), "我们"), (re.compile("呢度"), "这里"), (re.compile("呢边"), "这边")
    # a name that is an authority (court, police, procuratorate, government, law firm) is not the
    # institution the agent calls for: impersonation or a law firm alone does not say whose debt it is
    _AUTHORITY = re.compile(r"法院|公安|派出所|警|检察|执行局|政府|律师|律所|司法|仲裁|纪委|监察|网信")
    # the lender named as the creditor (你在云朵借条上面的借款 / 还到快易花APP上 / 闪电借上面的)
    _CREDITOR_BEFORE = re.compile(r"(在|从|向|跟|找)(你们|我们|咱们)?$|(还到|还进|打到|转到|登录|打开|下载|还在)$")
    _CREDITOR_AFTER = re.compile(r"^(上面|上|那边|那里|那儿|这边|平台|app|里)?(的)?(借款|贷款|借的|贷的|借了|贷了|借钱|分期|信用卡|卡|欠款|账单|账|额度|钱|借|贷|欠|办)")
    _CREDITOR_AFTER_REPAY = re.compile(r"^(的)?(app|平台|官方|账户|上|里)")

    @classmethod
    def _dialect(cls, text: str) -> str:
        for p, r in cls._DIALECT:
            text = p.sub(r, text)
        return text

    @classmethod
    def is_authority(cls, name: str) -> bool:
        return bool(cls._AUTHORITY.search(name))

    @classmethod
    def _only_type_words(cls, name: str, inst: dict) -> bool:
        """True when the name is made only of words for a kind of institution (银行信用卡部, 法务部,
        委外机构): stripped from the end, nothing (or a generic word) is left."""
        types = cls._types.get(id(inst)) or []
        core = name
        while core:
            for w in types:
                if core.endswith(w):
                    core = core[:-len(w)]
                    break
            else:
                break
        return not core or core in (inst.get("generic") or [])

    @classmethod
    def find_name(cls, text: str, inst: dict):
        """(start, end, name, how) of the first institution the agent presents as their own (or
        names as the creditor), or None.  See ``find_names``."""
        return next(cls.find_names(text, inst), None)

    @classmethod
    def find_names(cls, text: str, inst: dict):
        """Every (start, end, name, how) of an institution the agent presents as their own.

        Every occurrence of an institution suffix (银行, 小贷, 花, 贷…) is extended to the left over
        name characters (stopping at 是/的/吧/你/我… and at punctuation); the name needs two or more
        characters before a one-character suffix, must not be generic, and must be presented as the
        agent's own: an intro right before it (我是/这里是/受…委托), or 的+role / 的 + pause / 委托 after it,
        or named as the creditor (你在…的借款, 还到…APP上).
        """
        text = cls._dialect(text)
        (suf_re, role_re, intro_re, generic, exclude, own_re, dept_re, person_re, place_re, place_role_re,
         greet_role_re, we_re) = cls._patterns(inst)
        fx = cls._fixes.get(id(inst))
        if fx is not None:
            text = fx[0].sub(lambda m: fx[1][m.group()], text)
        labelled = (("'的' + role", own_re), ("department", dept_re), ("'的' + a person", person_re),
                    ("place intro + pause", place_re), ("place intro + role", place_role_re),
                    ("greeting + name + role", greet_role_re), ("'我们' + name + 这边", we_re))
        for kind, m in [(k, m) for k, r in labelled for m in r.finditer(text)]:
            name = m.group(1)
            # right after an intro (我这边是好借花的), a name may start with 好; after a greeting it may not
            stop_first = cls._STOP if kind == "greeting + name + role" else cls._STOP_FIRST
            if name in generic or any(x in name for x in exclude) or any(c in stop_first for c in name[:1]) \
                    or name.endswith(("的", "了", "呢", "吗")) or cls._only_type_words(name, inst) \
                    or re.fullmatch(r"[小老阿][\u4e00-\u9fff]", name):  # 小王 / 老李: a person, not a name
                continue
            yield m.start(1), m.end(1), name, f"intro '{m.group()[:m.start(1) - m.start()]}' + {kind}"
        n = len(text)
        for pos in range(n):
            m = suf_re.match(text, pos)
            if not m:
                continue
            se = m.end()
            # extend the suffix over further suffix/name characters (易借花 + 贷后 is a role, 小鹿微贷)
            ns = pos
            while ns > 0 and re.match(_NAME_CHARS, text[ns - 1]) and pos - ns < 10 and (
                    text[ns - 1] not in cls._STOP
                    # 好 starts a name right after an intro verb (我这边是好借花), not in 你好/很好
                    or (text[ns - 1] in cls._STOP_FIRST_OK and ns >= 2 and text[ns - 2] in "是自受")):
                ns -= 1
            # 我代表招联金融 / 来自瑞丰银行: the intro verb is not part of the name
            lead = re.match(r"(代表|来自|受|打给)", text[ns:pos])
            if lead and pos - ns - len(lead.group()) >= 1:
                ns += len(lead.group())
            name = text[ns:se]
            prefix = text[ns:pos]
            if len(prefix) < (2 if len(m.group()) == 1 else 1):
                continue
            if name in generic or prefix in generic or any(x in prefix for x in exclude) \
                    or cls._only_type_words(name, inst):
                continue
            before = text[max(0, ns - 8):ns]
            after = text[se:se + 8]
            how = None
            if intro_re.search(before):
                how = f"intro '{intro_re.search(before).group().strip()}'"
            elif role_re.search(after):
                how = f"role '{role_re.search(after).group()}' after it"
            elif after.startswith("委托"):
                how = "受…委托"
            elif after[:1] == "的" and (len(after) == 1 or after[1] in " ,.?!;，。？！；"):
                how = "'…的' with a pause"
            elif re.search(r"(你好|喂)[\s,，]?$", before) or re.match(r"[\s,，]?(你好|喂)", after):
                how = "greeting + name (您好，泰和银行)"
            elif after[:1] == "的" and re.search(r"(^|[吗吧呀啊喂,.?!，。？！]|你好|我)\s*$", before):
                how = "opening '…的' right after the greeting"
            elif re.match(r"(提醒|通知|温馨提示|友情提示|郑重提醒|敬告|告知|催告)", after):
                how = "sender of a reminder (…提醒你)"
            elif ns == 0 and re.fullmatch(r"[\u4e00-\u9fff]{0,8}", text[se:]) and len(text) <= 24:
                how = "a line that is the name (signature)"
            elif cls._CREDITOR_BEFORE.search(before) and (
                    cls._CREDITOR_AFTER.match(after) or cls._CREDITOR_AFTER_REPAY.match(after)):
                how = "named as the creditor (在…借的 / 还到…APP)"
            elif re.match(r"(上面|上|平台|app)?(的)?(借款|贷款|分期|欠款|账单|信用卡欠款)|(上面|app上|平台上)(的|借|欠|贷)", after) \
                    and not re.search(r"(哪|什么|几)[个家]?$", before):
                how = "named as the creditor (…的借款)"
            if how:
                yield ns, se, name, how

    _SIGNATURE = re.compile(r"^\s*[【\[]([^】\]]{2,24})[】\]]|[【\[]([^】\]]{2,24})[】\]]\s*$")

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        call = ctx.call
        if not call.segments:
            return []
        inst = ctx.options.get("institution") or {}
        turns = int(ctx.options.get("self_id_window_turns", 0))
        secs = float(ctx.options.get("self_id_window_seconds", 0))
        if call.kind == "text":  # SMS / letter: the whole notice, and a 【签名】 counts
            turns, secs = 0, 0
            for i, seg in enumerate(call.segments):
                if self._SIGNATURE.search(ctx.text(i)):
                    return []
        t0 = call.segments[0].start
        n_agent = 0
        agent_any = False
        authority: list[str] = []  # names of an authority or a law firm only (not whose debt it is)
        for i, seg in enumerate(call.segments):
            if seg.speaker != "agent":
                continue
            agent_any = True
            n_agent += 1
            in_window = (turns <= 0 and secs <= 0) or n_agent <= turns or (secs > 0 and seg.start - t0 <= secs)
            if not in_window:
                break
            for found in self.find_names(ctx.text(i), inst):
                if not self.is_authority(found[2]):
                    return []
                authority.append(found[2])
        if not agent_any:
            return []
        window = "the whole call" if turns <= 0 and secs <= 0 else f"the first {turns} agent turns / {secs:.0f} s"
        expl = (f"no institution name presented by the agent in {window} "
                f"({n_agent} agent turns checked; names need an intro such as 我是/这里是/受…委托 or "
                f"'的'+role, see lexicons/institution.yaml)"
                + (f"; only an authority or law firm was named ({', '.join(dict.fromkeys(authority))}), "
                   "not the lender" if authority else "") + " | score 1.00")
        return [ctx.call_finding(self, explanation=expl, score=1.0, agent_turns_checked=n_agent)]
