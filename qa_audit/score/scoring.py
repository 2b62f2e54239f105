"""Scoring: findings (+ review decisions) → a scorecard per call on a rubric (质检评分表).

    card = score_call(call, findings, default_rubric("call"), states={fid: store.review_state(fid)})
    card.total, card.grade, card.fatal
    [ (it.name, it.score, [h.rule for h in it.hits]) for it in card.items ]

Rules of the form:

- an alert (severity ``alert``: complaint risk, a vulnerable customer) never counts: it is listed in
  ``alerts`` and deducts nothing, whatever a reviewer does with it;
- a finding counts unless a reviewer dismissed it (unreviewed, confirmed and appealed findings count);
  a model suggestion (``details["suggested"]``, rule ``ML-…``) counts only once a supervisor
  confirmed it (until then it is listed in ``Scorecard.suggested``: no deduction, never fatal);
  a reviewer's severity override replaces the finding's severity;
- every item that watches the finding (code, glob or category) deducts ``deduction`` (per severity
  if the rubric says so), in time order, until the item's ``cap`` is reached;
- a counted finding in a ``fatal`` item (一票否决) sets the total to the floor;
- otherwise total = sum of item scores, never below the floor; grade by bands; passed = not fatal and
  total >= pass_mark.

Every hit says which item took it, why (``code``/``glob``/``category``) and how much it cost.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from qa_audit.core.labels import category_label, seconds_label, severity_label, status_label
from qa_audit.core.model import ALERT, Call, Finding
from qa_audit.score.rubric import Rubric, default_rubric
from qa_audit.store.db import Store, iso_week

COUNTED_STATUSES = ("unreviewed", "confirmed", "appealed")
# a model suggestion (Finding.details["suggested"], rule ML-…) counts only after a confirmation
SUGGESTION_COUNTED = ("confirmed", "appealed")


def is_pending_suggestion(f: Finding, status: str) -> bool:
    """A model suggestion no supervisor has confirmed: never counted, never fatal, no penalty."""
    return bool((f.details or {}).get("suggested")) and status not in SUGGESTION_COUNTED


@dataclass
class Hit:
    """One finding counted in one item."""

    finding_id: str
    rule: str
    category: str
    severity: str
    status: str
    why: str                  # "code THREAT-001" | "glob DIAL-*" | "category threat"
    deduction: float          # applied (after the cap)
    nominal: float            # before the cap
    segment: Optional[int] = None
    start: Optional[float] = None
    evidence: str = ""
    message: str = ""
    original_severity: str = ""


@dataclass
class ItemScore:
    id: str
    name: str
    section: str
    points: float
    cap: float
    fatal: bool
    deducted: float
    score: float
    hits: list[Hit] = field(default_factory=list)
    basis: str = ""


@dataclass
class Scorecard:
    call_id: str
    agent_id: str
    team: str
    week: str
    started_at: str
    kind: str
    rubric: str
    rubric_version: str
    max_points: float
    items: list[ItemScore]
    fatal: bool
    fatal_reasons: list[str]
    raw_total: float
    total: float
    floor: float
    pass_mark: float
    grade: str
    passed: bool
    counted: list[str] = field(default_factory=list)     # finding ids that count
    unmatched: list[str] = field(default_factory=list)   # counted but watched by no item
    dismissed: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)      # alert finding ids: never counted
    suggested: list[str] = field(default_factory=list)   # model suggestions not (yet) confirmed: not counted

    @property
    def deductions(self) -> list[tuple[ItemScore, Hit]]:
        return [(it, h) for it in self.items for h in it.hits if h.deduction > 0]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (same as ``dataclasses.asdict``, without its deep copies)."""
        d = {k: (list(v) if isinstance(v, list) else v) for k, v in vars(self).items() if k != "items"}
        d["items"] = [dict(vars(it), hits=[dict(vars(h)) for h in it.hits]) for it in self.items]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Scorecard":
        d = dict(d)
        if d.get("fatal_reasons"):
            d["fatal_reasons"] = fatal_reasons_of(d.get("items") or []) or d["fatal_reasons"]
        items = []
        for it in d.pop("items", []):
            it = dict(it)
            hits = [Hit(**h) for h in it.pop("hits", [])]
            items.append(ItemScore(hits=hits, **it))
        return cls(items=items, **d)


def _effective(finding: Finding, states: Optional[Mapping[str, Mapping[str, Any]]]) -> tuple[str, str]:
    st = (states or {}).get(finding.finding_id) or {}
    status = str(st.get("status") or "unreviewed")
    severity = str(st.get("severity") or finding.severity)
    return status, severity


