"""抽检: each week a random sample of the calls the detector did not flag goes to review.

    draw_sample(store, "2026-W48", rate=0.05)     # deterministic: same week, same database -> same calls

- the population is the week's calls without a counted finding (a model suggestion alone does not
  flag a call: suggestions are only proposals; nor does an alert, 预警, which is no violation);
- stratified by agent: each agent contributes ``floor(rate × n)`` calls plus one more with
  probability equal to the remainder, so every unflagged call has the same chance ``rate`` (the
  sample needs no weights) and no agent's calls are left out by chance;
- the random generator is seeded from the week (``sha256("qa-audit-sample-v1|" + week)``), so a
  week's sample is reproducible and cannot be chosen;
- a week is drawn once: drawing again returns the same sample, topped up from the week's new
  unflagged calls only (a later batch), at the same rate; ``redraw`` is refused once a verdict
  exists for a sampled call, so a sample is never changed after it was looked at.
"""
from __future__ import annotations

import hashlib
import json
import math
import random
from dataclasses import dataclass, field
from typing import Iterable, Optional

from qa_audit.core.model import ALERT
from qa_audit.review.store import ReviewError, ensure_schema, latest_verdicts
from qa_audit.store.db import Store

SALT = "qa-audit-sample-v1"


@dataclass
class Sample:
    week: str
    rate: float
    seed: str
    calls: int                      # calls of the week
    unflagged: int                  # of them not flagged
    call_ids: list[str] = field(default_factory=list)
    by_agent: dict[str, tuple[int, int]] = field(default_factory=dict)  # agent -> (sampled, stratum size)
    existing: bool = False          # the week had been drawn already
    added: int = 0                  # calls added by this draw

    def describe(self) -> str:
        what = (f"补抽 {self.added} 通" if self.added else "沿用已抽样本") if self.existing else "新抽取"
        return (f"{self.week} 抽检（{what}）：共 {len(self.call_ids)} 通（抽样率 {self.rate:.1%}，"
                f"未标记通话 {self.unflagged} / 全部 {self.calls}，{len(self.by_agent)} 名坐席分层）")


def week_seed(week: str) -> str:
    return hashlib.sha256(f"{SALT}|{week}".encode("utf-8")).hexdigest()[:16]


def flagged_calls(store: Store, call_ids: Optional[Iterable[str]] = None) -> set[str]:
    """Calls with at least one finding that is neither a model suggestion nor an alert (预警:
    customer-side signals, not violations)."""
    sql = "SELECT call_id, details_json FROM findings WHERE severity != ?"
    rows = store.conn.execute(sql, (ALERT,)).fetchall()
    ids = set(call_ids) if call_ids is not None else None
    out: set[str] = set()
    for r in rows:
        if ids is not None and r["call_id"] not in ids:
            continue
        try:
            d = json.loads(r["details_json"] or "{}")
        except ValueError:
            d = {}
        if not d.get("suggested"):
            out.add(r["call_id"])
    return out


def week_calls(store: Store, week: str) -> list[tuple[str, str]]:
    return [(r["call_id"], r["agent_id"]) for r in store.conn.execute(
        "SELECT call_id, agent_id FROM calls WHERE week=? ORDER BY call_id", (week,))]


def _stratified(rng: random.Random, strata: dict[str, list[str]], rate: float
                ) -> tuple[list[tuple[str, str, int]], dict[str, tuple[int, int]]]:
    chosen: list[tuple[str, str, int]] = []
    by_agent: dict[str, tuple[int, int]] = {}
    for agent in sorted(strata):
        ids = sorted(strata[agent])
        want = rate * len(ids)
        k = math.floor(want)
        if rng.random() < want - k:
            k += 1
        pick = sorted(rng.sample(ids, min(k, len(ids)))) if k else []
        chosen += [(cid, agent, len(ids)) for cid in pick]
        by_agent[agent] = (len(pick), len(ids))
    return chosen, by_agent


