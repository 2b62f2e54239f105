"""Review-app pages of issue 12: 抽检 (sampling), 质量监测 (precision / miss rate), 校准
(calibration, κ) and 单句检查 (the check box).  Registered by ``create_app`` with
``register(app)``; they use the app's session, CSRF and role helpers (``app.state.helpers``).

- ``GET /sample``                    the 抽检 lane: sampled calls of a week and their verdicts; a
  supervisor draws a week's sample (``POST /sample/draw``);
- ``POST /calls/{id}/verdict``       a verdict on a whole call: 抽检 (supervisor, sampled call) or
  calibration (the reviewer's own assignment in an open set);
- ``GET /quality``                   precision per rule and miss rate with Wilson intervals;
- ``GET /calibration``, ``GET /calibration/{set}``, ``POST /calibration``,
  ``POST /calibration/{set}/close``  calibration rounds: κ per category and the disagreements,
  hidden from a round's own reviewers until it is closed;
- ``GET|POST /check``                the rules and the model on a few sentences.

A reviewer with an open calibration assignment on a call sees no one else's decisions on it (no
review status, trail, scorecard, referrals or other verdicts): :func:`call_extras`.
"""
from __future__ import annotations

import re
import threading
from typing import Any, Optional
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from qa_audit.review import agreement as AG
from qa_audit.review import metrics as M
from qa_audit.review import sampling as S
from qa_audit.review import store as R

_WEEK = re.compile(r"^\d{4}-W\d{2}$")
MAX_NOTE = 2000


def call_extras(store, user, call_id: str, call) -> dict[str, Any]:
    """Template context of the call page for verdicts: the forms the user may fill, whether the page
    must hide others' decisions (``blind``) and the verdicts the user may see."""
    mine = R.assignments_for(store, user.username, call_id)
    blind = bool(mine)
    forms = []
    for a in mine:
        forms.append({"purpose": "calibration", "set_id": a["set_id"], "title": f"校准批次“{a['name']}”",
                      "done": a["done"]})
    sampled = S.is_sampled(store, call_id)
    if sampled and user.can("review") and not blind:
        forms.append({"purpose": "sample", "set_id": "", "title": "抽检结论", "done": False})
    allv = R.verdicts(store, call_id=call_id)
    if blind:
        shown = [v for v in allv if v["reviewer"] == user.username]
    else:
        shown = [v for v in allv if v["purpose"] == "sample" or not _set_open(store, v["set_id"])
                 or v["reviewer"] == user.username]
    agent_segs = [(i, s.text[:30]) for i, s in enumerate(call.segments) if s.speaker == "agent"] if call else []
    return {"blind": blind, "verdict_forms": forms, "verdicts_shown": shown, "sampled": sampled,
            "agent_segs": agent_segs, "VERDICT_CATEGORIES": R.VERDICT_CATEGORIES}


def blind_calls(store, username: str) -> set[str]:
    """Calls on which ``username`` must not see others' decisions (open calibration assignments)."""
    return R.blind_calls(store, username)


def _set_open(store, set_id: Optional[str]) -> bool:
    if not set_id:
        return False
    r = store.conn.execute("SELECT status FROM calibration_sets WHERE set_id=?", (set_id,)).fetchone()
    return r is not None and r["status"] == "open"