def _time_key(f: Finding) -> tuple:
    return (f.start if f.start is not None else -1.0, f.segment if f.segment is not None else -1,
            f.char_start or 0, f.rule)


def fatal_reason(item_id: str, item_name: str, rule: str, category: str, severity: str, status: str,
                 start: Optional[float]) -> str:
    """"RED-01 不得威胁、恐吓：THREAT-005（威胁恐吓，严重，待复核），26.2 秒处"."""
    at = f"，{seconds_label(start)}处" if start is not None else ""
    return (f"{item_id} {item_name}：{rule}（{category_label(category)}，{severity_label(severity)}，"
            f"{status_label(status)}）{at}")


def fatal_reasons_of(items: Iterable[Mapping[str, Any]]) -> list[str]:
    """The fatal reasons of a stored card's items (``card_json``), in the current wording, so a card
    saved by an older version reads the same as a new one."""
    return [fatal_reason(it["id"], it["name"], h["rule"], h["category"], h["severity"], h["status"],
                         h.get("start"))
            for it in items if it.get("fatal") for h in it.get("hits") or []]


def score_call(call: Call, findings: Iterable[Finding], rubric: Optional[Rubric] = None,
               states: Optional[Mapping[str, Mapping[str, Any]]] = None) -> Scorecard:
    """Score one call.  ``states``: ``{finding_id: Store.review_state(finding_id)}`` (None = unreviewed)."""
    rubric = rubric or default_rubric(call.kind if call.kind in ("call", "text") else "call")
    fs = sorted(findings, key=_time_key)
    counted: list[tuple[Finding, str, str]] = []
    dismissed: list[str] = []
    alerts: list[str] = []
    pending: list[str] = []
    for f in fs:
        status, severity = _effective(f, states)
        if ALERT in (f.severity, severity):  # 预警: shown to reviewers, never scored
            alerts.append(f.finding_id)
        elif is_pending_suggestion(f, status):
            pending.append(f.finding_id)  # a model suggestion counts only once a supervisor confirms it
        elif status in COUNTED_STATUSES:
            counted.append((f, status, severity))
        else:
            dismissed.append(f.finding_id)

    items: list[ItemScore] = []
    fatal_reasons: list[str] = []
    watched: set[str] = set()
    for it in rubric.items:
        hits: list[Hit] = []
        deducted = 0.0
        for f, status, severity in counted:
            why = it.watches(f)
            if why is None:
                continue
            watched.add(f.finding_id)
            nominal = it.deduction_for(severity)
            applied = max(0.0, min(nominal, it.cap - deducted))
            deducted += applied
            hits.append(Hit(finding_id=f.finding_id, rule=f.rule, category=f.category, severity=severity,
                            status=status, why=why, deduction=round(applied, 2), nominal=nominal,
                            segment=f.segment, start=f.start, evidence=f.evidence or "",
                            message=f.message or "", original_severity=f.severity))
            if it.fatal:
                fatal_reasons.append(fatal_reason(it.id, it.name, f.rule, f.category, severity, status, f.start))
        items.append(ItemScore(id=it.id, name=it.name, section=it.section, points=it.points, cap=it.cap,
                               fatal=it.fatal, deducted=round(deducted, 2),
                               score=round(it.points - deducted, 2), hits=hits, basis=it.basis))

    raw_total = round(sum(i.score for i in items), 2)
    fatal = bool(fatal_reasons)
    total = rubric.floor if fatal else max(rubric.floor, raw_total)
    total = round(total, 2)
    return Scorecard(
        call_id=call.call_id, agent_id=call.agent_id, team=call.team, week=iso_week(call.started_at),
        started_at=call.started_at, kind=call.kind, rubric=rubric.name, rubric_version=rubric.version,
        max_points=rubric.max_points, items=items, fatal=fatal, fatal_reasons=fatal_reasons,
        raw_total=raw_total, total=total, floor=rubric.floor, pass_mark=rubric.pass_mark,
        grade=rubric.grade_for(total), passed=(not fatal and total >= rubric.pass_mark),
        counted=[f.finding_id for f, _, _ in counted],
        unmatched=[f.finding_id for f, _, _ in counted if f.finding_id not in watched],
        dismissed=dismissed, alerts=alerts, suggested=pending,
    )


# --- the database -----------------------------------------------------------------------------------
def all_call_ids(store: Store) -> list[str]:
    return [r[0] for r in store.conn.execute("SELECT call_id FROM calls ORDER BY started_at, call_id")]


