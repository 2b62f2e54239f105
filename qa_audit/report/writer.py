"""Reports for audit staff and supervisors: HTML (Jinja2, autoescaped), Excel and CSV.

    paths = write_reports("out/", store, call_ids, failures=[("bad.wav", "truncated audio")])

Writes, every file atomically (``qa_audit/atomic.py``):

- ``summary.html``            totals, pass rate, violations by category / team / agent, score
                              distribution, week-over-week trend (inline SVG charts), failure list;
- ``calls/<safe_id>.html``    one page per flagged call: dialogue with the evidence highlighted
                              (built from char offsets by escaping pieces), findings explained,
                              the scorecard, an ``<audio>`` player when the call has a recording;
- ``referrals/<agent>.html``  printable referral sheets (one A4 page per period);
- ``audit.xlsx``              sheets 通话, 违规明细, 评分, 处罚建议 (frozen header, autofilter, widths);
- ``calls.csv``, ``findings.csv``, ``scores.csv``, ``referrals.csv`` (UTF-8 with BOM).

Transcript text never becomes markup: templates are autoescaped and highlights are lists of plain
text pieces.
"""
from __future__ import annotations

import hashlib
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence
from urllib.parse import quote

from qa_audit.core.atomic import write_bytes, write_text
from qa_audit.core.labels import (KIND_LABELS, RELATION_LABELS, SPEAKER_LABELS, category_label, reason_of,
                                  seconds_label, severity_label, status_label, why_label)
from qa_audit.core.model import ALERT, Call, Finding, safe_id
from qa_audit.core.resources import reports_dir
from qa_audit.report import tables
from qa_audit.report.charts import column_chart, hbar_chart, line_chart
from qa_audit.score.penalty import Referral, fmt_time, load_referrals
from qa_audit.score.rubric import rule_info
from qa_audit.score.scoring import Scorecard, all_call_ids, is_pending_suggestion, load_scorecards, score_store
from qa_audit.store.db import Store

PALETTE = {"threat": "#c0392b", "abuse": "#d35400", "third_party_disclosure": "#8e44ad",
           "unauthorized_waiver": "#2c6fbb", "impersonation": "#16a085", "no_self_identification": "#7f8c8d",
           "dial_frequency": "#b7950b", "audio_quality": "#5d6d7e"}


