"""Self-identification rule (SELFID-001): the agent never names the institution he or she calls for.

``SelfId001.find_names(text, inst)`` is shared with DISCLOSE-001 (the institution's own name is not a
debt word).  ``inst`` is ``lexicons/institution.yaml``: suffixes, roles, intros, generic and excluded
names, type words and ASR fixes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from qa_audit.core.model import Finding
from qa_audit.detect.rules._common import BASIS_CARD, BASIS_CONVENTION
from qa_audit.detect.rules.base import Rule, RuleContext
from qa_audit.detect.rules.registry import register

_NAME_CHARS = r"[\u4e00-\u9fffA-Za-z0-9]"

# How an agent presents a name as their own: (kind, pattern); group 1 is the name.  Placeholders:
# <INTRO> the config's intros of two or more characters (我是, 这里是…), <ROLE> its roles (客服…),
# <N> a name character, <PLACE> a place intro (not 我是, which introduces a person), <P> a pause.
PRESENTATIONS = (
    # 我是泰和银行的客服 / 我是快易贷的 / 受…委托 / 我是…的工号
    ("'的' + role", r"(?:<INTRO>)[\s,，]?(<N>{2,10}?)(?=的\s?.{0,2}(?:<ROLE>)|的(?:<P>|$)|委托"
                    r"|的(?:工号|我姓|姓|你|他|她|找一下|找你|请问|想跟你|跟你|给你打|打电话)|(?:这边|那边)的(?:<P>|$))"),
    # 我是瑞丰信用卡中心
    ("department", r"(?:<INTRO>)[\s,，]?(<N>{2,8}?)(?:客服|催收|贷后|信用卡|服务|客户服务)?"
                   r"(?:中心|服务部|贷后部|催收部|风控部|部门)(?=的|<P>|$)"),
    # 我是分期乐的小王 / 我是京东金融的李经理: name + 的 + a person (小X / 老X / X经理)
    ("'的' + a person", r"(?:<INTRO>)[\s,，]?(<N>{2,8}?)(?=的(?:小|老|阿)[\u4e00-\u9fff](?:<P>|$)"
                        r"|的[\u4e00-\u9fff]{1,2}(?:经理|主管|专员|顾问|老师))"),
    # 这里是分期乐。 / 我们是美团
    ("place intro + pause", r"<PLACE>[\s,，]?(<N>{2,8}?)(?=<P>|$)"),
    # 这里是美团客服。
    ("place intro + role", r"<PLACE>[\s,，]?(<N>{2,8}?)的?(?:<ROLE>)(?=<P>|$)"),
    # 您好，美团月付客服中心，…
    ("greeting + name + role", r"(?:^|你好|喂)[\s,，]?(<N>{2,8}?)的?(?:<ROLE>)(?=<P>|$)"),
    # 我们瑞丰这边看到… / 咱们恒信那边
    ("'我们' + name + 这边", r"(?:我们|咱们|我行|我司)(<N>{2,6}?)(?:这边|那边|这里)"),
    # 我是秒到贷客服你这期… (我是 + a name + a role, no 的)
    ("name + role", r"我是[\s,，]?(<N>{2,8}?)(?:客服|催收专员|专员|贷后|法务)(?=<P>|$|你|您|这边|工号|我姓)"),
    # ……吧？速借宝法务部。 (a sentence that is only a name and its department)
    ("a line that is the name + department", r"(?:^|<P>)(<N>{2,8}?)(?:法务部|客服部|贷后部|催收部|风控部|"
                                              r"资产保全部|客服中心|贷后中心|催收中心)(?=<P>|$)"),
    # 我鼎信商务的，帮橙意贷处理你的欠款 (我 + a name that has an institution suffix + 的 / 帮 + a name)
    ("'我' + name + '的'", r"(?:^|<P>)我(<N>{2,8}?)的(?=<P>)"),
    ("on behalf of", r"(?:帮|替)(<N>{2,8}?)(?:处理|催收|跟进|追讨|催讨)"),
)
# presentations whose name must carry an institution suffix (我知道的, 帮他处理 name nothing)
_NEEDS_SUFFIX = ("'我' + name + '的'", "on behalf of")
_PLACE = "(?:这里是|这边是|我这边是|我这里是|我们是|我们这边是|我们这里是|这儿是|我这儿是|我们这儿是)"
_PAUSE = r"[\s,.?!;，。？！；]"
_PLACEHOLDER = re.compile(r"<(INTRO|ROLE|N|PLACE|P)>")


def _alt(words: Iterable[str]) -> str:
    return "|".join(map(re.escape, words))


def _longest_first(values, default: list[str]) -> list[str]:
    return sorted(map(str, values or default), key=len, reverse=True)


@dataclass
class _Inst:
    """The institution config compiled once."""

    suffix: re.Pattern         # an institution suffix (银行, 小贷, 花…)
    role_after: re.Pattern     # a role right after a name (的客服)
    intro_before: re.Pattern   # an intro right before a name (我是)
    generic: set[str]
    generic_list: tuple
    exclude: list[str]
    presentations: list[tuple[str, re.Pattern]]
    fixes: Optional[tuple[re.Pattern, dict]]
    types: list[str]

    @classmethod
    def compile(cls, inst: dict) -> "_Inst":
        suf = _longest_first(inst.get("suffixes"), ["银行"])
        roles = _longest_first(inst.get("roles"), ["客服"])
        intros = _longest_first(inst.get("intros"), ["我是"])
        fill = {"INTRO": _alt(i for i in intros if len(i) >= 2), "ROLE": _alt(roles), "N": _NAME_CHARS,
                "PLACE": _PLACE, "P": _PAUSE}
        fixes = [(str(a), str(b)) for a, b in (inst.get("asr_fixes") or []) if len(str(a)) == len(str(b))]
        return cls(
            suffix=re.compile(_alt(suf)),
            role_after=re.compile(rf"^(的)?\s?({_alt(roles)})"),
            intro_before=re.compile(rf"({_alt(intros)})[\s,，]?[\u4e00-\u9fff]?$"),
            generic={str(x) for x in inst.get("generic") or []},
            generic_list=tuple(inst.get("generic") or []),
            exclude=[str(x) for x in inst.get("exclude") or []],
            presentations=[(kind, re.compile(_PLACEHOLDER.sub(lambda m: fill[m.group(1)], p)))
                           for kind, p in PRESENTATIONS],
            fixes=(re.compile("|".join(re.escape(a) for a, _ in fixes)), dict(fixes)) if fixes else None,
            types=_longest_first(inst.get("type_words"), []),
        )


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
    reason_template = "整通电话坐席未表明所代表的机构名称"

    _compiled: dict[int, _Inst] = {}
    _STOP = set("是的在从给找跟打受向到了吗吧呢啊喂嗯哦你我他她们这那哪个位请问好笔张台份边里")
    # stop characters that may still start a name the agent introduces (好借花, 好分期)
    _STOP_FIRST_OK = set("好")
    _STOP_FIRST = _STOP - _STOP_FIRST_OK

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
    _CREDITOR_NOUN = re.compile(r"(上面|上|平台|app)?(的)?(借款|贷款|分期|欠款|账单|信用卡欠款)|(上面|app上|平台上)(的|借|欠|贷)")
    _SIGNATURE = re.compile(r"^\s*[【\[]([^】\]]{2,24})[】\]]|[【\[]([^】\]]{2,24})[】\]]\s*$")

    @classmethod
    def _inst(cls, inst: dict) -> _Inst:
        key = id(inst)
        if key not in cls._compiled:
            cls._compiled[key] = _Inst.compile(inst)
        return cls._compiled[key]

    @classmethod
    def _prepare(cls, text: str, p: _Inst) -> str:
        for pat, repl in cls._DIALECT:
            text = pat.sub(repl, text)
        if p.fixes is not None:
            text = p.fixes[0].sub(lambda m: p.fixes[1][m.group()], text)
        return text

    @classmethod
    def is_authority(cls, name: str) -> bool:
        return bool(cls._AUTHORITY.search(name))

    @classmethod
    def _only_type_words(cls, name: str, p: _Inst) -> bool:
        """True when the name is made only of words for a kind of institution (银行信用卡部, 法务部,
        委外机构): stripped from the end, nothing (or a generic word) is left."""
        core = name
        while core:
            for w in p.types:
                if core.endswith(w):
                    core = core[:-len(w)]
                    break
            else:
                break
        return not core or core in p.generic_list

    @classmethod
    def find_name(cls, text: str, inst: dict):
        """(start, end, name, how) of the first institution the agent presents as their own (or
        names as the creditor), or None.  See ``find_names``."""
        return next(cls.find_names(text, inst), None)

    # how-kinds that guess a name from how it is used rather than from an introduction: not needed
    # (and a source of false names such as 孙立伟借的钱) when the call's institution names are known
    WEAK_HOWS = ("'…的' with a pause", "greeting + name", "opening '…的'", "sender of a reminder",
                 "a line that is the name", "named as the creditor")

    @classmethod
    def find_names(cls, text: str, inst: dict, strong_only: bool = False):
        if strong_only:
            yield from (f for f in cls._find_names(text, inst) if not f[3].startswith(cls.WEAK_HOWS))
        else:
            yield from cls._find_names(text, inst)

    @classmethod
    def _find_names(cls, text: str, inst: dict):
        """Every (start, end, name, how) of an institution the agent presents as their own.

        First the PRESENTATIONS patterns; then every occurrence of an institution suffix (银行, 小贷,
        花, 贷…) is extended to the left over name characters (stopping at 是/的/吧/你/我… and at
        punctuation); the name needs two or more characters before a one-character suffix, must not
        be generic, and must be presented as the agent's own: an intro right before it (我是/这里是/
        受…委托), or 的+role / 的 + pause / 委托 after it, or named as the creditor (你在…的借款, 还到…APP上).
        """
        p = cls._inst(inst)
        text = cls._prepare(text, p)
        yield from cls._presented(text, p)
        for pos in range(len(text)):
            m = p.suffix.match(text, pos)
            found = cls._suffixed(text, pos, m.end(), p) if m else None
            if found:
                yield found

    @classmethod
    def _presented(cls, text: str, p: _Inst) -> Iterator[tuple[int, int, str, str]]:
        for kind, m in [(k, m) for k, r in p.presentations for m in r.finditer(text)]:
            name = m.group(1)
            # right after an intro (我这边是好借花的), a name may start with 好; after a greeting it may not
            stop_first = cls._STOP if kind == "greeting + name + role" else cls._STOP_FIRST
            if name in p.generic or any(x in name for x in p.exclude) or any(c in stop_first for c in name[:1]) \
                    or name.endswith(("的", "了", "呢", "吗")) or cls._only_type_words(name, p) \
                    or re.fullmatch(r"[小老阿][\u4e00-\u9fff]", name):  # 小王 / 老李: a person, not a name
                continue
            if kind in _NEEDS_SUFFIX and not p.suffix.search(name):
                continue
            yield m.start(1), m.end(1), name, f"intro '{m.group()[:m.start(1) - m.start()]}' + {kind}"

    @classmethod
    def _suffixed(cls, text: str, pos: int, se: int, p: _Inst) -> Optional[tuple[int, int, str, str]]:
        """The name ending with the suffix text[pos:se], if the agent presents it as their own."""
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
        name, prefix = text[ns:se], text[ns:pos]
        if len(prefix) < (2 if se - pos == 1 else 1):
            return None
        if name in p.generic or prefix in p.generic or any(x in prefix for x in p.exclude) \
                or cls._only_type_words(name, p):
            return None
        how = cls._how(text, ns, se, p)
        return (ns, se, name, how) if how else None

    @classmethod
    def _how(cls, text: str, ns: int, se: int, p: _Inst) -> Optional[str]:
        """How the name text[ns:se] is presented as the agent's own (None: it is not)."""
        before, after = text[max(0, ns - 8):ns], text[se:se + 8]
        intro = p.intro_before.search(before)
        if intro:
            return f"intro '{intro.group().strip()}'"
        role = p.role_after.search(after)
        if role:
            return f"role '{role.group()}' after it"
        if after.startswith("委托"):
            return "受…委托"
        if after[:1] == "的" and (len(after) == 1 or after[1] in " ,.?!;，。？！；"):
            return "'…的' with a pause"
        if re.search(r"(你好|喂)[\s,，]?$", before) or re.match(r"[\s,，]?(你好|喂)", after):
            return "greeting + name (您好，泰和银行)"
        if after[:1] == "的" and re.search(r"(^|[吗吧呀啊喂,.?!，。？！]|你好|我)\s*$", before):
            return "opening '…的' right after the greeting"
        if re.match(r"(提醒|通知|温馨提示|友情提示|郑重提醒|敬告|告知|催告)", after):
            return "sender of a reminder (…提醒你)"
        if ns == 0 and re.fullmatch(r"[\u4e00-\u9fff]{0,8}", text[se:]) and len(text) <= 24:
            return "a line that is the name (signature)"
        if cls._CREDITOR_BEFORE.search(before) and (
                cls._CREDITOR_AFTER.match(after) or cls._CREDITOR_AFTER_REPAY.match(after)):
            return "named as the creditor (在…借的 / 还到…APP)"
        if cls._CREDITOR_NOUN.match(after) and not re.search(r"(哪|什么|几)[个家]?$", before):
            return "named as the creditor (…的借款)"
        return None

    # --- the rule ------------------------------------------------------------------------------
    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        call = ctx.call
        if not call.segments:
            return []
        turns = int(ctx.options.get("self_id_window_turns", 0))
        secs = float(ctx.options.get("self_id_window_seconds", 0))
        if call.kind == "text":  # SMS / letter: the whole notice, and a 【签名】 counts
            turns, secs = 0, 0
            if any(self._SIGNATURE.search(ctx.text(i)) for i in range(len(call.segments))):
                return []
        forms = self.name_forms(ctx)
        ident, n_agent, authority = self.identify(ctx, turns, secs, forms)
        if ident is not None or not n_agent:
            return []
        whole = turns <= 0 and secs <= 0
        window = "the whole call" if whole else f"the first {turns} agent turns / {secs:.0f} s"
        authority = list(dict.fromkeys(authority))
        searched = ""
        if forms:
            names = list(dict.fromkeys(v.name for v in forms))
            near = self._nearest(ctx, forms)
            searched = (f"; listened for {', '.join(names[:6])}{' ...' if len(names) > 6 else ''} "
                        f"(pinyin-tolerant): " + (f"nearest {near}" if near else "nothing close heard"))
        expl = (f"no institution name presented by the agent in {window} "
                f"({n_agent} agent turns checked; names need an intro such as 我是/这里是/受…委托 or "
                f"'的'+role, see lexicons/institution.yaml){searched}"
                + (f"; only an authority or law firm was named ({', '.join(authority)}), "
                   "not the lender" if authority else "") + " | score 1.00")
        return [ctx.call_finding(self, explanation=expl, score=1.0, agent_turns_checked=n_agent,
                                 meaning=self._meaning(call.kind, turns, secs, authority))]

    @staticmethod
    def name_forms(ctx: RuleContext) -> list:
        """The institution names to hear (config ``institutions`` + the call's ``institution``)."""
        from qa_audit.core.dial_log import call_institutions
        from qa_audit.detect.institutions import variants

        conf = ctx.options.get("institutions") or []
        own = call_institutions(ctx.call)
        return variants(conf, own) if (conf or own) else []

    def identify(self, ctx: RuleContext, turns: int = 0, secs: float = 0.0, forms: Optional[list] = None):
        """(how the agent named the institution or None, agent turns looked at, authorities named).

        In each agent turn of the window: (a) a configured / call institution heard (pinyin-tolerant),
        (b) an ORG entity (LAC) right after an introduction, (c) a name presented as the agent's own
        (the PRESENTATIONS patterns and suffixed names of lexicons/institution.yaml).  The first
        that holds is returned as ``{"by", "segment", "name", "heard", "detail"}``.
        """
        from qa_audit.detect.institutions import hear, introduced_orgs

        inst = ctx.options.get("institution") or {}
        p = self._inst(inst)
        forms = self.name_forms(ctx) if forms is None else forms
        t0 = ctx.call.segments[0].start
        n_agent = 0
        authority: list[str] = []  # names of an authority or a law firm only (not whose debt it is)
        agent = []
        for i, seg in enumerate(ctx.call.segments):
            if seg.speaker != "agent":
                continue
            n_agent += 1
            in_window = (turns <= 0 and secs <= 0) or n_agent <= turns or (secs > 0 and seg.start - t0 <= secs)
            if not in_window:
                break
            agent.append(i)
        for i in agent:  # (a) the names the call is for
            heard = hear(self._prepare(ctx.text(i), p), i, forms) if forms else []
            if heard:
                h = heard[0]
                return {"by": "name", "segment": i, "name": h.variant.name, "heard": h.match.heard,
                        "detail": h.describe()}, n_agent, authority
        for i in agent:  # (c) a name the agent presents as their own (patterns; strong ones only
            # when the names are known: a known name used as the creditor is heard by (a))
            for found in self.find_names(ctx.text(i), inst, strong_only=bool(forms)):
                if not self.is_authority(found[2]):
                    return {"by": "pattern", "segment": i, "name": found[2], "heard": found[2],
                            "detail": found[3]}, n_agent, authority
                authority.append(found[2])
        for i in agent:  # (b) an organization (NER) right after an introduction
            for s, e, name, intro in introduced_orgs(self._prepare(ctx.text(i), p)):
                if self.is_authority(name):
                    authority.append(name)
                    continue
                if name in p.generic or any(x in name for x in p.exclude) or self._only_type_words(name, p):
                    continue
                return {"by": "ner", "segment": i, "name": name, "heard": name,
                        "detail": f"ORG '{name}' (LAC) after '{intro}'"}, n_agent, authority
        return None, n_agent, authority

    def _scan(self, ctx: RuleContext, turns: int, secs: float) -> tuple[bool, int, list[str]]:
        """(a name was presented, agent turns looked at, authorities named) over the window."""
        ident, n_agent, authority = self.identify(ctx, turns, secs)
        return ident is not None, n_agent, authority

    @staticmethod
    def _nearest(ctx: RuleContext, forms: list) -> str:
        """The agent's words closest to a listened-for name (for the explanation), or ''."""
        from qa_audit.text.pinyin_match import find_name

        best = None
        for i in ctx.agent_segments():
            for v in forms:
                for m in find_name(ctx.text(i), v.text, max_off=max(1, len(v.text) // 2))[:1]:
                    if best is None or m.closeness > best[1].closeness:
                        best = (i, m, v)
        if best is None:
            return ""
        i, m, v = best
        return f"{m.describe()} in turn {i}, not presented as the agent's own or too far from {v.name}"

    @classmethod
    def _meaning(cls, kind: str, turns: int, secs: float, authority: list[str]) -> str:
        if kind == "text":
            text = "整条短信/信函未署明所代表的机构名称"
        elif turns <= 0 and secs <= 0:
            text = cls.reason_template
        else:
            parts = ([f"前 {turns} 句"] if turns > 0 else []) + ([f"前 {secs:.0f} 秒"] if secs > 0 else [])
            text = f"开场（坐席{'或'.join(parts)}）内未表明所代表的机构名称"
        if authority:
            text += f"，只提到了{'、'.join(authority)}，没有说明是替哪家机构催收"
        return text
