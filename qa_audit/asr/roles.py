"""Speaker roles on a mono recording, inferred from what is said and from turn alternation.

Each segment gets a cue score from small, explainable recognizers (Presidio style): the collector
names the institution, asks for the debtor by name, speaks of 欠款/还款/逾期/本金; the other side
answers (我是/嗯/好的/没钱).  A two-state hidden Markov model then combines those scores with
turn alternation (after one speaker's turn the other usually speaks); the posterior of each
segment's role decides it, ``unknown`` when it is below ``min_confidence``.  Every segment gets
``extra["role"] = {"confidence": p, "cues": [...]}`` so the decision explains itself.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from qa_audit.core.model import Segment


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern
    weight: float  # > 0: collector, < 0: the called party


def _c(name: str, pattern: str, weight: float) -> Cue:
    return Cue(name, re.compile(pattern), weight)


CUES: list[Cue] = [
    # the collector
    _c("names_institution", r"(这里是|这边是|我是|我们是).{0,12}(银行|中心|公司|金融|平台|贷|花|借|客服|法务|催收|事务所|专员)", 3.0),
    _c("institution_word", r"(银行|信用卡中心|客服中心|金融|平台|网贷|借呗|花呗|白条|微粒贷|快易贷|有限公司|法务部|贷后|委外|律师事务所)", 1.5),
    _c("asks_for_person", r"(请问|请问您?是|你是|您是).{0,8}(先生|女士|小姐|本人)|是.{1,4}(先生|女士)(吗|嘛|么)|请问是.{1,5}(吗|嘛|么)", 2.5),
    _c("debt_terms", r"(欠款|还款|换款|逾期|预期|本金|利息|罚息|滞纳金|应还|账单|最低还款|分期|结清|减免|催收|额度|征信|欠费)", 1.5),
    _c("amount", r"\d+(\.\d+)?(元|块)|[一二三四五六七八九十百千万]+(元|块)", 0.8),
    _c("instructs", r"(请您|麻烦您|您需要|您必须|您看|您这边|您今天|尽快|务必|通知您|提醒您|备注|记录|核实)", 1.2),
    _c("polite_you", r"您", 0.6),
    _c("asks_politely", r"(请问|是这样|打扰(一下|了|您)|麻烦您|不好意思打扰)", 1.0),
    _c("legal_pressure", r"(起诉|法院|律师|上门|联系你(的)?(家人|单位|同事)|通讯录|紧急联系人|后果)", 1.2),
    # the called party
    _c("answers_identity", r"^.{0,2}[，,。]?(我是|是我|对我是|我就是)|^.{0,3}(是我|我就是)[。！!，,]?$", -2.0),
    _c("short_ack", r"^(嗯+|哦+|啊+|喂+|好的?|行|可以|知道了|对|是的?|没有|不是|好吧|嗯嗯|哦哦)[。！!？?，,]?$", -2.5),
    _c("no_money", r"(忘了|太忙|没钱|没有钱|手头紧|工资|发工资|下个月|下周|过几天|宽限|缓几天|我尽量|我会还|我还|失业|生病|住院)", -1.5),
    _c("who_are_you", r"(你是谁|你们是|什么事|哪位|你怎么有我|别打了|不要打|骚扰|投诉你|我不认识|打错了)", -1.8),
    _c("first_person", r"我", -0.3),
    _c("long_turn", r"[^\W\d_]{25,}|(?:[^\W\d_]+\W+){3,}[^\W\d_]+", 0.8),  # the collector does most talking
    _c("very_short", r"^\W*[^\W_]{1,3}\W*$", -0.5),
    _c("you_plural", r"你们", -0.8),
]


def cue_score(text: str) -> tuple[float, list[str]]:
    """Sum of cue weights (> 0 sounds like the collector) and the names of the cues that fired.

    Bad (ambiguous): "好" -> short_ack only.  Good: "我这边是快易贷客服中心的小吴" -> names_institution, ...
    """
    score, fired = 0.0, []
    for cue in CUES:
        if cue.pattern.search(text):
            score += cue.weight
            fired.append(cue.name)
    return score, fired


def infer_roles(segments: Sequence[Segment], switch_prob: float = 0.4, first_agent_prob: float = 0.8,
                min_confidence: float = 0.6, extra_logits: Sequence[float] | None = None) -> list[Segment]:
    """Set ``speaker`` of each segment (in time order) to agent / customer / unknown.

    Emission: P(agent | cues) = sigmoid(score); transition: the speaker changes between
    consecutive segments with ``switch_prob`` (VAD pieces are often parts of one turn, so a change
    is less likely than not).  Forward-backward gives each segment's posterior.  Defaults were
    tuned on the three mono sample mixdowns (samples/audio_mono/): see the ASR report figures.
    ``extra_logits`` (one per segment in time order; > 0 = the agent) adds other evidence to the
    cue score, e.g. which voice speaks (:mod:`qa_audit.asr.diarize`).
    """
    segs = sorted(segments, key=lambda s: s.start)
    n = len(segs)
    if n == 0:
        return []
    emis = []
    cues = []
    for k, s in enumerate(segs):
        sc, fired = cue_score(s.text)
        cues.append(fired)
        if extra_logits is not None:
            sc += extra_logits[k]
        p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, sc))))
        p = min(max(p, 0.02), 0.98)
        emis.append((p, 1.0 - p))  # likelihood-like weights for (agent, customer)
    trans = [[1 - switch_prob, switch_prob], [switch_prob, 1 - switch_prob]]
    fwd = []
    prev = [first_agent_prob * emis[0][0], (1 - first_agent_prob) * emis[0][1]]
    z = sum(prev)
    prev = [x / z for x in prev]
    fwd.append(prev)
    for i in range(1, n):
        cur = [emis[i][j] * sum(prev[k] * trans[k][j] for k in range(2)) for j in range(2)]
        z = sum(cur)
        prev = [x / z for x in cur]
        fwd.append(prev)
    bwd = [[1.0, 1.0] for _ in range(n)]
    for i in range(n - 2, -1, -1):
        b = [sum(trans[j][k] * emis[i + 1][k] * bwd[i + 1][k] for k in range(2)) for j in range(2)]
        z = sum(b)
        bwd[i] = [x / z for x in b]
    for i, s in enumerate(segs):
        post = [fwd[i][j] * bwd[i][j] for j in range(2)]
        z = sum(post)
        pa = post[0] / z
        if pa >= min_confidence:
            s.speaker = "agent"
        elif 1 - pa >= min_confidence:
            s.speaker = "customer"
        else:
            s.speaker = "unknown"
        s.extra["role"] = {"p_agent": round(pa, 3), "cues": cues[i]}
    return segs
