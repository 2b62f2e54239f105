"""``qa-audit verify``: does the database still hold what was audited?

    from qa_audit.batch.verify import verify
    rep = verify("history.sqlite3")          # Report: .ok, .problems, .warnings, .counts, .head

On top of the store-level checks (``qa_audit.store.verify``: integrity, hash chain, rows against the
chain, recordings against their sha256) it recomputes every stored scorecard (``score_call`` with the
call's findings and review states) and every referral (``build_referrals(save=False)``) and compares
them with what is stored: a score or a penalty edited by hand, or left stale, shows.

Lives above ``score`` (the store may not import it).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qa_audit.store.verify import Problem, Report, check_store  # noqa: F401 - re-exported


def _norm(obj: Any) -> Any:
    return json.loads(json.dumps(obj, ensure_ascii=False, sort_keys=True))


def first_diff(stored: Any, now: Any, path: str = "") -> str:
    """Where two JSON values first differ: ``items[1].hits[0].status: 存储 'confirmed' ≠ 重算 'dismissed'``."""
    if isinstance(stored, dict) and isinstance(now, dict):
        top = ("total", "grade", "fatal", "passed", "tier", "tier_name", "prior_count", "rubric", "rubric_version")
        for k in [k for k in top if k in stored or k in now] + sorted(set(stored) | set(now)):
            if stored.get(k) != now.get(k):
                return first_diff(stored.get(k), now.get(k), f"{path}.{k}" if path else k)
    elif isinstance(stored, list) and isinstance(now, list):
        for i, (a, b) in enumerate(zip(stored, now)):
            if a != b:
                return first_diff(a, b, f"{path}[{i}]")
        if len(stored) != len(now):
            return f"{path}: 存储 {len(stored)} 项 ≠ 重算 {len(now)} 项"
    def short(v: Any) -> str:
        t = json.dumps(v, ensure_ascii=False)
        return t if len(t) <= 80 else t[:80] + "…"
    return f"{path}: 存储 {short(stored)} ≠ 重算 {short(now)}"


def check_scores(store, rep: Report, rubric: Any = None) -> None:
    from qa_audit.score.scoring import score_call

    rows = store.conn.execute("SELECT call_id, total, grade, fatal, card_json FROM scorecards ORDER BY call_id").fetchall()
    n = 0
    for r in rows:
        cid = r["call_id"]
        call = store.get_call(cid)
        if call is None:
            rep.add("scorecards", cid, "评分表对应的通话不存在", "scorecard without a calls row")
            continue
        findings = store.findings_for_call(cid)
        states = {f.finding_id: store.review_state(f.finding_id) for f in findings}
        try:
            now = _norm(score_call(call, findings, rubric, states).to_dict())
        except Exception as e:  # noqa: BLE001 - a rubric that no longer loads is a finding, not a crash
            rep.add("scorecards", cid, "评分无法重算", f"{type(e).__name__}: {e}")
            continue
        stored = _norm(json.loads(r["card_json"]))
        n += 1
        if stored != now:
            rep.add("scorecards", cid, "评分与按违规记录和复核决定重算的结果不一致", first_diff(stored, now))
        elif (r["total"], r["grade"], bool(r["fatal"])) != (now["total"], now["grade"], bool(now["fatal"])):
            rep.add("scorecards", cid, "评分表的总分/等级列与评分明细不一致",
                    f"columns total={r['total']} grade={r['grade']} fatal={r['fatal']}; card total={now['total']} "
                    f"grade={now['grade']} fatal={now['fatal']}")
    missing = store.conn.execute("SELECT COUNT(*) FROM calls c WHERE NOT EXISTS "
                                 "(SELECT 1 FROM scorecards s WHERE s.call_id=c.call_id) "
                                 "AND EXISTS (SELECT 1 FROM findings f WHERE f.call_id=c.call_id)").fetchone()[0]
    if missing:
        rep.warnings.append(f"{missing} 通有违规记录的电话尚未评分（未校验）")
    rep.counts["scorecards"] = n


def check_referrals(store, rep: Report) -> None:
    from qa_audit.score.penalty import build_referrals

    stored = {r["referral_id"]: r for r in store.conn.execute(
        "SELECT referral_id, agent_id, period, tier, referral_json FROM referrals ORDER BY agent_id, period")}
    try:
        now = {r.referral_id: _norm(r.to_dict()) for r in build_referrals(store, save=False)}
    except Exception as e:  # noqa: BLE001
        rep.add("referrals", "*", "处罚建议无法重算", f"{type(e).__name__}: {e}")
        return
    for rid, r in stored.items():
        label = f"{r['agent_id']} {r['period']}"
        if rid not in now:
            rep.add("referrals", label, "存储的处罚建议按现有记录重算后不应存在",
                    f"referral_id={rid} tier={r['tier']}")
            continue
        s = _norm(json.loads(r["referral_json"]))
        if s != now[rid]:
            rep.add("referrals", label, "处罚建议与重算结果不一致", first_diff(s, now[rid]))
        elif r["tier"] != now[rid]["tier"]:
            rep.add("referrals", label, "处罚建议的档位列与明细不一致", f"column tier={r['tier']} json tier={now[rid]['tier']}")
    for rid in sorted(set(now) - set(stored)):
        d = now[rid]
        rep.add("referrals", f"{d['agent_id']} {d['period']}", "按现有记录应有处罚建议，但数据库中没有",
                f"referral_id={rid} tier={d['tier']} ({d['tier_name']})")
    rep.counts["referrals"] = len(stored)


def verify(db: str | Path | Any, *, audio: bool = True, scores: bool = True, rubric: Any = None) -> Report:
    """Every check; ``db`` is a path or a ``Store``.  Opening errors (locked, read-only, not a database)
    raise ``StoreError``; a damaged file that opens is reported as a problem.  ``rubric``: a ``Rubric``
    or YAML path the scorecards were made with (``qa-audit score --rubric``); default: by call kind."""
    from qa_audit.store.db import Store

    if isinstance(rubric, (str, Path)):
        from qa_audit.score.rubric import load_rubric
        rubric = load_rubric(rubric)
    store = db if isinstance(db, Store) else Store(db)
    rep = check_store(store, audio=audio)
    if scores and not any(p.table == "database" for p in rep.problems):
        con = store.conn
        con.execute("BEGIN")
        try:
            check_scores(store, rep, rubric)
            check_referrals(store, rep)
        finally:
            con.execute("COMMIT")
    return rep


def format_report(rep: Report, path: str, *, show_all: bool = False) -> list[str]:
    lines = [f"校验数据库 {path}"]
    c = rep.counts
    if "chain" in c:
        lines.append(f"  证据链 {c.get('chain', 0)} 条，末端 #{rep.head[0]} sha256 {rep.head[1]}")
        lines.append(f"  通话 {c.get('calls', 0)}，违规记录 {c.get('findings', 0)}，复核记录 {c.get('reviews', 0)}，"
                     f"已校验录音 {c.get('recordings', 0)}")
    if "scorecards" in c:
        lines.append(f"  评分表 {c.get('scorecards', 0)} 张、处罚建议 {c.get('referrals', 0)} 条已重算比对")
    for w in rep.warnings:
        lines.append(f"  注意：{w}")
    if rep.ok:
        lines.append("结果：完好，未发现改动（intact）")
        return lines
    shown = rep.problems if show_all else rep.problems[:1]
    lines.append(f"结果：发现 {len(rep.problems)} 处问题（BROKEN）")
    for p in shown:
        lines.append(f"  {'第一处问题：' if p is rep.problems[0] else ''}{p.line()}")
    if len(rep.problems) > len(shown):
        lines.append(f"  另有 {len(rep.problems) - len(shown)} 处问题（加 --all 列出全部）")
    return lines

