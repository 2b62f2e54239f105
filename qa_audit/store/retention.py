"""Retention (保存期限): what is older than ``--keep`` and, on request, removing it.

    p = plan(store, "2y")                   # Plan: calls past retention, what goes with them
    res = purge(store, "2y", purge_audio=False)

- A call is past retention when the local date of ``calls.started_at`` is on or before
  ``today − keep`` (a call exactly two years old is due under ``2y``; one a day younger is not).
  Calls without a start time are never removed (their age is unknown).
- With a call go its findings, their review decisions (the reviews table is append-only; the purge
  lifts that trigger only inside its own transaction), its scorecard and run-state rows; the agent's
  referral of that week goes when none of his calls of the week remain (referrals that counted the
  removed calls are rebuilt by the caller: ``build_referrals``, in ``qa_audit.cli.retention``).
- Never removed: a call with a finding still under appeal (申诉中, no final decision), nor anything
  younger than the cutoff.
- Recordings are listed, and deleted only with ``purge_audio`` (after the database commit, and only
  files no remaining call refers to).
- The purge is recorded in the evidence chain as its own ``purge`` entry (``chain_purged`` lists the
  records removed, ``fields.last_removed_hash`` is the hash of the newest chain entry among them), so
  ``qa-audit verify`` still passes afterwards and shows what was removed and when.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Optional

from qa_audit.store import chain as C

_KEEP = re.compile(r"^\s*(\d+)\s*([ymwd])\s*$", re.I)


class RetentionError(ValueError):
    pass


def parse_keep(keep: str) -> tuple[int, str]:
    """'2y' -> (2, 'y'); units y (years), m (months), w (weeks), d (days)."""
    m = _KEEP.match(keep or "")
    if not m or int(m.group(1)) <= 0:
        raise RetentionError(f"无效的保存期限 {keep!r}：应为正整数加单位 y/m/w/d，例如 2y、18m、104w、730d")
    return int(m.group(1)), m.group(2).lower()


def cutoff_date(keep: str, today: Optional[date] = None) -> date:
    """The last local date that is past retention: ``today − keep`` (Feb 29 − 1y = Feb 28)."""
    from datetime import timedelta

    n, unit = parse_keep(keep)
    t = today or date.today()
    if unit in ("y", "m"):
        months = n * 12 if unit == "y" else n
        y, mo = divmod(t.year * 12 + (t.month - 1) - months, 12)
        mo += 1
        d = t.day
        while True:
            try:
                return date(y, mo, d)
            except ValueError:
                d -= 1
    return t - timedelta(days=n * (7 if unit == "w" else 1))


def _local_date(started_at: str) -> Optional[date]:
    if not started_at:
        return None
    try:
        return datetime.fromisoformat(started_at).date()
    except ValueError:
        return None


@dataclass
class DueCall:
    call_id: str
    agent_id: str
    week: str
    started_at: str
    audio: Optional[str]
    findings: int
    reviews: int
    scorecard: bool


@dataclass
class Plan:
    keep: str
    cutoff: date
    calls: list[DueCall] = field(default_factory=list)
    under_appeal: list[str] = field(default_factory=list)   # due by age, kept: a finding is under appeal
    undated: int = 0

    @property
    def findings(self) -> int:
        return sum(c.findings for c in self.calls)

    @property
    def reviews(self) -> int:
        return sum(c.reviews for c in self.calls)

    @property
    def scorecards(self) -> int:
        return sum(1 for c in self.calls if c.scorecard)

    @property
    def recordings(self) -> list[str]:
        return sorted({c.audio for c in self.calls if c.audio})


@dataclass
class PurgeResult:
    plan: Plan
    chain_seq: int = 0
    referrals_removed: int = 0
    agents: set[str] = field(default_factory=set)            # whose referrals the caller rebuilds
    audio_deleted: list[str] = field(default_factory=list)
    audio_kept: list[str] = field(default_factory=list)      # still referred to by a remaining call
    audio_errors: list[str] = field(default_factory=list)


def _under_appeal(con, finding_ids: list[str]) -> bool:
    """True when one of the findings is under appeal now (same fold as ``Store.review_state``)."""
    for i in range(0, len(finding_ids), 500):
        part = finding_ids[i:i + 500]
        rows = con.execute(f"SELECT finding_id, action FROM reviews WHERE finding_id IN ({','.join('?' * len(part))}) "
                           "ORDER BY review_id", part).fetchall()
        status: dict[str, str] = {}
        for fid, a in rows:
            if a in ("confirm", "final_uphold"):
                status[fid] = "confirmed"
            elif a in ("dismiss", "final_overturn"):
                status[fid] = "dismissed"
            elif a == "appeal":
                status[fid] = "appealed"
        if "appealed" in status.values():
            return True
    return False


def _plan(con, keep: str, today: Optional[date]) -> Plan:
    p = Plan(keep=keep, cutoff=cutoff_date(keep, today))
    for cid, agent, week, started, audio in con.execute(
            "SELECT call_id, agent_id, week, started_at, audio FROM calls ORDER BY started_at, call_id").fetchall():
        d = _local_date(started)
        if d is None:
            p.undated += 1
            continue
        if d > p.cutoff:
            continue
        fids = [r[0] for r in con.execute("SELECT finding_id FROM findings WHERE call_id=?", (cid,))]
        if _under_appeal(con, fids):
            p.under_appeal.append(cid)
            continue
        n_rev = len(_review_ids(con, cid, fids))
        has_card = con.execute("SELECT 1 FROM scorecards WHERE call_id=?", (cid,)).fetchone() is not None
        p.calls.append(DueCall(cid, agent, week, started, audio or None, len(fids), n_rev, has_card))
    return p


def _review_ids(con, call_id: str, finding_ids: list[str]) -> list[int]:
    """Reviews of the call's findings, and of its earlier findings no longer stored (via the chain)."""
    ids: set[int] = set()
    for i in range(0, len(finding_ids), 500):
        part = finding_ids[i:i + 500]
        ids |= {int(r[0]) for r in con.execute(
            f"SELECT review_id FROM reviews WHERE finding_id IN ({','.join('?' * len(part))})", part)}
    ids |= {int(r[0]) for r in con.execute(
        "SELECT CAST(ref AS INTEGER) FROM chain WHERE kind='review' AND call_id=?", (call_id,))}
    have = set()
    for chunk in _chunks(sorted(ids)):
        have |= {int(r[0]) for r in con.execute(
            f"SELECT review_id FROM reviews WHERE review_id IN ({','.join('?' * len(chunk))})", chunk)}
    return sorted(have)


