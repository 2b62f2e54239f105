"""Check a few sentences against the rules and the learned model (``qa-audit check``, the web box).

    turns = parse_turns(["坐席: 明天我们的人就去你单位", "客户: 你敢"])
    result = check_turns(Detector.load(second_opinion=True), turns)
    print(format_result(result)); result.found   # -> True

A turn is ``坐席：…`` / ``客户：…`` (also ``agent:`` / ``customer:``, ASCII or full-width colon);
without a prefix it is the agent's.  The dialer relation is ``debtor``.  Single sentences say
nothing about whether the institution was named, so ``no_self_identification`` is not judged
unless ``self_id=True``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from qa_audit.core.labels import CATEGORY_LABELS
from qa_audit.core.model import Call, Finding, Segment

_PREFIX = re.compile(r"^\s*(坐席|客服|催收员|agent|a|客户|customer|c|debtor)\s*[:：]\s*", re.I)
_SPEAKER = {"坐席": "agent", "客服": "agent", "催收员": "agent", "agent": "agent", "a": "agent",
            "客户": "customer", "customer": "customer", "c": "customer", "debtor": "customer"}
CATEGORY_ZH = CATEGORY_LABELS  # the one table of Chinese labels (qa_audit.core.labels)
MAX_TURNS, MAX_CHARS = 40, 2000


class CheckError(ValueError):
    """Input that cannot be checked (the message is Chinese)."""


def parse_turns(lines: Iterable[str]) -> list[tuple[str, str]]:
    """``[(speaker, text)]`` from ``坐席: …`` / ``客户: …`` lines (no prefix: the agent)."""
    out = []
    for raw in lines:
        for line in str(raw).splitlines():
            if not line.strip():
                continue
            m = _PREFIX.match(line)
            speaker = _SPEAKER[m.group(1).lower()] if m else "agent"
            text = line[m.end():] if m else line
            text = text.strip()[:MAX_CHARS]
            if text:
                out.append((speaker, text))
    if not out:
        raise CheckError("没有可检查的句子（格式：坐席: …  /  客户: …）")
    if len(out) > MAX_TURNS:
        raise CheckError(f"一次最多检查 {MAX_TURNS} 句")
    return out


@dataclass
class CheckItem:
    finding: Finding
    suggested: bool
    label: str           # category in Chinese
    message: str
    basis: str
    why: str             # Chinese explanation


@dataclass
class CheckResult:
    turns: list[tuple[str, str]]
    items: list[CheckItem] = field(default_factory=list)
    model: bool = False

    @property
    def found(self) -> bool:
        return bool(self.items)


def _why(f: Finding) -> str:
    """A Chinese explanation of a rule finding (the rule's own explanation is technical)."""
    d = f.details or {}
    parts = []
    if d.get("match"):
        how = {"exact": "词条", "pinyin": "同音词条", "near": "临近搭配", "regex": "句式"}.get(d.get("how"), "词条")
        parts.append(f"命中{how}“{d['match']}”（词库条目 {d.get('entry', '')}）")
    parts.append(f"得分 {f.score:.2f}")
    if d.get("model_p") is not None:
        parts.append(f"模型复核概率 {d['model_p']:.2f}")
    if d.get("listener"):
        parts.append("对方不是债务人本人")
    return "，".join(parts)


def check_turns(detector: Any, turns: list[tuple[str, str]], *, self_id: bool = False) -> CheckResult:
    from qa_audit.detect.rules import registry

    call = Call(call_id="check", agent_id="", callee_relation="debtor",
                segments=[Segment(float(i * 5), float(i * 5 + 4), sp, t) for i, (sp, t) in enumerate(turns)])
    res = CheckResult(turns=turns, model=detector.second_opinion is not None)
    for f in detector.scan(call):
        if f.category == "no_self_identification" and not self_id:
            continue
        sug = bool(f.details.get("suggested"))
        if sug:
            why = f.explanation
            basis = ""
        else:
            try:
                rule = registry.get(f.rule)
                basis = rule.basis
            except KeyError:
                basis = ""
            why = _why(f)
        res.items.append(CheckItem(f, sug, CATEGORY_ZH.get(f.category, f.category), f.message, basis, why))
    return res


def format_result(res: CheckResult) -> str:
    spk = {"agent": "坐席", "customer": "客户", "unknown": "未知"}
    lines = []
    for i, (s, t) in enumerate(res.turns):
        lines.append(f"[{i + 1}] {spk.get(s, s)}：{t}")
    lines.append("")
    if not res.items:
        lines.append("未发现违规。" + ("（规则与模型均未命中）" if res.model else "（规则未命中；未加载模型）"))
        lines.append("注：单句检查不判断“未表明机构身份”。")
        return "\n".join(lines)
    rules = [x for x in res.items if not x.suggested]
    sugg = [x for x in res.items if x.suggested]
    lines.append(f"发现 {len(rules)} 项规则违规" + (f"、{len(sugg)} 项模型建议" if sugg else "") + "：")
    for x in rules + sugg:
        f = x.finding
        tag = "模型建议" if x.suggested else "规则"
        lines.append(f"- 第 {f.segment + 1 if f.segment is not None else '-'} 句 {tag} {f.rule}【{x.label}】{x.message}")
        if f.reason:
            lines.append(f"  原因：{f.reason}")
        if f.evidence:
            lines.append(f"  证据：“{f.evidence}”")
        lines.append(f"  说明：{x.why}")
        if x.basis:
            lines.append(f"  依据：{x.basis}")
    lines.append("注：模型建议仅供复核参考，确认前不计分、不处罚；单句检查不判断“未表明机构身份”。")
    return "\n".join(lines)
