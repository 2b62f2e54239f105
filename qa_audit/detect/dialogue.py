"""Who is on the line, turn by turn.

The dialer's ``callee_relation`` is only a prior: ``debtor`` (presumed), ``contact`` (a third party
from the application form) or ``unknown``.  What is said updates it:

- the customer says who they are not / who they are (我不是他, 我是他妈妈, 他同事, 打错了,
  这是我老婆的手机, 他今天请假了, 你找哪位) → ``third_party``;
- the customer answers the agent's identity question with yes (是我 / 对 / 我就是) → ``debtor``
  confirmed, unless the dialer dialled a contact (then the *contact* said yes: still third party);
- the agent asks a third party about the debtor (你认识刘洋吗, 他是你弟弟吧, 紧急联系人, 麻烦你转告)
  → ``third_party`` (the agent knows it);
- the agent verifies the identity (核实无误, 核对一致, 信息一致) → ``debtor`` confirmed; so does an identity
  check the agent asked for (身份证后四位) that the customer answered and the agent did not reject;
- a plain 不是 to an early identity question that named no debt (是王磊吗? — 不是) → ``third_party``;
  是…本人吗 answered yes confirms the account holder even when the dialer dialled a contact;
- weak cues (他不在, 她是我老婆, 这是我老婆的手机, 你找谁) only count in the opening or before the debtor
  is confirmed, and not in the same turn as a yes to the identity question;
- Cantonese-flavoured turns are read as Mandarin first (我系佢老婆 → 我是他老婆; ``dialect`` in the YAML).

``DialogueState.party[i]`` is the listener while segment i is spoken (agent turns: after the
agent's own cues in that turn; customer turns: before their own cues), ``events`` records every
change with the pattern id and the evidence, so a disclosure finding can explain itself.
Patterns live in ``lexicons/dialogue.yaml``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from qa_audit.core.model import Call

PARTIES = ("debtor", "third_party", "unknown")


@dataclass
class Event:
    segment: int
    party: str
    confirmed: bool
    cue: str  # pattern id
    evidence: str

    def describe(self) -> str:
        conf = "confirmed " if self.confirmed else ""
        return f"segment {self.segment}: {conf}{self.party} ({self.cue}: '{self.evidence}')"


@dataclass
class DialogueState:
    prior: str
    party: list[str] = field(default_factory=list)
    confirmed: list[bool] = field(default_factory=list)
    since: list[Optional[Event]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def explain(self, i: int) -> str:
        ev = self.since[i]
        base = f"listener at segment {i}: {'confirmed ' if self.confirmed[i] else ''}{self.party[i]}"
        if ev is None:
            return f"{base} (dialer callee_relation={self.prior}, nothing said changed it)"
        return f"{base} since {ev.describe()}; dialer said {self.prior}"

    def is_third_party(self, i: int) -> bool:
        return self.party[i] == "third_party"


class DialogueTracker:
    """Compiled dialogue cues (from ``lexicons/dialogue.yaml``); ``track(call, texts)``."""

    def __init__(self, data: dict):
        rel = str(data.get("relations") or "(家人)")

        def comp(key: str) -> list[tuple[str, re.Pattern]]:
            out = []
            for item in data.get(key) or []:
                out.append((str(item["id"]), re.compile(str(item["pattern"]).replace("{rel}", rel))))
            return out

        self.dialect = [(str(a), str(b)) for a, b in (data.get("dialect") or [])]
        self._dialect_re = re.compile("|".join(re.escape(a) for a, _ in self.dialect)) if self.dialect else None
        self.not_debtor = comp("customer_not_debtor")
        # cues that a confirmed debtor may also say about someone else (她是我老婆, 她出差了)
        self.weak_ids = {str(item["id"]) for item in data.get("customer_not_debtor") or [] if item.get("weak")}
        self.confirm = comp("customer_confirm")
        self.identity_q = comp("agent_identity_question")
        self.agent_third = comp("agent_third_party")
        self.agent_confirm = comp("agent_confirm")
        self.handover = comp("customer_handover")
        self.self_claim = comp("customer_self")
        self.deny = comp("customer_deny")
        self.q_debt = re.compile(str(data.get("identity_question_debt_words") or "逾期|欠|还款"))
        self.verify_request = comp("agent_verify_request")
        self.verify_answer = comp("customer_verify_answer")
        self.verify_mismatch = comp("agent_verify_mismatch")
        self.addresses_third = comp("agent_addresses_third_party")

    # the agent asks for someone by name (是王磊吗 / 请问是王磊先生吗 / 找一下王磊); the customer says 我就是王磊
    _ASKED_NAME = re.compile(r"(?:是|找一下|找|请问)([\u4e00-\u9fff]{2,3}?)(?:先生|女士|小姐|本人)?(?:吗|么|嘛|是吧|对吧|[?？]|[,，。]|$)")
    _I_AM_NAME = re.compile(r"(我就是|我是|我叫|是我)[,，\s]?([\u4e00-\u9fff]{2,3}?)(本人)?(?=[,，。!！?？\s]|$)")
    # the agent asks for someone who is not (yet) on the line (找一下张伟 / 张伟在吗); 我就是 answers it:
    # the person sought is on the line, whoever the dialer dialled
    _SEEK = re.compile(r"(找一下|找下|我找|我们找|想找|麻烦找)[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{2,3}(先生|女士|小姐)?(在吗|在不在|在家吗)")
    _ASKED_ORG = re.compile(r"是[^,，。?？]{0,10}(公司|单位|厂|门店|店|集团|办公室|前台|医院|学校|酒店|物业|工作室)"
                            r"(吗|么|吧|是吧|对吧|[?？])")
    _IT_IS_ME = re.compile(r"^(喂|嗯|哦|啊)?[,，。\s]*(我就是|就是我|是我|我就是本人|我本人)([,，。!！?？\s]|$)")

    @staticmethod
    def _first(pats: list[tuple[str, re.Pattern]], text: str) -> Optional[tuple[str, str]]:
        for pid, p in pats:
            m = p.search(text)
            if m:
                return pid, m.group()
        return None

    def track(self, call: Call, texts: list[str]) -> DialogueState:
        prior = call.callee_relation if call.callee_relation in ("debtor", "contact") else "unknown"
        party = {"debtor": "debtor", "contact": "third_party"}.get(prior, "unknown")
        confirmed = False
        st = DialogueState(prior=prior)
        since: Optional[Event] = None
        asked = False  # the agent's last turn asked who is on the line
        asked_who = False  # ... and named no debt (a plain 不是 denies the identity)
        asked_self = False  # ... and asked for the account holder himself (是…本人吗)
        asked_third = False  # ... and addressed a relative/colleague of the debtor (你同事邓凯 / 你们仓库的主管)
        sought = False  # the agent's last turn asked for someone not on the line (找一下张伟)
        verify = 0  # 1: the agent asked for an identity check (身份证后四位); 2: the customer answered it
        agent_turns = 0
        asked_names: set[str] = set()  # names the agent asked for (是王磊吗 / 找一下王磊)

        def change(i: int, new: str, conf: bool, hit: tuple[str, str]) -> None:
            nonlocal party, confirmed, since
            ev = Event(i, new, conf, hit[0], hit[1])
            st.events.append(ev)
            if new != party or conf != confirmed:
                since = ev
            party, confirmed = new, conf

        for i, seg in enumerate(call.segments):
            t = texts[i]
            if self._dialect_re is not None and self._dialect_re.search(t):
                for a, b in self.dialect:
                    t = t.replace(a, b)
            if seg.speaker == "agent":
                agent_turns += 1
                for m in self._ASKED_NAME.finditer(t):
                    asked_names.add(m.group(1))
                hit = self._first(self.agent_confirm, t)
                if verify == 2 and not hit and not self._first(self.verify_mismatch, t):
                    # the customer answered the identity check and the agent goes on: verified
                    hit = ("id-check-answered", t[:12])
                verify = 1 if self._first(self.verify_request, t) else 0
                if hit:
                    change(i, "debtor", True, hit)
                else:
                    hit = self._first(self.agent_third, t)
                    if hit and not (party == "debtor" and confirmed):
                        change(i, "third_party", False, hit)
                asked = bool((agent_turns <= 3 or re.search("先生|女士|小姐|本人|机主", t))
                             and self._first(self.identity_q, t))
                # a plain "不是" only answers a question about who is on the line
                asked_who = asked and agent_turns <= 3 and not self.q_debt.search(t)
                # 是…本人吗: the question is about the account holder himself, whoever the dialer dialled
                # (请问您是不是……严国强本人 asks it too)
                asked_self = asked and bool(re.search(r"(?<![他她])本人(吗|么|嘛|是吧|对吧|[?？])|"
                                                      r"是不是[^他她,，。?？]{0,14}(?<![他她])本人", t))
                # 是马骁吗？…找一下你同事邓凯 / 是远景物流吗？我找一下你们仓库的主管: the question is for a
                # relative or colleague of the debtor, so a yes confirms who that third party is
                # 是鑫达装饰公司吗？— 是的，前台: the opening asks for a workplace, so a yes says who answers
                # for it (not 你工作单位是昌明建设集团吧？, a question to the debtor about his employer)
                to_third = bool(self._first(self.addresses_third, t))
                asked_third = asked and not asked_self and (to_third or (
                    agent_turns <= 2 and not confirmed and bool(self._ASKED_ORG.search(t))
                    and not re.search(r"你(的|们)?(工作)?(单位|公司)", t)))
                sought = bool(self._SEEK.search(t)) and not to_third
                st.party.append(party)
                st.confirmed.append(confirmed)
                st.since.append(since)
                continue
            # customer (or unknown speaker): state before their words
            st.party.append(party)
            st.confirmed.append(confirmed)
            st.since.append(since)
            verify = 2 if verify == 1 and self._first(self.verify_answer, t) else 0
            # 对，是我，这是我老婆的手机: a yes to the identity question outweighs a weak cue in the same turn
            yes = bool(asked and self._first(self.confirm, t))
            hit = self._first(self.self_claim, t)
            if not hit and (m := self._I_AM_NAME.search(t)) and m.group(2) in asked_names \
                    and not asked_third and not re.search(r"(他|她)", t[:m.start()]):
                # 我就是王磊 after the agent asked for 王磊: the named person is on the line
                hit = ("i-am-the-named-person", m.group())
            if not hit and sought and (m := self._IT_IS_ME.search(t)):
                # 找一下张伟 → 我就是，啥事: the person the agent looks for answered
                hit = ("i-am-the-one-sought", m.group().strip())
            if hit:
                change(i, "debtor", True, hit)
            elif hit := self._first([(pid, p) for pid, p in self.not_debtor
                                     if pid not in self.weak_ids or not (
                                         (party == "debtor" and (confirmed or agent_turns > 3))
                                         or (asked and yes))], t):
                change(i, "third_party", False, hit)
            elif asked_who and (hit := self._first(self.deny, t)):
                change(i, "third_party", False, hit)
            elif party == "third_party" and (h := self._first(self.handover, t)):
                change(i, "debtor", False, h)
            elif asked and (hit := self._first(self.confirm, t)):
                if asked_third:
                    st.events.append(Event(i, "third_party", False, hit[0] + " (asked for a relative/colleague)", hit[1]))
                    if party != "third_party":
                        change(i, "third_party", False, (hit[0] + " (asked for a relative/colleague)", hit[1]))
                elif prior == "contact" and party == "third_party" and not asked_self:
                    # the contact the dialer called said "yes, it's me": still a third party
                    st.events.append(Event(i, "third_party", False, hit[0] + " (contact number)", hit[1]))
                else:
                    change(i, "debtor", True, hit)
            asked = asked_who = asked_self = asked_third = sought = False
        return st