def _chunks(xs: list[Any], n: int = 500):
    for i in range(0, len(xs), n):
        yield xs[i:i + n]


def plan(store, keep: str, today: Optional[date] = None) -> Plan:
    """What ``purge`` would remove (read only)."""
    return _plan(store.conn, keep, today)


def purge(store, keep: str, today: Optional[date] = None, *, purge_audio: bool = False) -> PurgeResult:
    """Remove what is past retention in one transaction (re-planned inside it, so an appeal filed in
    the meantime keeps its call) and record the purge in the evidence chain."""
    with store.transaction() as con:
        p = _plan(con, keep, today)
        res = PurgeResult(plan=p)
        if not p.calls:
            return res
        call_ids = [c.call_id for c in p.calls]
        removed: list[list[str]] = []
        review_ids: list[int] = []
        for c in p.calls:
            fids = [r[0] for r in con.execute("SELECT finding_id FROM findings WHERE call_id=?", (c.call_id,))]
            review_ids += _review_ids(con, c.call_id, fids)
            removed.append(["call", c.call_id])
            removed += [["finding", r[0]] for r in con.execute(
                "SELECT DISTINCT ref FROM chain WHERE kind='finding' AND call_id=?", (c.call_id,))]
        removed += [["review", str(r)] for r in sorted(set(review_ids))]
        removed = sorted({(k, r) for k, r in map(tuple, removed)})
        last = 0
        for chunk in _chunks(call_ids):
            q = ",".join("?" * len(chunk))
            r = con.execute(f"SELECT MAX(seq) FROM chain WHERE call_id IN ({q})", chunk).fetchone()
            last = max(last, int(r[0] or 0))
        last_hash = con.execute("SELECT hash FROM chain WHERE seq=?", (last,)).fetchone()
        pairs = {(c.agent_id, c.week) for c in p.calls}

        # the reviews trigger is lifted for this transaction only (DDL is transactional in SQLite)
        trig = con.execute("SELECT sql FROM sqlite_master WHERE type='trigger' AND name='reviews_no_delete'").fetchone()
        if trig:
            con.execute("DROP TRIGGER reviews_no_delete")
        for chunk in _chunks(sorted(set(review_ids))):
            con.execute(f"DELETE FROM reviews WHERE review_id IN ({','.join('?' * len(chunk))})", chunk)
        if trig:
            con.execute(trig[0])
        for chunk in _chunks(call_ids):
            q = ",".join("?" * len(chunk))
            con.execute(f"DELETE FROM findings WHERE call_id IN ({q})", chunk)
            con.execute(f"DELETE FROM scorecards WHERE call_id IN ({q})", chunk)
            con.execute(f"DELETE FROM run_items WHERE call_id IN ({q})", chunk)
            con.execute(f"DELETE FROM calls WHERE call_id IN ({q})", chunk)
        for agent, week in sorted(pairs):
            left = con.execute("SELECT 1 FROM calls WHERE agent_id=? AND week=? LIMIT 1", (agent, week)).fetchone()
            if left is None:
                res.referrals_removed += con.execute("DELETE FROM referrals WHERE agent_id=? AND period=?",
                                                     (agent, week)).rowcount
        res.agents = {a for a, _ in pairs}

        fields = {"keep": keep, "cutoff": p.cutoff.isoformat(), "calls": len(call_ids),
                  "findings": sum(1 for k, _ in removed if k == "finding"), "reviews": len(set(review_ids)),
                  "scorecards": p.scorecards, "referrals": res.referrals_removed,
                  "last_removed_seq": last, "last_removed_hash": last_hash[0] if last_hash else C.GENESIS}
        content = C.sha256_text(C.cjson([list(x) for x in removed]))
        seq, _ = C.append(con, "purge", f"retention {keep} ≤ {p.cutoff.isoformat()}", None, content, fields)
        con.executemany("INSERT INTO chain_purged(purge_seq, kind, ref) VALUES (?,?,?)",
                        [(seq, k, r) for k, r in removed])
        res.chain_seq = seq

    if purge_audio:
        for a in p.recordings:
            if store.conn.execute("SELECT 1 FROM calls WHERE audio=? LIMIT 1", (a,)).fetchone():
                res.audio_kept.append(a)
                continue
            try:
                os.unlink(a)
                res.audio_deleted.append(a)
            except FileNotFoundError:
                pass
            except OSError as e:
                res.audio_errors.append(f"{a}: {e.strerror or e}")
    return res


def describe_plan(p: Plan, limit: Optional[int] = None) -> list[str]:
    lines = [f"保存期限 {p.keep}：开始时间在 {p.cutoff.isoformat()}（含）之前的通话已超期"]
    lines.append(f"超期通话 {len(p.calls)} 通，违规记录 {p.findings} 条，复核记录 {p.reviews} 条，评分表 {p.scorecards} 张，"
                 f"录音 {len(p.recordings)} 个")
    for c in p.calls[:limit] if limit else p.calls:
        lines.append(f"  {c.call_id}\t{c.started_at}\t坐席 {c.agent_id}\t违规 {c.findings}\t复核 {c.reviews}\t"
                     f"评分 {'有' if c.scorecard else '无'}\t录音 {c.audio or '-'}")
    if limit and len(p.calls) > limit:
        lines.append(f"  …… 另 {len(p.calls) - limit} 通")
    if p.under_appeal:
        lines.append(f"保留（有违规仍在申诉中）：{len(p.under_appeal)} 通：{', '.join(p.under_appeal[:20])}"
                     + (" ……" if len(p.under_appeal) > 20 else ""))
    if p.undated:
        lines.append(f"保留（没有开始时间，无法判断是否超期）：{p.undated} 通")
    return lines
