"""Penalty referrals (惩罚办法): tiers chosen by severity and by the agent's history.

    pen = load_penalties()                       # rubrics/penalties.yaml, validated (file:line errors)
    refs = build_referrals(store, period="2026-W48")
    refs[0].tier, refs[0].tier_name, refs[0].reason

A *violation* is one call with at least one counted finding (not dismissed by a reviewer, effective
severity >= ``min_severity``; an alert, severity ``alert``, never counts).  For each agent with violations in a period (ISO week of the call's
local time) the tier is::

    max(severity_tier[worst severity], category_tier[c] for each category)
    + escalation add for the prior violations (the agent's violating calls dated in
      [period start - window_days, period start), counted from ``calls.started_at`` in the database)
    + repeat_in_period add for the number of violating calls in the period
    capped at the highest tier.

Because the prior count comes from the database alone, running week 1 then week 2 for the same agent
escalates week 2.  ``referral_id`` = sha1(agent|period): re-running replaces, never duplicates.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence, Union

from qa_audit.core.model import ALERT, SEVERITIES, Finding
from qa_audit.core.resources import rubrics_dir
from qa_audit.score.rubric import CORE_CATEGORIES, RubricError, category_label, default_rubric, read_yaml_mapping, rule_index, rule_info, severity_label
from qa_audit.score.scoring import is_pending_suggestion
from qa_audit.store.db import Store, row_to_finding

COUNTED_STATUSES = ("unreviewed", "confirmed", "appealed")
VIOLATION_SEVERITIES = tuple(s for s in SEVERITIES if s != ALERT)  # what a tier can be given for


# --- the penalty procedure ---------------------------------------------------------------------------
@dataclass
class Tier:
    level: int
    name: str
    action: str = ""
    fine: Optional[float] = None


@dataclass
class Step:
    at_least: int
    add: int


@dataclass
class Penalties:
    name: str
    version: str
    window_days: int
    min_severity: str
    tiers: list[Tier]
    severity_tier: dict[str, int]
    category_tier: dict[str, int] = field(default_factory=dict)
    escalation: list[Step] = field(default_factory=list)
    repeat_in_period: list[Step] = field(default_factory=list)
    path: str = ""

    @property
    def max_level(self) -> int:
        return max(t.level for t in self.tiers)

    def tier(self, level: int) -> Tier:
        for t in self.tiers:
            if t.level == level:
                return t
        raise KeyError(level)


def load_penalties(path: Union[str, Path, None] = None) -> Penalties:
    """Read and validate ``penalties.yaml`` (default: the shipped one); RubricError ``file:line``."""
    path = Path(path) if path else rubrics_dir() / "penalties.yaml"
    data, chk = read_yaml_mapping(path, "penalties")
    chk.keys(data, "penalties", ("name", "tiers", "severity_tier"),
             ("version", "window_days", "min_severity", "category_tier", "escalation", "repeat_in_period",
              "description"))
    name = chk.text(data, "name", "penalties", "") or ""
    window = chk.integer(data, "window_days", "penalties", 90, minimum=1) or 90
    min_sev = chk.text(data, "min_severity", "penalties", "low") or "low"
    if min_sev not in VIOLATION_SEVERITIES:
        chk.err(data.key_line("min_severity"), f"penalties: min_severity must be one of "
                                               f"{', '.join(VIOLATION_SEVERITIES)}, got {min_sev!r}")
        min_sev = "low"
    tiers: list[Tier] = []
    for t, ln in chk.list_of(data, "tiers", "penalties"):
        td = chk.mapping(t, "tier", ln)
        if td is None:
            continue
        chk.keys(td, "tier", ("level", "name"), ("action", "fine"))
        lvl = chk.integer(td, "level", "tier", minimum=1)
        tname = chk.text(td, "name", "tier")
        fine = chk.number(td, "fine", "tier", None, minimum=0)
        if lvl is not None and tname is not None:
            expected = len(tiers) + 1
            if lvl != expected:
                chk.err(td.key_line("level"), f"tier {tname!r}: levels must be 1, 2, 3 … in order; "
                                              f"expected {expected}, got {lvl}")
            tiers.append(Tier(lvl, tname, chk.text(td, "action", "tier", "") or "", fine))
    max_level = len(tiers)

    def level_map(key: str, keys_ok: Sequence[str], what: str, required: bool) -> dict[str, int]:
        if key not in data:
            return {}
        m = chk.mapping(data[key], f"penalties: {key}", data.key_line(key))
        out: dict[str, int] = {}
        if m is None:
            return out
        for k in m:
            if k not in keys_ok:
                chk.err(m.key_line(k), f"penalties: {key}: unknown {what} {k!r} "
                                       f"(known: {', '.join(sorted(keys_ok))})")
                continue
            v = chk.integer(m, k, f"penalties: {key}", minimum=1)
            if v is not None and max_level and v > max_level:
                chk.err(m.key_line(k), f"penalties: {key}: tier {v} for {k!r} does not exist "
                                       f"(tiers go up to {max_level})")
            elif v is not None:
                out[k] = v
        if required:
            for s in keys_ok:
                if s not in m:
                    chk.err(m.line, f"penalties: {key}: missing {what} {s!r}")
        return out

    sev_tier = level_map("severity_tier", VIOLATION_SEVERITIES, "severity", True)
    cat_tier = level_map("category_tier", sorted(rule_index().categories | set(CORE_CATEGORIES)),
                         "category", False)

    def steps(key: str, count_key: str) -> list[Step]:
        out: list[Step] = []
        for s, ln in chk.list_of(data, key, "penalties", required=False):
            sd = chk.mapping(s, f"penalties: {key} step", ln)
            if sd is None:
                continue
            chk.keys(sd, f"penalties: {key} step", (count_key, "add"), ())
            n = chk.integer(sd, count_key, f"penalties: {key} step", minimum=1)
            add = chk.integer(sd, "add", f"penalties: {key} step", minimum=0)
            if n is not None and add is not None:
                if out and n <= out[-1].at_least:
                    chk.err(sd.key_line(count_key), f"penalties: {key}: steps must be listed with "
                                                    f"increasing {count_key}")
                out.append(Step(n, add))
        return out

    esc = steps("escalation", "prior_at_least")
    rep = steps("repeat_in_period", "calls_at_least")
    chk.raise_if_any()
    return Penalties(name=name, version=str(data.get("version", "1")), window_days=window,
                     min_severity=min_sev, tiers=tiers, severity_tier=sev_tier, category_tier=cat_tier,
                     escalation=esc, repeat_in_period=rep, path=str(path))


# --- referrals ---------------------------------------------------------------------------------------
@dataclass
class Violation:
    call_id: str
    started_at: str
    finding_id: str
    rule: str
    rule_name: str
    category: str
    category_label: str
    severity: str
    severity_label: str
    status: str
    segment: Optional[int]
    start: Optional[float]
    end: Optional[float]
    time_label: str
    evidence: str
    excerpt: str
    message: str
    basis: str


@dataclass
class Referral:
    referral_id: str
    agent_id: str
    team: str
    period: str
    period_start: str
    period_end: str
    tier: int
    tier_name: str
    action: str
    reason: str
    steps: list[str]
    violations: list[Violation]
    violation_calls: list[str]
    prior_count: int
    prior_calls: list[dict[str, str]]
    window_days: int
    procedure: str
    # filled in by hand on the printed sheet
    reviewer: str = ""
    reviewer_signature: str = ""
    decision: str = ""
    decision_date: str = ""
    agent_signature: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Referral":
        d = dict(d)
        d["violations"] = [Violation(**v) for v in d.get("violations", [])]
        return cls(**d)


def referral_id(agent_id: str, period: str) -> str:
    return hashlib.sha1(f"{agent_id}|{period}".encode("utf-8")).hexdigest()[:16]


def week_bounds(period: str) -> tuple[date, date]:
    """'2026-W48' -> (Monday, next Monday)."""
    try:
        y, w = period.split("-W")
        start = date.fromisocalendar(int(y), int(w), 1)
    except (ValueError, AttributeError) as e:
        raise ValueError(f"period must be an ISO week like 2026-W48, got {period!r}") from e
    return start, start + timedelta(days=7)


def _local_date(started_at: str) -> Optional[date]:
    try:
        return datetime.fromisoformat(started_at).date()
    except (TypeError, ValueError):
        return None


def fmt_time(t: Optional[float]) -> str:
    if t is None:
        return "整通"
    t = max(0.0, float(t))
    return f"{int(t // 60):02d}:{t % 60:04.1f}"


def _excerpt(store_text: Optional[str], f: Finding, width: int = 24) -> str:
    """The evidence with a little of the segment around it (plain text)."""
    if not store_text or f.char_start is None or f.char_end is None:
        return f.evidence or ""
    a = max(0, f.char_start - width)
    b = min(len(store_text), f.char_end + width)
    return ("…" if a > 0 else "") + store_text[a:b] + ("…" if b < len(store_text) else "")


class _History:
    """The calls, findings and review states the referrals need, read once per build."""

    def __init__(self, store: Store, min_severity: str):
        self.store = store
        self.min_rank = SEVERITIES.index(min_severity)
        self._viol: dict[str, list[tuple[Finding, str, str]]] = {}

    def counted(self, call_id: str) -> list[tuple[Finding, str, str]]:
        """Counted findings of a call: (finding, status, effective severity)."""
        if call_id not in self._viol:
            out = []
            rows = self.store.conn.execute(
                "SELECT * FROM findings WHERE call_id=? ORDER BY start, segment, char_start, rule",
                (call_id,)).fetchall()
            for r in rows:
                f = row_to_finding(r)
                st = self.store.review_state(f.finding_id)
                sev = st.get("severity") or f.severity
                if st["status"] not in COUNTED_STATUSES or ALERT in (f.severity, sev):
                    continue  # dismissed, or an alert (预警: never referred)
                if is_pending_suggestion(f, st["status"]):
                    continue  # a model suggestion not confirmed by a supervisor
                if sev in SEVERITIES and SEVERITIES.index(sev) < self.min_rank:
                    continue
                out.append((f, st["status"], sev))
            self._viol[call_id] = out
        return self._viol[call_id]


def _periods_for(store: Store, period: Union[str, Sequence[str], None],
                 call_ids: Optional[Iterable[str]]) -> list[str]:
    if isinstance(period, str):
        return [period]
    if period is not None:
        return sorted(set(period))
    if call_ids is not None:
        ids = list(call_ids)
        weeks: set[str] = set()
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            weeks |= {r[0] for r in store.conn.execute(
                f"SELECT DISTINCT week FROM calls WHERE call_id IN ({','.join('?' * len(part))})", part)}
        return sorted(w for w in weeks if w)
    return sorted(r[0] for r in store.conn.execute("SELECT DISTINCT week FROM calls") if r[0])


def build_referrals(store: Store, period: Union[str, Sequence[str], None] = None,
                    window_days: Optional[int] = None, penalties: Optional[Penalties] = None,
                    agent_ids: Optional[Iterable[str]] = None, call_ids: Optional[Iterable[str]] = None,
                    run_id: Optional[str] = None, save: bool = True, follow_on: bool = True
                    ) -> list[Referral]:
    """Build (and by default save) the referrals of ``period`` (ISO week or list; None = the weeks of
    ``call_ids``, or every week in the DB) for ``agent_ids`` (None = every agent).

    ``follow_on``: when saving, the same agents' saved referrals of *later* periods whose rolling
    window reaches back into these periods are rebuilt too (a dismissal in week 1 de-escalates week 2).
    Only the referrals of the requested periods are returned.
    """
    pen = penalties or load_penalties()
    window = int(window_days if window_days is not None else pen.window_days)
    agents_filter = set(agent_ids) if agent_ids is not None else None
    hist = _History(store, pen.min_severity)
    out: list[Referral] = []
    periods = _periods_for(store, period, call_ids)
    touched: set[str] = set()
    for per in periods:
        start, end = week_bounds(per)
        rows = store.conn.execute(
            "SELECT call_id, agent_id, team, started_at, transcript_json FROM calls WHERE week=? "
            "ORDER BY started_at, call_id", (per,)).fetchall()
        by_agent: dict[str, list] = {}
        for r in rows:
            if agents_filter is not None and r["agent_id"] not in agents_filter:
                continue
            by_agent.setdefault(r["agent_id"], []).append(r)
        refs: list[Referral] = []
        for agent, calls in sorted(by_agent.items()):
            ref = _referral_for(store, hist, pen, window, per, start, end, agent, calls)
            if ref is not None:
                refs.append(ref)
        if save:
            _save(store, per, by_agent.keys(), refs, run_id)
        touched |= set(by_agent)
        out.extend(refs)
    if save and follow_on and periods and touched:
        last_end = week_bounds(max(periods))[1]
        later: dict[str, set[str]] = {}
        for r in store.conn.execute("SELECT DISTINCT period, agent_id FROM referrals WHERE period > ?",
                                    (max(periods),)):
            if r["agent_id"] in touched and week_bounds(r["period"])[0] - timedelta(days=window) < last_end:
                later.setdefault(r["period"], set()).add(r["agent_id"])
        for per, agents in sorted(later.items()):
            build_referrals(store, period=per, window_days=window, penalties=pen, agent_ids=agents,
                            run_id=None, save=True, follow_on=False)
    return out


def _referral_for(store: Store, hist: _History, pen: Penalties, window: int, per: str, start: date,
                  end: date, agent: str, calls: list) -> Optional[Referral]:
    from qa_audit.core.model import Call

    violations: list[Violation] = []
    viol_calls: list[str] = []
    team = ""
    for r in calls:
        counted = hist.counted(r["call_id"])
        if not counted:
            continue
        viol_calls.append(r["call_id"])
        team = r["team"] or team
        call = Call.from_dict(json.loads(r["transcript_json"]))
        for f, status, sev in counted:
            info = rule_info(f.rule)
            basis = info.get("basis") or _rubric_basis(call.kind, f)
            seg_text = (call.segments[f.segment].text
                        if f.segment is not None and 0 <= f.segment < len(call.segments) else None)
            violations.append(Violation(
                call_id=f.call_id, started_at=r["started_at"], finding_id=f.finding_id, rule=f.rule,
                rule_name=info.get("name", ""), category=f.category,
                category_label=category_label(f.category), severity=sev,
                severity_label=severity_label(sev), status=status, segment=f.segment, start=f.start,
                end=f.end, time_label=fmt_time(f.start), evidence=f.evidence or "",
                excerpt=_excerpt(seg_text, f), message=f.message or "", basis=basis))
    if not violations:
        return None

    # prior violations in the rolling window, from the database alone
    lo = start - timedelta(days=window)
    prior_calls: list[dict[str, str]] = []
    for r in store.conn.execute(
            "SELECT call_id, started_at, week FROM calls WHERE agent_id=? ORDER BY started_at, call_id",
            (agent,)):
        d = _local_date(r["started_at"])
        if d is None or not (lo <= d < start):
            continue
        if hist.counted(r["call_id"]):
            prior_calls.append({"call_id": r["call_id"], "started_at": r["started_at"], "week": r["week"]})
    prior = len(prior_calls)

    steps: list[str] = []
    worst = max((v.severity for v in violations if v.severity in SEVERITIES),
                key=SEVERITIES.index, default="medium")
    level = pen.severity_tier.get(worst, 1)
    steps.append(f"最高严重程度“{severity_label(worst)}”（{worst}）→ 基础第 {level} 档")
    for cat in sorted({v.category for v in violations}):
        need = pen.category_tier.get(cat)
        if need and need > level:
            steps.append(f"违规类别“{category_label(cat)}” → 至少第 {need} 档")
            level = need
    add_prior = max((s.add for s in pen.escalation if prior >= s.at_least), default=0)
    if add_prior:
        steps.append(f"近 {window} 天内此前违规 {prior} 通 → 升 {add_prior} 档")
    else:
        steps.append(f"近 {window} 天内此前违规 {prior} 通 → 不升档")
    n_calls = len(viol_calls)
    add_rep = max((s.add for s in pen.repeat_in_period if n_calls >= s.at_least), default=0)
    if add_rep:
        steps.append(f"本期违规通话 {n_calls} 通 → 升 {add_rep} 档")
    level = level + add_prior + add_rep
    if level > pen.max_level:
        steps.append(f"已达最高档（第 {pen.max_level} 档）")
        level = pen.max_level
    tier = pen.tier(level)
    cats = "、".join(sorted({v.category_label for v in violations}))
    reason = (f"{per} 违规通话 {n_calls} 通、违规 {len(violations)} 处（{cats}）；"
              f"近 {window} 天内此前违规 {prior} 通。判定：第 {level} 档 {tier.name}。")
    return Referral(
        referral_id=referral_id(agent, per), agent_id=agent, team=team, period=per,
        period_start=start.isoformat(), period_end=(end - timedelta(days=1)).isoformat(), tier=level,
        tier_name=tier.name, action=tier.action, reason=reason, steps=steps, violations=violations,
        violation_calls=viol_calls, prior_count=prior, prior_calls=prior_calls, window_days=window,
        procedure=f"{pen.name} v{pen.version}")


_BASIS_CACHE: dict[tuple[str, str, str], str] = {}


def _rubric_basis(kind: str, f: Finding) -> str:
    key = (kind, f.rule, f.category)
    if key not in _BASIS_CACHE:
        basis = ""
        try:
            rub = default_rubric(kind if kind in ("call", "text") else "call")
            for it in rub.items:
                if it.watches(f) and it.basis:
                    basis = it.basis
                    if it.fatal:
                        break
        except (RubricError, ValueError):
            pass
        _BASIS_CACHE[key] = basis
    return _BASIS_CACHE[key]


def _save(store: Store, period: str, agents: Iterable[str], refs: list[Referral],
          run_id: Optional[str]) -> None:
    keep = {r.referral_id for r in refs}
    with store.transaction() as c:
        for agent in agents:  # agents recomputed for this period with nothing left to refer
            rid = referral_id(agent, period)
            if rid not in keep:
                c.execute("DELETE FROM referrals WHERE referral_id=?", (rid,))
        c.executemany(
            """INSERT INTO referrals(referral_id, agent_id, team, period, tier, tier_name, reason,
                   referral_json, run_id) VALUES (?,?,?,?,?,?,?,?,?)
               ON CONFLICT(referral_id) DO UPDATE SET team=excluded.team, tier=excluded.tier,
                   tier_name=excluded.tier_name, reason=excluded.reason,
                   referral_json=excluded.referral_json,
                   run_id=COALESCE(excluded.run_id, referrals.run_id)""",
            [(r.referral_id, r.agent_id, r.team, r.period, r.tier, r.tier_name, r.reason,
              json.dumps(r.to_dict(), ensure_ascii=False), run_id) for r in refs])


def load_referrals(store: Store, agent_ids: Optional[Iterable[str]] = None,
                   periods: Optional[Iterable[str]] = None) -> list[Referral]:
    """Saved referrals, optionally only for these agents / periods, ordered by agent then period."""
    rows = store.conn.execute(
        "SELECT agent_id, period, referral_json FROM referrals ORDER BY agent_id, period").fetchall()
    a = set(agent_ids) if agent_ids is not None else None
    p = set(periods) if periods is not None else None
    return [Referral.from_dict(json.loads(r[2])) for r in rows
            if (a is None or r[0] in a) and (p is None or r[1] in p)]