def save_scorecards(store: Store, cards: Sequence[Scorecard]) -> None:
    with store.transaction() as c:
        c.executemany(
            """INSERT INTO scorecards(call_id, rubric, total, grade, fatal, card_json) VALUES (?,?,?,?,?,?)
               ON CONFLICT(call_id) DO UPDATE SET rubric=excluded.rubric, total=excluded.total,
                   grade=excluded.grade, fatal=excluded.fatal, card_json=excluded.card_json,
                   updated_at=strftime('%Y-%m-%dT%H:%M:%fZ','now')""",
            [(k.call_id, f"{k.rubric} v{k.rubric_version}", k.total, k.grade, int(k.fatal),
              json.dumps(k.to_dict(), ensure_ascii=False)) for k in cards],
        )


def score_store(store: Store, call_ids: Optional[Iterable[str]] = None,
                rubric: Optional[Rubric] = None, chunk: int = 500) -> list[Scorecard]:
    """Recompute the scorecards of ``call_ids`` (all calls when None) from the DB's findings and
    reviews, save them (idempotent upsert) and return them.  Unknown call ids are skipped."""
    ids = list(call_ids) if call_ids is not None else all_call_ids(store)
    out: list[Scorecard] = []
    for i in range(0, len(ids), chunk):
        cards = []
        for cid in ids[i:i + chunk]:
            call = store.get_call(cid)
            if call is None:
                continue
            findings = store.findings_for_call(cid)
            states = {f.finding_id: store.review_state(f.finding_id) for f in findings}
            cards.append(score_call(call, findings, rubric, states))
        if cards:
            save_scorecards(store, cards)
        out.extend(cards)
    return out


def load_scorecards(store: Store, call_ids: Optional[Iterable[str]] = None) -> dict[str, Scorecard]:
    """Saved scorecards by call id (only those that exist)."""
    if call_ids is None:
        rows = store.conn.execute("SELECT call_id, card_json FROM scorecards").fetchall()
    else:
        ids = list(call_ids)
        rows = []
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            rows += store.conn.execute(
                f"SELECT call_id, card_json FROM scorecards WHERE call_id IN ({','.join('?' * len(part))})",
                part).fetchall()
    return {r[0]: Scorecard.from_dict(json.loads(r[1])) for r in rows}


# --- aggregates (pandas) ----------------------------------------------------------------------------
def cards_frame(cards: Iterable[Scorecard]):
    """One row per scorecard: call_id, agent_id, team, week, total, grade, passed, fatal, violations."""
    import pandas as pd

    rows = [{"call_id": k.call_id, "agent_id": k.agent_id or "(未知)", "team": k.team or "(未分组)",
             "week": k.week or "(未知)", "kind": k.kind, "total": k.total, "grade": k.grade,
             "passed": bool(k.passed), "fatal": bool(k.fatal), "violations": len(k.counted)}
            for k in cards]
    cols = ["call_id", "agent_id", "team", "week", "kind", "total", "grade", "passed", "fatal", "violations"]
    return pd.DataFrame(rows, columns=cols)


def aggregates(cards: Iterable[Scorecard]) -> dict[str, Any]:
    """Per agent, team and week: calls, mean/min score, pass rate, fatal calls, counted findings."""
    df = cards_frame(cards)
    out = {}
    for key in ("agent_id", "team", "week"):
        if df.empty:
            import pandas as pd
            out[key.replace("_id", "")] = pd.DataFrame(
                columns=[key, "calls", "mean_score", "min_score", "pass_rate", "fatal_calls", "violations"])
            continue
        g = df.groupby(key, sort=True)
        agg = g.agg(calls=("call_id", "count"), mean_score=("total", "mean"), min_score=("total", "min"),
                    pass_rate=("passed", "mean"), fatal_calls=("fatal", "sum"),
                    violations=("violations", "sum")).reset_index()
        agg["mean_score"] = agg["mean_score"].round(2)
        agg["pass_rate"] = agg["pass_rate"].round(4)
        out[key.replace("_id", "")] = agg
    return out


# --- files in, files out (the ``qa-audit score`` command) ------------------------------------------
def _transcript_files(paths: Iterable[Any]) -> list:
    from pathlib import Path

    out = []
    for p in paths:
        p = Path(p)
        out += sorted(p.glob("*.json")) if p.is_dir() else [p]
    return out


