"""How the detector does in production, from supervisors' decisions (one week or all weeks).

- **precision per rule**: of the findings a supervisor decided (confirmed / dismissed, the final
  decision of an appeal counting), the share confirmed — with a 95 % Wilson interval;
- **miss rate**: of the sampled unflagged calls (抽检, ``sampling.py``) that have a verdict, the
  share in which the supervisor found a violation — overall and per category, Wilson interval;
  times the week's unflagged calls it estimates the calls the detector missed;
- **estimated recall** (call level): flagged calls × their call-level precision over that plus the
  estimated missed calls (the interval carries the miss rate's interval only).

    m = measure(store, week="2026-W48"); print(format_text(m))
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Optional

from qa_audit.core.labels import CATEGORY_LABELS
from qa_audit.core.model import ALERT
from qa_audit.review.sampling import flagged_calls
from qa_audit.review.store import VERDICT_CATEGORIES, ensure_schema, latest_verdicts
from qa_audit.store.db import Store

Z95 = 1.959963984540054

CATEGORY_ZH = CATEGORY_LABELS  # the one table of Chinese labels (qa_audit.core.labels)


def wilson(k: int, n: int, z: float = Z95) -> tuple[Optional[float], Optional[float], Optional[float]]:
    """(share, low, high) of k successes in n trials, Wilson score interval; (None,)*3 when n == 0."""
    if n <= 0:
        return None, None, None
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return p, max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Rate:
    k: int
    n: int

    @property
    def value(self) -> Optional[float]:
        return wilson(self.k, self.n)[0]

    @property
    def low(self) -> Optional[float]:
        return wilson(self.k, self.n)[1]

    @property
    def high(self) -> Optional[float]:
        return wilson(self.k, self.n)[2]

    def to_dict(self) -> dict[str, Any]:
        v, lo, hi = wilson(self.k, self.n)
        r = lambda x: None if x is None else round(x, 4)  # noqa: E731
        return {"k": self.k, "n": self.n, "value": r(v), "low": r(lo), "high": r(hi)}

    def text(self) -> str:
        v, lo, hi = wilson(self.k, self.n)
        if v is None:
            return "— (0)"
        return f"{v:.1%} [{lo:.1%}, {hi:.1%}] ({self.k}/{self.n})"


@dataclass
class RuleRow:
    rule: str
    category: str
    suggested: bool
    findings: int
    confirmed: int
    dismissed: int
    pending: int

    @property
    def precision(self) -> Rate:
        return Rate(self.confirmed, self.confirmed + self.dismissed)


@dataclass
class Measurement:
    week: str                                  # "" = all weeks
    rules: list[RuleRow] = field(default_factory=list)
    calls: int = 0
    flagged: int = 0
    unflagged: int = 0
    sampled: int = 0
    sample_reviewed: int = 0
    miss: Rate = field(default_factory=lambda: Rate(0, 0))
    miss_by_category: dict[str, Rate] = field(default_factory=dict)
    flagged_reviewed: int = 0                  # flagged calls with every counted finding decided
    flagged_true: int = 0                      # of them with at least one confirmed finding
    missed_examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def call_precision(self) -> Rate:
        return Rate(self.flagged_true, self.flagged_reviewed)

    def estimated_missed(self) -> tuple[Optional[float], Optional[float], Optional[float]]:
        v, lo, hi = wilson(self.miss.k, self.miss.n)
        if v is None:
            return None, None, None
        return v * self.unflagged, lo * self.unflagged, hi * self.unflagged

    def estimated_recall(self) -> tuple[Optional[float], Optional[float], Optional[float]]:
        p = self.call_precision.value
        m, m_lo, m_hi = self.estimated_missed()
        if p is None or m is None:
            return None, None, None
        tp = self.flagged * p
        f = lambda miss: tp / (tp + miss) if tp + miss > 0 else None  # noqa: E731
        return f(m), f(m_hi), f(m_lo)

    def to_dict(self) -> dict[str, Any]:
        r = lambda x: None if x is None else round(x, 4)  # noqa: E731
        return {"week": self.week, "calls": self.calls, "flagged": self.flagged, "unflagged": self.unflagged,
                "sampled": self.sampled, "sample_reviewed": self.sample_reviewed, "miss_rate": self.miss.to_dict(),
                "miss_rate_by_category": {c: x.to_dict() for c, x in self.miss_by_category.items()},
                "estimated_missed_calls": [r(x) for x in self.estimated_missed()],
                "call_precision": self.call_precision.to_dict(),
                "estimated_recall": [r(x) for x in self.estimated_recall()],
                "rules": [{"rule": x.rule, "category": x.category, "suggested": x.suggested,
                           "findings": x.findings, "confirmed": x.confirmed, "dismissed": x.dismissed,
                           "pending": x.pending, "precision": x.precision.to_dict()} for x in self.rules]}


def _states(store: Store) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in store.conn.execute("SELECT finding_id, action FROM reviews ORDER BY review_id"):
        a = r["action"]
        if a in ("confirm", "final_uphold"):
            out[r["finding_id"]] = "confirmed"
        elif a in ("dismiss", "final_overturn"):
            out[r["finding_id"]] = "dismissed"
        elif a == "appeal":
            out[r["finding_id"]] = "appealed"
    return out


def measure(store: Store, week: str = "") -> Measurement:
    """Precision per rule and the miss rate of ``week`` ("" = every week in the database)."""
    ensure_schema(store)
    con = store.conn
    where, args = ("WHERE c.week=?", [week]) if week else ("", [])
    call_ids = [r[0] for r in con.execute(f"SELECT call_id FROM calls c {where}", args)]
    ids = set(call_ids)
    m = Measurement(week=week, calls=len(call_ids))
    states = _states(store)
    rows = con.execute(f"SELECT f.finding_id, f.call_id, f.rule, f.category, f.severity, f.details_json FROM findings f "
                       f"JOIN calls c ON c.call_id=f.call_id {where}", args).fetchall()
    by_rule: dict[tuple[str, bool], RuleRow] = {}
    call_state: dict[str, list[str]] = {}
    for r in rows:
        try:
            sug = bool(json.loads(r["details_json"] or "{}").get("suggested"))
        except ValueError:
            sug = False
        st = states.get(r["finding_id"], "unreviewed")
        if st == "appealed":
            st = "confirmed"  # an appeal follows a confirmation; until the final decision it stands
        row = by_rule.setdefault((r["rule"], sug), RuleRow(r["rule"], r["category"], sug, 0, 0, 0, 0))
        row.findings += 1
        if st == "confirmed":
            row.confirmed += 1
        elif st == "dismissed":
            row.dismissed += 1
        else:
            row.pending += 1
        if not sug and r["severity"] != ALERT:  # a call is flagged by violations (not alerts, not suggestions)
            call_state.setdefault(r["call_id"], []).append(st)
    m.rules = sorted(by_rule.values(), key=lambda x: (x.suggested, x.rule))
    flagged = flagged_calls(store, ids)
    m.flagged = len(flagged)
    m.unflagged = m.calls - m.flagged
    for cid, sts in call_state.items():
        if all(s in ("confirmed", "dismissed") for s in sts):
            m.flagged_reviewed += 1
            m.flagged_true += any(s == "confirmed" for s in sts)
    wsql, wargs = ("WHERE week=?", [week]) if week else ("", [])
    sampled = [r[0] for r in con.execute(f"SELECT call_id FROM audit_samples {wsql}", wargs)]
    if week:  # the unflagged population as it was when drawn (a later re-scan may flag some)
        row = con.execute("SELECT unflagged FROM audit_sample_weeks WHERE week=?", (week,)).fetchone()
        if row is not None:
            m.unflagged = int(row[0])
    else:
        tot = con.execute("SELECT SUM(unflagged) FROM audit_sample_weeks").fetchone()[0]
        if tot:
            m.unflagged = int(tot)
    m.sampled = len(sampled)
    last = {v["call_id"]: v for v in latest_verdicts(store, "sample")}
    reviewed = [last[c] for c in sampled if c in last]
    m.sample_reviewed = len(reviewed)
    m.miss = Rate(sum(1 for v in reviewed if v["categories"]), len(reviewed))
    for c in VERDICT_CATEGORIES:
        m.miss_by_category[c] = Rate(sum(1 for v in reviewed if c in v["categories"]), len(reviewed))
    m.missed_examples = [v for v in reviewed if v["categories"]][:50]
    return m


def _pct(x: Optional[float]) -> str:
    return "—" if x is None else f"{x:.1%}"


def format_text(m: Measurement) -> str:
    """The figures as ``qa-audit eval --db`` prints them (Chinese labels)."""
    lines = [f"生产质量监测（{m.week or '全部周次'}）", "",
             f"通话 {m.calls} 通：规则标记 {m.flagged} 通，未标记 {m.unflagged} 通；抽检 {m.sampled} 通，"
             f"已复核 {m.sample_reviewed} 通", "",
             "各规则精确率（主管确认 / 已决定，95% Wilson 区间）："]
    lines.append(f"  {'规则':<12}{'类别':<14}{'确认':>5}{'驳回':>5}{'待定':>5}   精确率")
    for r in m.rules:
        lane = "（模型建议）" if r.suggested else ""
        lines.append(f"  {r.rule:<12}{CATEGORY_ZH.get(r.category, r.category)[:7]:<14}{r.confirmed:>5}"
                     f"{r.dismissed:>5}{r.pending:>5}   {r.precision.text()}{lane}")
    if not m.rules:
        lines.append("  （无违规记录）")
    lines += ["", f"漏检率（抽检中发现违规的比例）：{m.miss.text()}"]
    for c, rate in m.miss_by_category.items():
        if rate.k:
            lines.append(f"  {CATEGORY_ZH.get(c, c)}：{rate.text()}")
    est, lo, hi = m.estimated_missed()
    if est is not None:
        lines.append(f"估计漏检通话：{est:.1f} 通 [{lo:.1f}, {hi:.1f}]（未标记 {m.unflagged} 通 × 漏检率）")
    rec, rlo, rhi = m.estimated_recall()
    lines.append(f"通话级精确率（已全部复核的标记通话）：{m.call_precision.text()}")
    if rec is not None:
        lines.append(f"估计召回率：{_pct(rec)} [{_pct(rlo)}, {_pct(rhi)}]（区间只含漏检率的不确定性）")
    if m.sample_reviewed == 0:
        lines.append("（本周尚无抽检结论，无法估计漏检率）")
    return "\n".join(lines)