# --- rendering helpers -----------------------------------------------------------------------------
def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(reports_dir())), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(category=category_label, severity=severity_label, status=status_label,
                       why=why_label, seconds=seconds_label, speaker=lambda s: SPEAKER_LABELS.get(s, s),
                       relation=lambda s: RELATION_LABELS.get(s, s), kind=lambda s: KIND_LABELS.get(s, s),
                       t=fmt_time, pct=lambda x: "—" if x is None else f"{100 * x:.1f}%",
                       num=lambda x: "—" if x is None else (f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"),
                       color=lambda c: PALETTE.get(c, "#34495e"))
    return env


def highlight_pieces(text: str, findings: Sequence[tuple[int, Finding]]) -> list[dict[str, Any]]:
    """Split ``text`` at the findings' char offsets into plain-text pieces.

    Each piece: ``{"text": str, "marks": [finding numbers], "category": first mark's category}``.
    Offsets outside the text are ignored; when ``text[char_start:char_end]`` is not the evidence the
    evidence is looked up in the text instead (ASR text may have been re-normalized).
    """
    spans: list[tuple[int, int, int, str]] = []
    for num, f in findings:
        a, b = f.char_start, f.char_end
        ok = isinstance(a, int) and isinstance(b, int) and 0 <= a < b <= len(text)
        if ok and f.evidence and text[a:b] != f.evidence:
            ok = False
        if not ok and f.evidence:
            pos = text.find(f.evidence)
            if pos >= 0:
                a, b, ok = pos, pos + len(f.evidence), True
        if ok:
            spans.append((a, b, num, f.category))
    if not spans:
        return [{"text": text, "marks": [], "category": ""}] if text else []
    cuts = sorted({0, len(text)} | {a for a, _, _, _ in spans} | {b for _, b, _, _ in spans})
    pieces = []
    for x, y in zip(cuts, cuts[1:]):
        marks = [(n, c) for a, b, n, c in spans if a <= x and y <= b]
        pieces.append({"text": text[x:y], "marks": [n for n, _ in marks],
                       "category": marks[0][1] if marks else ""})
    return pieces


# --- gathering ----------------------------------------------------------------------------------------
@dataclass
class CallView:
    call: Call
    week: str
    card: Optional[Scorecard]
    findings: list[tuple[Finding, dict[str, Any]]] = field(default_factory=list)
    page: str = ""  # relative path of its page, "" when none

    @property
    def counted(self) -> list[tuple[Finding, dict[str, Any]]]:
        """Violations that count (not dismissed; alerts are not violations; a model suggestion only
        once a supervisor confirmed it)."""
        return [(f, s) for f, s in self.findings if s["status"] != "dismissed" and f.severity != ALERT
                and not is_pending_suggestion(f, s["status"])]

    @property
    def alerts(self) -> list[tuple[Finding, dict[str, Any]]]:
        """Customer-side alerts (预警: complaint risk, vulnerable customer) not dismissed as wrong."""
        return [(f, s) for f, s in self.findings if s["status"] != "dismissed" and f.severity == ALERT]


def _unique_names(keys: Iterable[str]) -> dict[str, str]:
    """key -> safe file stem, unique even when two keys sanitize to the same name."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for k in sorted(set(keys)):
        s = safe_id(k) if k else "unknown"
        if s.lower() in used:
            s = f"{s[:100]}_{hashlib.sha1(k.encode('utf-8')).hexdigest()[:8]}"
        used.add(s.lower())
        out[k] = s
    return out


def _gather(store: Store, call_ids: Sequence[str]) -> list[CallView]:
    cards = load_scorecards(store, call_ids)
    missing = [c for c in call_ids if c not in cards]
    if missing:
        for k in score_store(store, missing):
            cards[k.call_id] = k
    views = []
    for cid in call_ids:
        row = store.conn.execute("SELECT week FROM calls WHERE call_id=?", (cid,)).fetchone()
        call = store.get_call(cid)
        if call is None:
            continue
        fs = store.findings_for_call(cid)
        views.append(CallView(call=call, week=row["week"] if row else "", card=cards.get(cid),
                              findings=[(f, store.review_state(f.finding_id)) for f in fs]))
    return views


def _failures(failures: Iterable[Any]) -> list[dict[str, str]]:
    out = []
    for x in failures or ():
        if isinstance(x, Mapping):
            item = x.get("item") or x.get("path") or x.get("file") or x.get("call_id") or ""
            reason = x.get("error") or x.get("reason") or x.get("message") or ""
        elif isinstance(x, (tuple, list)) and len(x) >= 2:
            item, reason = x[0], x[1]
        else:
            item, reason = getattr(x, "item", getattr(x, "path", x)), getattr(x, "error", "")
        out.append({"item": str(item), "reason": str(reason)})
    return out


def _trend(store: Store, last_week: str, weeks: int = 12) -> list[dict[str, Any]]:
    """Per week (history in the DB up to ``last_week``): calls, mean score, pass rate, violation calls."""
    rows = store.conn.execute(
        """SELECT c.week AS week, COUNT(*) AS calls, AVG(s.total) AS mean_score,
                  SUM(CASE WHEN s.card_json IS NULL THEN NULL
                           WHEN json_extract(s.card_json, '$.passed') THEN 1 ELSE 0 END) AS passed,
                  COUNT(s.call_id) AS scored,
                  SUM(CASE WHEN EXISTS (SELECT 1 FROM findings f WHERE f.call_id=c.call_id
                                                 AND f.severity != 'alert') THEN 1 ELSE 0 END)
                      AS flagged
           FROM calls c LEFT JOIN scorecards s ON s.call_id=c.call_id
           WHERE c.week != '' AND c.week <= ? GROUP BY c.week ORDER BY c.week""", (last_week,)).fetchall()
    out = [{"week": r["week"], "calls": r["calls"], "mean_score": r["mean_score"],
            "pass_rate": (r["passed"] / r["scored"]) if r["scored"] else None, "flagged": r["flagged"]}
           for r in rows]
    return out[-weeks:]


# --- tables for Excel / CSV ----------------------------------------------------------------------------
# --- the entry point ------------------------------------------------------------------------------------
def write_reports(out_dir: str | os.PathLike, store: Store, call_ids: Optional[Iterable[str]] = None,
                  failures: Iterable[Any] = (), run_info: Optional[Mapping[str, Any]] = None
                  ) -> dict[str, Path]:
    """Write every report for ``call_ids`` (None = every call in the DB) into ``out_dir``.

    Returns ``{"summary": path, "xlsx": path, "calls_csv": …, "call:<id>": path, "referral:<agent>": path}``.
    """
    out = Path(out_dir)
    ids = list(dict.fromkeys(call_ids)) if call_ids is not None else all_call_ids(store)
    views = _gather(store, ids)
    fails = _failures(failures)
    env = _env()
    paths: dict[str, Path] = {}
    generated = datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S %z")

    # referrals of the batch's agents and weeks (build_referrals saved them)
    agents = {v.call.agent_id for v in views}
    weeks = {v.week for v in views if v.week}
    refs = load_referrals(store, agent_ids=agents, periods=weeks) if views else []
    ref_names = _unique_names(r.agent_id for r in refs)
    ref_by_agent: dict[str, list[Referral]] = defaultdict(list)
    for r in refs:
        ref_by_agent[r.agent_id].append(r)

    # call pages
    flagged = [v for v in views if v.findings]
    call_names = _unique_names(v.call.call_id for v in flagged)
    tpl_call = env.get_template("call.html.j2")
    for v in flagged:
        v.page = f"calls/{call_names[v.call.call_id]}.html"
        p = out / v.page
        html = tpl_call.render(**_call_context(v, p.parent, ref_names, ref_by_agent), generated=generated,
                               run_info=dict(run_info or {}))
        paths[f"call:{v.call.call_id}"] = write_text(p, html)

    # referral sheets
    tpl_ref = env.get_template("referral.html.j2")
    call_pages = {v.call.call_id: v.page for v in views if v.page}
    for agent, items in sorted(ref_by_agent.items()):
        p = out / "referrals" / f"{ref_names[agent]}.html"
        html = tpl_ref.render(agent=agent, referrals=items, call_pages=call_pages, generated=generated,
                              run_info=dict(run_info or {}))
        paths[f"referral:{agent}"] = write_text(p, html)

    # tables: audit.xlsx and one CSV per sheet
    sheets = tables.frames(views, refs)
    paths["xlsx"] = write_bytes(out / "audit.xlsx", tables.excel_bytes(sheets))
    for sheet, fname in tables.SHEETS.items():
        paths[fname.replace(".csv", "_csv")] = write_text(out / fname, tables.csv_text(sheets[sheet]),
                                                          encoding="utf-8-sig")

    # summary
    ctx = _summary_context(store, views, refs, ref_names, fails, run_info)
    html = env.get_template("summary.html.j2").render(**ctx, generated=generated)
    paths["summary"] = write_text(out / "summary.html", html)
    return paths


def _rel_url(target: str, base: Path) -> str:
    """A relative URL from the folder ``base`` to the file ``target`` (absolute file: URL if none)."""
    t = Path(target)
    try:
        rel = os.path.relpath(t.resolve(), base.resolve())
        return quote(rel.replace(os.sep, "/"))
    except ValueError:  # another drive
        return t.resolve().as_uri()


def _call_context(v: CallView, page_dir: Path, ref_names: Mapping[str, str],
                  ref_by_agent: Mapping[str, list[Referral]]) -> dict[str, Any]:
    call = v.call
    numbered = list(enumerate((f for f, _ in v.findings), start=1))
    by_seg: dict[Optional[int], list[tuple[int, Finding]]] = defaultdict(list)
    for n, f in numbered:
        by_seg[f.segment].append((n, f))
    turns = []
    for i, s in enumerate(call.segments):
        marks = by_seg.get(i, [])
        turns.append({"index": i, "seg": s, "pieces": highlight_pieces(s.text, marks),
                      "numbers": [n for n, _ in marks]})
    findings = []
    for n, (f, st) in enumerate(v.findings, start=1):
        info = rule_info(f.rule)
        findings.append({"n": n, "f": f, "reason": reason_of(f), "status": st["status"],
                         "severity": st.get("severity") or f.severity,
                         "overridden": bool(st.get("severity")) and st.get("severity") != f.severity,
                         "rule_name": info.get("name", ""), "basis": info.get("basis", ""),
                         "call_level": f.segment is None})
    audio_url = _rel_url(call.audio, page_dir) if call.audio else ""
    agent_ref = ""
    if call.agent_id in ref_names and any(r.period == v.week for r in ref_by_agent.get(call.agent_id, [])):
        agent_ref = f"../referrals/{ref_names[call.agent_id]}.html"
    return {"v": v, "call": call, "card": v.card, "turns": turns, "findings": findings,
            "audio_url": audio_url, "agent_ref": agent_ref}


def _summary_context(store: Store, views: Sequence[CallView], refs: Sequence[Referral],
                     ref_names: Mapping[str, str], fails: list[dict[str, str]],
                     run_info: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    cards = [v.card for v in views if v.card]
    n = len(views)
    counted = [(v, f, st) for v in views for f, st in v.counted]
    cat_counts = Counter(f.category for _, f, _ in counted)
    team_counts = Counter((v.call.team or "(未分组)") for v, _, _ in counted)
    agent_counts = Counter((v.call.agent_id or "(未知)") for v, _, _ in counted)
    passed = sum(1 for k in cards if k.passed)
    fatal = sum(1 for k in cards if k.fatal)
    mean = sum(k.total for k in cards) / len(cards) if cards else None

    # score distribution: 0-9, 10-19, …, 90-100
    bins = [0] * 10
    for k in cards:
        bins[min(9, int(max(0.0, k.total) // 10))] += 1
    dist = [(f"{10 * i}–{10 * i + 9}" if i < 9 else "90–100", c) for i, c in enumerate(bins)]
    dist_colors = ["#c0392b"] * 6 + ["#d4ac0d", "#d4ac0d", "#27ae60", "#27ae60"]

    weeks = sorted({v.week for v in views if v.week})
    trend = _trend(store, weeks[-1]) if weeks else []

    # per agent / per team tables
    def table(key) -> list[dict[str, Any]]:
        groups: dict[str, list[CallView]] = defaultdict(list)
        for v in views:
            groups[key(v)].append(v)
        rows = []
        for g, vs in groups.items():
            ks = [v.card for v in vs if v.card]
            rows.append({"key": g, "calls": len(vs), "flagged": sum(1 for v in vs if v.counted),
                         "violations": sum(len(v.counted) for v in vs),
                         "alerts": sum(len(v.alerts) for v in vs),
                         "alert_calls": sum(1 for v in vs if v.alerts),
                         # calls with an alert of each kind (one call = one follow-up)
                         "complaint_risk": sum(1 for v in vs if any(f.category == "complaint_risk"
                                                                      for f, _ in v.alerts)),
                         "vulnerable_customer": sum(1 for v in vs if any(f.category == "vulnerable_customer"
                                                                           for f, _ in v.alerts)),
                         "mean": (sum(k.total for k in ks) / len(ks)) if ks else None,
                         "pass_rate": (sum(1 for k in ks if k.passed) / len(ks)) if ks else None,
                         "fatal": sum(1 for k in ks if k.fatal)})
        rows.sort(key=lambda r: (-r["violations"], r["key"]))
        return rows

    agent_rows = table(lambda v: v.call.agent_id or "(未知)")
    ref_tier = {}
    for r in refs:
        if r.tier > ref_tier.get(r.agent_id, (0, ""))[0]:
            ref_tier[r.agent_id] = (r.tier, r.tier_name)
    for row in agent_rows:
        t = ref_tier.get(row["key"])
        row["tier"] = f"第{t[0]}档 {t[1]}" if t else ""
        row["ref_page"] = f"referrals/{ref_names[row['key']]}.html" if row["key"] in ref_names else ""
    team_rows = table(lambda v: v.call.team or "(未分组)")

    cats = cat_counts.most_common()
    charts = {
        "category": hbar_chart([(category_label(c), n_) for c, n_ in cats], "违规类别分布",
                               colors=[PALETTE.get(c, "#34495e") for c, _ in cats]),
        "team": hbar_chart(team_counts.most_common(12), "各团队违规数", color="#1f3a5f"),
        "agent": hbar_chart(agent_counts.most_common(15), "坐席违规数（前 15）", color="#8e44ad"),
        "dist": column_chart(dist, "得分分布（通话数）", colors=dist_colors),
        "trend": line_chart([t["week"] for t in trend],
                            [("平均得分", [t["mean_score"] for t in trend], "#2c6fbb"),
                             ("合格率(%)", [None if t["pass_rate"] is None else 100 * t["pass_rate"]
                                           for t in trend], "#27ae60"),
                             ("标记率(%)", [100 * t["flagged"] / t["calls"] if t["calls"] else None
                                           for t in trend], "#c0392b")],
                            "周趋势（历史库）"),
    }
    flagged = sorted((v for v in views if v.findings),
                     key=lambda v: (v.card.total if v.card else 0, v.call.call_id))
    return {"n_calls": n, "n_flagged": sum(1 for v in views if v.counted), "n_violations": len(counted),
            "n_alerts": sum(len(v.alerts) for v in views),
            "pass_rate": passed / len(cards) if cards else None, "n_passed": passed, "n_fatal": fatal,
            "mean_score": mean, "n_referrals": len(refs), "failures": fails, "charts": charts,
            "agent_rows": agent_rows, "team_rows": team_rows, "trend": trend, "flagged": flagged,
            "referrals": sorted(refs, key=lambda r: (-r.tier, r.agent_id, r.period)),
            "ref_names": ref_names, "weeks": weeks, "run_info": dict(run_info or {}),
            "categories": [(c, category_label(c), n_) for c, n_ in cats],
            "production": _production(store, weeks)}


def _production(store: Store, weeks: Sequence[str]) -> list[dict[str, Any]]:
    """Per week of the batch: 抽检 miss rate and the rules' precision from supervisors' decisions
    (``qa_audit.review.metrics``); weeks without any decision or sample are left out."""
    try:
        from qa_audit.review.metrics import measure
    except ImportError:  # pragma: no cover
        return []
    out = []
    for w in weeks:
        m = measure(store, w)
        decided = [r for r in m.rules if r.confirmed + r.dismissed]
        if not m.sampled and not decided:
            continue
        est = m.estimated_missed()
        out.append({"week": w, "sampled": m.sampled, "reviewed": m.sample_reviewed, "unflagged": m.unflagged,
                    "miss": m.miss, "missed": est, "rules": decided})
    return out