def draw_sample(store: Store, week: str, rate: float, *, redraw: bool = False) -> Sample:
    """Draw the 抽检 sample of ``week``, or bring an earlier draw up to date: the week's unflagged
    calls that the earlier draw did not consider (a later batch) are sampled at the earlier rate.
    ``redraw`` replaces the sample, refused once a sampled call has a verdict."""
    if not 0 < rate <= 1:
        raise ReviewError(f"抽样率必须在 0 和 1 之间（不含 0），收到 {rate}")
    ensure_schema(store)
    con = store.conn
    prev = con.execute("SELECT * FROM audit_sample_weeks WHERE week=?", (week,)).fetchone()
    if prev is not None and redraw:
        sampled = {r["call_id"] for r in con.execute("SELECT call_id FROM audit_samples WHERE week=?", (week,))}
        if any(v["call_id"] in sampled for v in latest_verdicts(store, "sample")):
            raise ReviewError(f"{week} 的抽检已有复核结论，不能重新抽取")
        with store.transaction() as c:
            for t in ("audit_samples", "audit_population", "audit_sample_weeks"):
                c.execute(f"DELETE FROM {t} WHERE week=?", (week,))
        prev = None
    calls = week_calls(store, week)
    flagged = flagged_calls(store, [c for c, _ in calls])
    seen = {r[0] for r in con.execute("SELECT call_id FROM audit_population WHERE week=?", (week,))}
    strata: dict[str, list[str]] = {}
    for cid, agent in calls:
        if cid not in flagged and cid not in seen:
            strata.setdefault(agent or "", []).append(cid)
    seed = prev["seed"] if prev is not None else week_seed(week)
    if prev is not None:
        rate = float(prev["rate"])
        if not strata:
            return _existing(store, prev)
    # a top-up draws from its own stream: same week + same earlier population -> same calls
    rng = random.Random(int(seed, 16) + len(seen))
    chosen, _ = _stratified(rng, strata, rate)
    unflagged = len(seen) + sum(len(v) for v in strata.values())
    with store.transaction() as c:
        c.executemany("INSERT OR IGNORE INTO audit_population(week, call_id) VALUES (?,?)",
                      [(week, cid) for ids in strata.values() for cid in ids])
        c.executemany("INSERT OR IGNORE INTO audit_samples(week, call_id, agent_id, stratum_size) VALUES (?,?,?,?)",
                      [(week, cid, agent, n) for cid, agent, n in chosen])
        n_sampled = c.execute("SELECT COUNT(*) FROM audit_samples WHERE week=?", (week,)).fetchone()[0]
        c.execute("INSERT INTO audit_sample_weeks(week, rate, seed, calls, unflagged, sampled) VALUES (?,?,?,?,?,?)"
                  " ON CONFLICT(week) DO UPDATE SET calls=excluded.calls, unflagged=excluded.unflagged,"
                  " sampled=excluded.sampled, drawn_at=strftime('%Y-%m-%dT%H:%M:%fZ','now')",
                  (week, rate, seed, len(calls), unflagged, n_sampled))
    row = con.execute("SELECT * FROM audit_sample_weeks WHERE week=?", (week,)).fetchone()
    s = _existing(store, row)
    s.existing = prev is not None
    s.added = len(chosen)
    return s


def _existing(store: Store, row) -> Sample:
    rows = store.conn.execute("SELECT call_id, agent_id, stratum_size FROM audit_samples WHERE week=? ORDER BY call_id",
                              (row["week"],)).fetchall()
    by_agent: dict[str, tuple[int, int]] = {}
    for r in rows:
        n, _ = by_agent.get(r["agent_id"], (0, r["stratum_size"]))
        by_agent[r["agent_id"]] = (n + 1, r["stratum_size"])
    return Sample(row["week"], float(row["rate"]), row["seed"], int(row["calls"]), int(row["unflagged"]),
                  [r["call_id"] for r in rows], by_agent, existing=True)


def sampled_calls(store: Store, week: Optional[str] = None) -> list[dict]:
    """The sampled calls (of one week or all), each with its latest 抽检 verdict (or None)."""
    ensure_schema(store)
    sql = ("SELECT s.week, s.call_id, s.agent_id, c.team, c.started_at FROM audit_samples s "
           "LEFT JOIN calls c ON c.call_id = s.call_id")
    args: list = []
    if week:
        sql += " WHERE s.week=?"
        args.append(week)
    rows = [dict(r) for r in store.conn.execute(sql + " ORDER BY s.week DESC, s.agent_id, s.call_id", args)]
    last = {v["call_id"]: v for v in latest_verdicts(store, "sample")}
    for r in rows:
        r["verdict"] = last.get(r["call_id"])
    return rows


def sample_weeks(store: Store) -> list[str]:
    ensure_schema(store)
    return [r[0] for r in store.conn.execute("SELECT week FROM audit_sample_weeks ORDER BY week DESC")]


def is_sampled(store: Store, call_id: str) -> bool:
    ensure_schema(store)
    return store.conn.execute("SELECT 1 FROM audit_samples WHERE call_id=?", (call_id,)).fetchone() is not None


def sample_batch(store: Store, call_ids: Iterable[str], rate: float) -> list[Sample]:
    """Draw (or top up) the sample of every week the batch's calls fall in (``qa-audit run``)."""
    ids = list(call_ids)
    weeks: set[str] = set()
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        weeks |= {r[0] for r in store.conn.execute(
            f"SELECT DISTINCT week FROM calls WHERE call_id IN ({','.join('?' * len(part))})", part) if r[0]}
    return [draw_sample(store, w, rate) for w in sorted(weeks)]