def register(app: FastAPI) -> None:
    h = app.state.helpers
    store = app.state.store
    R.ensure_schema(store)
    det_lock = threading.Lock()
    det_holder: dict[str, Any] = {}

    def detector():
        with det_lock:
            if "det" not in det_holder:
                from qa_audit.detect.detector import Detector

                det_holder["det"] = Detector.load(second_opinion=True)
            return det_holder["det"]

    app.state.check_detector = detector

    # --- 抽检 ------------------------------------------------------------------------------------
    @app.get("/sample", response_class=HTMLResponse)
    def sample_page(request: Request, week: str = ""):
        user, sess = h.current_user(request)
        h.require(user, "read")
        weeks = S.sample_weeks(store)
        all_weeks = [r[0] for r in store.conn.execute("SELECT DISTINCT week FROM calls WHERE week != '' ORDER BY week DESC")]
        if week and not _WEEK.match(week):
            week = ""
        if not week and weeks:
            week = weeks[0]
        rows = S.sampled_calls(store, week) if week else []
        blind = R.blind_calls(store, user.username)
        info = store.conn.execute("SELECT * FROM audit_sample_weeks WHERE week=?", (week,)).fetchone() if week else None
        return h.render(request, "sample.html", {"user": user, "week": week, "weeks": weeks, "all_weeks": all_weeks,
                                                 "rows": rows, "info": info, "blind": blind,
                                                 "CATEGORY_ZH": M.CATEGORY_ZH}, sess)

    @app.post("/sample/draw")
    async def sample_draw(request: Request):
        user, sess = h.current_user(request)
        form = await request.form()
        h.check_csrf(sess, form.get("csrf"))
        h.require(user, "review")
        week = str(form.get("week") or "").strip()
        if not _WEEK.match(week):
            raise HTTPException(400, "周次格式应为 2026-W48")
        try:
            rate = float(str(form.get("rate") or "0.05"))
        except ValueError:
            raise HTTPException(400, "抽样率必须是 0 到 1 之间的数")
        try:
            s = await run_in_threadpool(S.draw_sample, store, week, rate)
        except R.ReviewError as e:
            raise HTTPException(400, str(e))
        sess["flash"] = [s.describe()]
        resp = RedirectResponse(f"/sample?week={quote(week)}", status_code=303)
        h.set_session(resp, sess)
        return resp

    # --- verdicts ----------------------------------------------------------------------------------
    @app.post("/calls/{call_id}/verdict")
    async def verdict(request: Request, call_id: str):
        user, sess = h.current_user(request)
        form = await request.form()
        h.check_csrf(sess, form.get("csrf"))
        purpose = str(form.get("purpose") or "")
        set_id = str(form.get("set_id") or "") or None
        if store.conn.execute("SELECT 1 FROM calls WHERE call_id=?", (call_id,)).fetchone() is None:
            raise HTTPException(404, "没有这通电话")
        if purpose == "sample":
            h.require(user, "review")
            if not S.is_sampled(store, call_id):
                raise HTTPException(409, "这通电话不在抽检样本中")
            if R.assignments_for(store, user.username, call_id):
                raise HTTPException(409, "这通电话在您的校准任务中，请以校准结论提交")
        elif purpose == "calibration":
            h.require(user, "read")
            if not set_id or not any(a["set_id"] == set_id for a in R.assignments_for(store, user.username, call_id)):
                raise HTTPException(403, "没有分配给您的校准任务（或校准已结束）")
        else:
            raise HTTPException(400, f"未知的复核用途：{purpose[:20]}")
        cats = [str(c) for c in form.getlist("category")]
        seg_raw = str(form.get("segment") or "").strip()
        segment = None
        if seg_raw:
            try:
                segment = int(seg_raw)
            except ValueError:
                raise HTTPException(400, "句号必须是数字")
            call = store.get_call(call_id)
            if call is None or not 0 <= segment < len(call.segments):
                raise HTTPException(400, "没有这一句")
        note = str(form.get("note") or "").strip()[:MAX_NOTE]
        if cats and not note and purpose == "sample":
            raise HTTPException(400, "发现漏检违规时请填写说明")
        try:
            await run_in_threadpool(R.add_verdict, store, call_id, user.username, purpose, cats, segment, note,
                                    set_id)
        except R.ReviewError as e:
            raise HTTPException(400, str(e))
        label = "、".join(M.CATEGORY_ZH.get(c, c) for c in cats) or "未发现违规"
        sess["flash"] = [f"已记录{'抽检' if purpose == 'sample' else '校准'}结论：{label}"]
        resp = RedirectResponse(f"/calls/{quote(call_id, safe='')}#verdict", status_code=303)
        h.set_session(resp, sess)
        return resp

    # --- 质量监测 ------------------------------------------------------------------------------------
    @app.get("/quality", response_class=HTMLResponse)
    def quality_page(request: Request, week: str = ""):
        user, sess = h.current_user(request)
        h.require(user, "read")
        if week and not _WEEK.match(week):
            week = ""
        weeks = [r[0] for r in store.conn.execute("SELECT DISTINCT week FROM calls WHERE week != '' ORDER BY week DESC")]
        m = M.measure(store, week)
        return h.render(request, "quality.html", {"user": user, "week": week, "weeks": weeks, "m": m,
                                                  "CATEGORY_ZH": M.CATEGORY_ZH}, sess)

    # --- 校准 ------------------------------------------------------------------------------------
    @app.get("/calibration", response_class=HTMLResponse)
    def calibration_page(request: Request):
        user, sess = h.current_user(request)
        h.require(user, "read")
        sets = R.calibration_sets(store)
        mine = R.assignments_for(store, user.username, open_only=True)
        users = [r["username"] for r in store.conn.execute(
            "SELECT username FROM users WHERE role IN ('auditor', 'supervisor') ORDER BY username")]
        weeks = [r[0] for r in store.conn.execute("SELECT DISTINCT week FROM calls WHERE week != '' ORDER BY week DESC")]
        return h.render(request, "calibration.html", {"user": user, "sets": sets, "mine": mine, "users": users,
                                                      "weeks": weeks}, sess)

    @app.post("/calibration")
    async def calibration_create(request: Request):
        user, sess = h.current_user(request)
        form = await request.form()
        h.check_csrf(sess, form.get("csrf"))
        h.require(user, "review")
        name = str(form.get("name") or "").strip()[:80] or "校准"
        reviewers = [str(x) for x in form.getlist("reviewer")]
        calls = [c for c in re.split(r"[\s,，;；]+", str(form.get("calls") or "")) if c]
        week = str(form.get("week") or "").strip()
        n_raw = str(form.get("n") or "").strip()
        if not calls and week and n_raw:
            if not _WEEK.match(week):
                raise HTTPException(400, "周次格式应为 2026-W48")
            import random

            ids = [c for c, _ in S.week_calls(store, week)]
            rng = random.Random(f"calibration|{week}|{name}")
            calls = sorted(rng.sample(ids, min(len(ids), max(1, int(n_raw) if n_raw.isdigit() else 10))))
        try:
            set_id = await run_in_threadpool(R.create_calibration_set, store, name, calls, reviewers, user.username)
        except R.ReviewError as e:
            raise HTTPException(400, str(e))
        sess["flash"] = [f"已创建校准批次“{name}”：{len(set(calls))} 通电话 × {len(set(reviewers))} 名质检员"]
        resp = RedirectResponse(f"/calibration/{set_id}", status_code=303)
        h.set_session(resp, sess)
        return resp

    @app.post("/calibration/{set_id}/close")
    async def calibration_close(request: Request, set_id: str):
        user, sess = h.current_user(request)
        form = await request.form()
        h.check_csrf(sess, form.get("csrf"))
        h.require(user, "review")
        R.close_calibration_set(store, set_id)
        sess["flash"] = ["校准批次已结束，各质检员的结论现已公开"]
        resp = RedirectResponse(f"/calibration/{set_id}", status_code=303)
        h.set_session(resp, sess)
        return resp

    @app.get("/calibration/{set_id}", response_class=HTMLResponse)
    def calibration_set(request: Request, set_id: str):
        user, sess = h.current_user(request)
        h.require(user, "read")
        sets = {s["set_id"]: s for s in R.calibration_sets(store)}
        s = sets.get(set_id)
        if s is None:
            raise HTTPException(404, "没有这个校准批次")
        hidden = s["status"] == "open" and user.username in s["reviewers"]
        rep = None if hidden else AG.calibration_report(store, set_id)
        mine = [a for a in R.assignments_for(store, user.username, open_only=False) if a["set_id"] == set_id]
        return h.render(request, "calibration_set.html", {"user": user, "s": s, "rep": rep, "hidden": hidden,
                                                          "mine": mine, "CATEGORY_ZH": M.CATEGORY_ZH}, sess)

    # --- 单句检查 ------------------------------------------------------------------------------------
    @app.get("/check", response_class=HTMLResponse)
    def check_page(request: Request):
        user, sess = h.current_user(request)
        return h.render(request, "check.html", {"user": user, "text": "", "result": None, "error": ""}, sess)

    @app.post("/check", response_class=HTMLResponse)
    async def check_post(request: Request):
        user, sess = h.current_user(request)
        form = await request.form()
        h.check_csrf(sess, form.get("csrf"))
        from qa_audit.detect.check import CheckError, check_turns, parse_turns

        text = str(form.get("text") or "")[:8000]
        try:
            turns = parse_turns([text])
        except CheckError as e:
            return h.render(request, "check.html", {"user": user, "text": text, "result": None, "error": str(e)},
                            sess, status=400)
        det = await run_in_threadpool(detector)
        res = await run_in_threadpool(check_turns, det, turns)
        return h.render(request, "check.html", {"user": user, "text": text, "result": res, "error": ""}, sess)
