"""Dial-log rules (``scope = "dial_log"``): when and how often the collector dialled.

They read ``ctx.dial_log`` (a list of :class:`qa_audit.core.dial_log.DialRecord`, the whole log of the
batch) and ``ctx.options``; ``ctx.call`` is None.  Each finding is attached to the call of the dial
attempt that crosses the line (``segment`` None), or, for the weekly minimum, to the case's
pseudo-call ``CASE-<case>-<week>``.  The pipeline stores those like any other finding, so they are
scored, referred and reported.

Local time is the time of day in the call's own time zone (``started_at`` carries it).

Options (``qa-audit run --rule-option NAME=VALUE``, ``--forbidden-hours 22:00-08:00``, or
``pipeline.run(rule_options={...})``)::

    dial_forbidden_start: "22:00"      # first forbidden minute
    dial_forbidden_end: "08:00"        # first allowed minute
    dial_max_connected_per_day: 3      # connected calls a day to one debtor (case)
    dial_max_contact_connected_per_day: 3   # connected calls a day to one contact person
    dial_max_unanswered_per_day: 6     # unanswered attempts a day to one number
    dial_weekly_min_reachable: 3       # debtor attempts a week, case reached that week
    dial_weekly_min_unreachable: 4     # debtor attempts a week, case not reached that week
    dial_weeks: null                   # ISO weeks to judge for the minimum (default: complete weeks)
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta
from typing import Any, Iterable, Iterator

from qa_audit.core.model import Finding
from qa_audit.detect.rules.base import Rule, RuleContext
from qa_audit.detect.rules.registry import register

DEFAULTS: dict[str, Any] = {
    "dial_forbidden_start": "22:00",
    "dial_forbidden_end": "08:00",
    "dial_max_connected_per_day": 3,
    "dial_max_contact_connected_per_day": 3,
    "dial_max_unanswered_per_day": 6,
    "dial_weekly_min_reachable": 3,
    "dial_weekly_min_unreachable": 4,
    "dial_weeks": None,
}

_BASIS_TIME = ("《互联网金融逾期债务催收自律公约（试行）》第二十二条：催收作业时间应为每日8:00至22:00；"
               "《商业银行信用卡业务监督管理办法》第六十一条")
_BASIS_FREQ = "《互联网金融逾期债务催收自律公约（试行）》第二十二条：不得频繁致电，干扰债务人及其联系人的正常生活"
_BASIS_MIN = "公司《电话催收作业规范》：每个案件每周有效联系次数不得低于规定下限"


def option(ctx: RuleContext, name: str) -> Any:
    opts = ctx.options or {}
    if name in opts and opts[name] is not None:
        return opts[name]
    return DEFAULTS[name]


def parse_hhmm(value: Any) -> time:
    if isinstance(value, time):
        return value
    s = str(value).strip()
    try:
        hh, mm = s.split(":")[:2]
        return time(int(hh), int(mm))
    except (ValueError, TypeError):
        raise ValueError(f"bad time of day {value!r} (expected HH:MM)") from None


def in_window(t: time, start: time, end: time) -> bool:
    """True when ``t`` lies in [start, end); the window may wrap midnight (22:00–08:00)."""
    if start <= end:
        return start <= t < end
    return t >= start or t < end


def _ordered(records: Iterable[Any]) -> list[Any]:
    return sorted(records, key=lambda r: (r.started_at, r.line))


def dial_finding(rule: type[Rule] | Rule, record: Any, call_id: str | None = None, *,
                 explanation: str, message: str | None = None, meaning: str | None = None,
                 **details: Any) -> Finding:
    """A call-level finding attached to the dial attempt ``record`` (or to ``call_id``);
    ``meaning`` is the plain-Chinese reason without the code."""
    f = Finding(
        call_id=call_id or record.call_id, rule=rule.code, category=rule.category,
        severity=rule.severity, segment=None, start=None, end=None, speaker="agent",
        evidence=record.describe() if record is not None else "", char_start=None, char_end=None,
        message=message or rule.message, explanation=explanation, score=1.0,
        details={"dial_log": record.where if record is not None else "", **details},
    )
    f.reason = rule.reason_for(f, meaning)
    return f


def _week_label(week: str) -> str:
    """'2026-W46' -> '2026 年第 46 周'."""
    y, _, w = week.partition("-W")
    return f"{y} 年第 {int(w)} 周" if w.isdigit() else week


@register
class Dial001(Rule):
    """Dialled in the forbidden window (default 22:00–08:00 local time of the call).

    Every attempt counts, answered or not.  22:00 is forbidden, 21:59 allowed, 07:59 forbidden,
    08:00 allowed.

    **Bad**::

        started_at: 2026-11-10T22:00:00+08:00   # 22:00 local

    **Good**::

        started_at: 2026-11-10T21:59:00+08:00
    """
    code = "DIAL-001"
    name = "forbidden-hours"
    category = "dial_frequency"
    severity = "high"
    basis = _BASIS_TIME
    scope = "dial_log"
    message = "在禁止催收时段（22:00–次日08:00）拨打电话"
    reason_template = "在禁止催收时段 {window} 拨打电话"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        start = parse_hhmm(option(ctx, "dial_forbidden_start"))
        end = parse_hhmm(option(ctx, "dial_forbidden_end"))
        for r in _ordered(ctx.dial_log or []):
            t = r.started_at.timetz().replace(tzinfo=None)
            if in_window(t, start, end):
                yield dial_finding(
                    self, r,
                    explanation=(f"local time {t.strftime('%H:%M:%S')} ({r.started_at.strftime('%z')}) "
                                 f"is inside the forbidden window {start:%H:%M}–{end:%H:%M} "
                                 f"[{r.where}]"),
                    meaning=f"{t:%H:%M} 拨打，处于禁止催收时段 {start:%H:%M}–{end:%H:%M}",
                    local_time=t.strftime("%H:%M:%S"),
                    window=f"{start:%H:%M}-{end:%H:%M}",
                )


def _excess(ctx: RuleContext, rule: Rule, groups: dict[tuple, list[Any]], limit: int,
            what: str, what_zh: str) -> Iterator[Finding]:
    """Every attempt after the ``limit``-th of its group; ``what_zh`` says what is counted (接通同一债务人)."""
    for key in sorted(groups):
        rs = _ordered(groups[key])
        for n, r in enumerate(rs, start=1):
            if n > limit:
                earlier = [x.started_at.strftime("%H:%M") for x in rs[:n - 1]]
                yield dial_finding(
                    rule, r,
                    explanation=(f"{what} #{n} on {r.local_date} (limit {limit} a day); earlier: "
                                 + ", ".join(earlier) + f" [{r.where}]"),
                    meaning=(f"{r.local_date} 当天第 {n} 次{what_zh}（{r.started_at:%H:%M}；此前 "
                             f"{'、'.join(earlier)}），超过每天 {limit} 次的上限"),
                    count=n, limit=limit, date=r.local_date,
                )


@register
class Dial002(Rule):
    """More than 3 connected calls a day to one debtor (the 4th and each later one is a finding).

    Calls to contact persons are counted separately (DIAL-003), not here.  The debtor is the case
    (``case_id``), or the callee number when the log has no case id.

    **Bad**::

        C1001 debtor connected 09:00, 11:00, 14:00, 16:00   # 4th call at 16:00

    **Good**::

        C1001 debtor connected 09:00, 11:00, 14:00
    """
    code = "DIAL-002"
    name = "debtor-call-frequency"
    category = "dial_frequency"
    severity = "medium"
    basis = _BASIS_FREQ
    scope = "dial_log"
    message = "同一天对同一债务人接通电话超过3次"
    reason_template = "当天第 {count} 次接通同一债务人，超过每天 {limit} 次的上限"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        limit = int(option(ctx, "dial_max_connected_per_day"))
        groups: dict[tuple, list[Any]] = defaultdict(list)
        for r in ctx.dial_log or []:
            if r.connected and r.callee_relation == "debtor":
                groups[(r.case_id or r.callee_hash, r.local_date)].append(r)
        yield from _excess(ctx, self, groups, limit, "connected call to the debtor", "接通同一债务人")


@register
class Dial003(Rule):
    """More than 3 connected calls a day to one contact person (counted apart from the debtor).

    Each contact person (callee number) has their own count.

    **Bad**::

        C1001 contact 139****0002 connected 09:00, 10:00, 15:00, 17:00   # 4th call

    **Good**::

        C1001 contact 139****0002 connected 09:00; debtor connected 10:00, 15:00, 17:00
    """
    code = "DIAL-003"
    name = "contact-call-frequency"
    category = "dial_frequency"
    severity = "medium"
    basis = _BASIS_FREQ
    scope = "dial_log"
    message = "同一天对同一联系人接通电话超过3次"
    reason_template = "当天第 {count} 次接通同一联系人，超过每天 {limit} 次的上限"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        limit = int(option(ctx, "dial_max_contact_connected_per_day"))
        groups: dict[tuple, list[Any]] = defaultdict(list)
        for r in ctx.dial_log or []:
            if r.connected and r.callee_relation == "contact":
                groups[(r.callee_hash or r.case_id, r.local_date)].append(r)
        yield from _excess(ctx, self, groups, limit, "connected call to the contact person", "接通同一联系人")


@register
class Dial004(Rule):
    """More than 6 unanswered attempts a day to one number (the 7th and each later one).

    **Bad**::

        138****8000 unanswered x7 on 2026-11-10

    **Good**::

        138****8000 unanswered x6 on 2026-11-10
    """
    code = "DIAL-004"
    name = "unanswered-attempts"
    category = "dial_frequency"
    severity = "medium"
    basis = _BASIS_FREQ
    scope = "dial_log"
    message = "同一天对同一号码未接通拨打超过6次（频繁呼叫）"
    reason_template = "当天第 {count} 次拨打同一号码未接通，超过每天 {limit} 次的上限"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        limit = int(option(ctx, "dial_max_unanswered_per_day"))
        groups: dict[tuple, list[Any]] = defaultdict(list)
        for r in ctx.dial_log or []:
            if not r.connected and (r.callee_hash or r.case_id):
                groups[(r.callee_hash or r.case_id, r.local_date)].append(r)
        yield from _excess(ctx, self, groups, limit, "unanswered attempt", "拨打同一号码未接通")


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _week_of(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def judged_weeks(records: list[Any], explicit: Any = None) -> list[str]:
    """Weeks whose minimum is judged: ``explicit`` if given, else every week the log covers from
    Monday to Sunday (a log starting on a Wednesday cannot judge that week)."""
    if explicit:
        return sorted({str(w) for w in ([explicit] if isinstance(explicit, str) else explicit)})
    if not records:
        return []
    first = min(r.started_at.date() for r in records)
    last = max(r.started_at.date() for r in records)
    weeks = []
    m = _monday(first)
    if m < first:
        m += timedelta(days=7)
    while m + timedelta(days=6) <= last:
        weeks.append(_week_of(m))
        m += timedelta(days=7)
    return weeks


@register
class Dial005(Rule):
    """Weekly minimum contact frequency of a case not met.

    Attempts to the debtor in the ISO week (answered or not; calls to contact persons are counted
    separately and do not count) must be at least 3 when the case was reached that week (any
    connected debtor call) and at least 4 when it was not.  Judged for the weeks the log covers
    from Monday to Sunday, for every case in the log.  The finding goes to the case's
    pseudo-call ``CASE-<case>-<week>`` (agent: the case's most frequent caller that week).

    **Bad**::

        C1002 2026-W46: 2 debtor attempts, none connected   # needs 4

    **Good**::

        C1002 2026-W46: 4 debtor attempts, none connected
    """
    code = "DIAL-005"
    name = "weekly-minimum-contact"
    category = "dial_frequency"
    severity = "low"
    basis = _BASIS_MIN
    scope = "dial_log"
    message = "案件本周联系次数未达最低要求"
    reason_template = "案件 {case_id} 本周只拨打债务人 {debtor_attempts} 次，少于最低 {minimum} 次的要求"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        records = list(ctx.dial_log or [])
        need_reached = int(option(ctx, "dial_weekly_min_reachable"))
        need_unreached = int(option(ctx, "dial_weekly_min_unreachable"))
        weeks = judged_weeks(records, option(ctx, "dial_weeks"))
        cases = sorted({r.case_id for r in records if r.case_id})
        by: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for r in records:
            if r.case_id:
                by[(r.case_id, r.iso_week)].append(r)
        for case in cases:
            for week in weeks:
                f = self._week_finding(case, week, by.get((case, week), []), need_reached, need_unreached)
                if f is not None:
                    yield f

    def _week_finding(self, case: str, week: str, rs: list[Any], need_reached: int,
                      need_unreached: int) -> Finding | None:
        from qa_audit.core.dial_log import case_week_call_id

        debtor = [r for r in rs if r.callee_relation == "debtor"]
        contact = [r for r in rs if r.callee_relation != "debtor"]
        reached = any(r.connected for r in debtor)
        need = need_reached if reached else need_unreached
        if len(debtor) >= need:
            return None
        ref = _ordered(rs)[-1] if rs else None
        f = Finding(
            call_id=case_week_call_id(case, week), rule=self.code, category=self.category,
            severity=self.severity, segment=None, start=None, end=None, speaker="agent",
            evidence=f"案件 {case} {week}：债务人拨打 {len(debtor)} 次"
                     f"（{'已接通' if reached else '未接通'}，要求 ≥{need}），联系人拨打 {len(contact)} 次",
            char_start=None, char_end=None, message=self.message,
            explanation=(f"case {case} in {week}: {len(debtor)} attempts to the debtor, "
                         f"{'reached' if reached else 'not reached'} -> minimum {need}; "
                         f"{len(contact)} calls to contact persons counted separately"
                         + (f" [last: {ref.where}]" if ref else " [no attempt that week]")),
            score=1.0,
            details={"case_id": case, "week": week, "debtor_attempts": len(debtor),
                     "contact_attempts": len(contact), "reached": reached, "minimum": need},
        )
        f.reason = self.reason_for(f, (
            f"案件 {case} 在 {_week_label(week)}只拨打债务人 {len(debtor)} 次（{'已' if reached else '未'}接通），"
            f"少于每周最低 {need} 次的要求" + (f"；拨打联系人的 {len(contact)} 次不计入" if contact else "")))
        return f


def run_dial_rules(records: list[Any], options: dict[str, Any] | None = None,
                   select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
                   ) -> list[Finding]:
    """Run every selected ``dial_log`` rule over the whole log; findings sorted by call and rule."""
    from qa_audit.detect.rules import registry

    ctx = RuleContext(call=None, options=dict(options or {}), dial_log=list(records))
    out: list[Finding] = []
    for cls in registry.select(select, ignore, scopes=["dial_log"]):
        out.extend(cls().findings(ctx))
    return sorted(out, key=lambda f: (f.call_id, f.rule))