def read_findings_jsonl(path: Any) -> tuple[dict[str, list[Finding]], list[dict[str, str]]]:
    """``findings.jsonl`` → ({call_id: [Finding]}, failures naming ``file:line``)."""
    from pathlib import Path

    p = Path(path)
    by_call: dict[str, list[Finding]] = {}
    fails: list[dict[str, str]] = []
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise OSError(f"{p}: cannot read findings: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise ValueError(f"{p}: findings file is not UTF-8") from e
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            f = Finding.from_dict(d)
            if not f.call_id or not f.rule:
                raise ValueError("a finding needs call_id and rule")
        except (json.JSONDecodeError, TypeError, ValueError) as e:
            fails.append({"item": f"{p}:{n}", "error": f"invalid finding: {e}"})
            continue
        by_call.setdefault(f.call_id, []).append(f)
    return by_call, fails


def scores_frame(cards: Sequence[Scorecard]):
    """One row per call with the item scores as columns (English keys: for tools)."""
    import pandas as pd

    rows = []
    item_ids: list[str] = []
    for k in cards:
        row = {"call_id": k.call_id, "agent_id": k.agent_id, "team": k.team, "week": k.week,
               "kind": k.kind, "rubric": f"{k.rubric} v{k.rubric_version}", "max_points": k.max_points,
               "raw_total": k.raw_total, "total": k.total, "grade": k.grade, "passed": k.passed,
               "fatal": k.fatal, "violations": len(k.counted), "dismissed": len(k.dismissed),
               "fatal_reasons": "; ".join(k.fatal_reasons)}
        for it in k.items:
            row[it.id] = it.score
            if it.id not in item_ids:
                item_ids.append(it.id)
        rows.append(row)
    base = ["call_id", "agent_id", "team", "week", "kind", "rubric", "max_points", "raw_total", "total",
            "grade", "passed", "fatal", "violations", "dismissed", "fatal_reasons"]
    return pd.DataFrame(rows, columns=base + item_ids)


def score_paths(transcripts: Iterable[Any], findings_path: Any, out_dir: Any, db: Any = None,
                rubric: Any = None) -> dict[str, Any]:
    """Score transcript files with the findings of ``findings.jsonl``; write
    ``scorecards/<safe_id>.json``, ``scores.csv`` and ``aggregates_{agent,team,week}.csv`` (UTF-8 BOM).
    A transcript that cannot be read is a failure naming the file; the others are scored."""
    from pathlib import Path

    from qa_audit.core.atomic import write_json, write_text
    from qa_audit.core.model import TranscriptError, load_call, safe_id
    from qa_audit.score.rubric import load_rubric

    out = Path(out_dir)
    rub = load_rubric(rubric) if rubric else None
    by_call, fails = read_findings_jsonl(findings_path)
    calls: list[Call] = []
    seen: dict[str, str] = {}
    for p in _transcript_files(transcripts):
        try:
            call = load_call(p)
        except TranscriptError as e:
            fails.append({"item": str(p), "error": str(e)})
            continue
        if call.call_id in seen:
            fails.append({"item": str(p), "error": f"duplicate call_id {call.call_id!r} "
                                                  f"(also in {seen[call.call_id]}); skipped"})
            continue
        seen[call.call_id] = str(p)
        calls.append(call)
    unknown = sorted(set(by_call) - set(seen))
    for cid in unknown:
        fails.append({"item": str(findings_path), "error": f"findings for call {cid!r} with no transcript"})

    if db is not None:
        store = Store(db)
        try:
            with store.transaction() as con:
                for call in calls:
                    store.save_call(call, by_call.get(call.call_id, []), con=con)
            cards = score_store(store, [c.call_id for c in calls], rub)
        finally:
            store.close()
    else:
        cards = [score_call(c, by_call.get(c.call_id, []), rub) for c in calls]

    names: set[str] = set()
    for k in cards:
        name = safe_id(k.call_id)
        while name.lower() in names:
            name += "_"
        names.add(name.lower())
        write_json(out / "scorecards" / f"{name}.json", k.to_dict())
    write_text(out / "scores.csv", scores_frame(cards).to_csv(index=False), encoding="utf-8-sig")
    for key, df in aggregates(cards).items():
        write_text(out / f"aggregates_{key}.csv", df.to_csv(index=False), encoding="utf-8-sig")
    mean = sum(k.total for k in cards) / len(cards) if cards else 0.0
    return {"scored": len(cards), "cards": cards, "failures": fails, "mean": mean,
            "passed": sum(1 for k in cards if k.passed), "fatal": sum(1 for k in cards if k.fatal)}
