"""The supervisor review web app (FastAPI + Jinja2).

    from qa_audit.web import create_app
    app = create_app("history.sqlite3")      # uvicorn.run(app, host="127.0.0.1", port=8765)

Security model:

- every page needs a login (accounts in the Store's ``users`` table, see ``qa_audit.web.auth``);
  sessions are server-side (``qa_audit.web.sessions``: a ``sessions`` table, ended at logout, a new
  id at every login, 12 hours at most); the cookie (signed with the per-database ``meta.web_secret``,
  ``HttpOnly``, ``SameSite=Strict``) carries only the session id, or before login the CSRF token;
- 5 failed logins lock the user name for 15 minutes (``login_failures`` table);
- every POST form carries the session's CSRF token, compared with ``hmac.compare_digest``; a missing
  or wrong token is refused with 403;
- roles (``auth.PERMISSIONS``): auditor reads, supervisor reviews and takes final decisions, trainer
  sees redacted excerpts, agent sees own calls and appeals; anything else is 403;
- audio is served only for calls in the database, by the path stored there (never a path from the
  request), with HTTP Range support so the player can seek.
"""
from __future__ import annotations

import hmac
import mimetypes
import re
import secrets
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Optional
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeTimedSerializer

from qa_audit.web import auth
from qa_audit.core.labels import (CATEGORY_LABELS, RELATION_LABELS, SEVERITY_LABELS, SPEAKER_LABELS, STATUS_LABELS,
                                  reason_of, seconds_label)
from qa_audit.core.model import ALERT, SEVERITIES
from qa_audit.store.db import Store
from qa_audit.web import pages
from qa_audit.web import queries as Q
from qa_audit.web.sessions import LOCKOUT_S, Sessions

HERE = Path(__file__).resolve().parent
COOKIE = "qa_session"
SESSION_MAX_AGE = 12 * 3600
LOCKOUT_MIN = LOCKOUT_S // 60
QUEUE_LIMIT = 500
MAX_TEXT = 2000

# what a reviewer may set: an alert is not a violation, and a violation cannot be turned into one
REVIEW_SEVERITIES = tuple(s for s in SEVERITIES if s != ALERT)
LANES = {"rules": "违规复核", "alert": "预警", "suggested": "模型建议（待确认，不计分）"}  # queue lanes (Q.LANES)
ACTION_LABELS = {"confirm": "确认违规", "dismiss": "驳回（误报）", "severity": "调整严重度", "comment": "备注",
                 "appeal": "坐席申诉", "final_uphold": "终审：维持", "final_overturn": "终审：撤销"}
ROLE_LABELS = {"auditor": "质检员", "supervisor": "主管", "trainer": "培训师", "agent": "坐席"}


class NeedLogin(Exception):
    pass


def _fmt_t(t: Optional[float]) -> str:
    if t is None:
        return "--:--"
    t = max(0.0, float(t))
    return f"{int(t // 60):02d}:{int(t % 60):02d}"


def create_app(db: str | Path, *, clip_dir: str | Path | None = None, secure_cookies: bool = False) -> FastAPI:
    """The app over the database ``db``.  ``secure_cookies``: mark the session cookie ``Secure`` (set it
    when the app is served behind HTTPS)."""
    store = Store(db)
    signer = URLSafeTimedSerializer(auth.secret_key(store), salt="qa-audit-session")
    app = FastAPI(title="qa-audit 复核", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(CATEGORY_LABELS=CATEGORY_LABELS, SEVERITY_LABELS=SEVERITY_LABELS,
                                 STATUS_LABELS=STATUS_LABELS, ACTION_LABELS=ACTION_LABELS,
                                 SPEAKER_LABELS=SPEAKER_LABELS, ROLE_LABELS=ROLE_LABELS,
                                 RELATION_LABELS=RELATION_LABELS, SEVERITIES=REVIEW_SEVERITIES, LANES=LANES, fmt_t=_fmt_t,
                                 reason_of=reason_of, seconds=seconds_label)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    clips = Path(clip_dir) if clip_dir else Path(tempfile.mkdtemp(prefix="qa-audit-clips-"))
    excerpt_index: dict[str, Any] = {}  # excerpt_id -> Excerpt, filled when the trainer page renders
    sessions = app.state.sessions = Sessions(store, max_age=SESSION_MAX_AGE)

    # --- sessions -----------------------------------------------------------------------------------
    def load_session(request: Request) -> dict[str, Any]:
        """The server-side session of a logged-in browser (with ``_sid``), else the anonymous
        cookie data (only the login form's CSRF token ``c``); {} when there is neither."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return {}
        try:
            data = signer.loads(raw, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return {}
        if not isinstance(data, dict):
            return {}
        if "sid" in data:
            return sessions.get(data["sid"]) or {}  # ended (logout) or expired: logged out
        return {"c": data["c"]} if isinstance(data.get("c"), str) else {}

    def set_session(resp: Response, data: dict[str, Any]) -> None:
        if data.get("_sid"):
            sessions.save(data["_sid"], data)
            value = signer.dumps({"sid": data["_sid"]})
        else:
            value = signer.dumps({"c": data.get("c", "")})
        resp.set_cookie(COOKIE, value, max_age=SESSION_MAX_AGE, httponly=True,
                        samesite="strict", secure=secure_cookies, path="/")

    def current_user(request: Request) -> tuple[auth.User, dict[str, Any]]:
        sess = load_session(request)
        user = auth.get_user(store, sess["u"]) if sess.get("u") else None
        if user is None:
            raise NeedLogin()
        return user, sess

    def require(user: auth.User, *perms: str) -> None:
        if not any(user.can(p) for p in perms):
            raise HTTPException(403, f"角色“{ROLE_LABELS.get(user.role, user.role)}”无权执行此操作")

    def check_csrf(sess: dict[str, Any], token: Any) -> None:
        expected = sess.get("c") or ""
        if not expected or not isinstance(token, str) or not hmac.compare_digest(expected, token):
            raise HTTPException(403, "表单令牌无效或缺失（CSRF），请刷新页面后重试")

    def can_see_call(user: auth.User, agent_id: str) -> bool:
        if user.can("read"):
            return True
        return user.can("read_own") and bool(user.agent_id) and user.agent_id == agent_id

    def render(request: Request, name: str, ctx: dict[str, Any], sess: dict[str, Any],
               status: int = 200) -> HTMLResponse:
        flash = sess.pop("flash", None)
        ctx = dict(ctx, request=request, csrf=sess.get("c", ""), flash=flash or [])
        resp = templates.TemplateResponse(request, name, ctx, status_code=status)
        if flash is not None:
            set_session(resp, sess)
        return resp

    # --- errors and headers -------------------------------------------------------------------------
    @app.exception_handler(NeedLogin)
    async def _need_login(request: Request, exc: NeedLogin):
        if request.method == "GET" and not request.url.path.startswith("/audio"):
            nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(nxt)}", status_code=303)
        return Response("需要登录", status_code=401, media_type="text/plain; charset=utf-8")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        sess = load_session(request)
        user = auth.get_user(store, sess["u"]) if sess.get("u") else None
        return templates.TemplateResponse(
            request, "error.html", {"request": request, "status": exc.status_code, "detail": exc.detail,
                                    "user": user, "csrf": sess.get("c", ""), "flash": []},
            status_code=exc.status_code)

    @app.middleware("http")
    async def _headers(request: Request, call_next):
        resp = await call_next(request)
        resp.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith(("/static", "/audio", "/excerpts/clip")):
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    # --- login --------------------------------------------------------------------------------------
    def _safe_next(nxt: str) -> str:
        return nxt if nxt.startswith("/") and not nxt.startswith("//") and "\\" not in nxt else "/"

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/"):
        sess = load_session(request)
        if not sess.get("c"):
            sess = {"c": secrets.token_urlsafe(32)}
        resp = render(request, "login.html", {"user": None, "next": _safe_next(next), "error": ""}, sess)
        set_session(resp, sess)
        return resp

    @app.post("/login")
    async def login(request: Request):
        form = await request.form()
        sess = load_session(request)
        check_csrf(sess, form.get("csrf"))
        username = str(form.get("username") or "").strip()[:64]
        nxt = _safe_next(str(form.get("next") or "/"))
        wait = sessions.locked_for(username)
        if wait > 0:
            return render(request, "login.html", {"user": None, "next": nxt, "error":
                          f"该账号连续登录失败次数过多，已锁定 {LOCKOUT_MIN} 分钟，请约 {int(wait // 60) + 1} 分钟后再试"},
                          sess, status=429)
        user = await run_in_threadpool(auth.authenticate, store, username, str(form.get("password") or ""))
        if user is None:
            sessions.failed(username)
            return render(request, "login.html", {"user": None, "next": nxt, "error": "用户名或密码错误"},
                          sess, status=401)
        sessions.succeeded(username)
        sessions.end(sess.get("_sid"))  # a new session id at every login
        _, new = sessions.create(user.username)
        resp = RedirectResponse(nxt, status_code=303)
        set_session(resp, new)
        return resp

    @app.post("/logout")
    async def logout(request: Request):
        form = await request.form()
        sess = load_session(request)
        check_csrf(sess, form.get("csrf"))
        sessions.end(sess.get("_sid"))  # the cookie is worthless from now on
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE, path="/")
        return resp

    @app.get("/")
    def home(request: Request):
        user, _ = current_user(request)
        return RedirectResponse("/excerpts" if user.role == "trainer" else "/queue", status_code=303)

    # --- queue --------------------------------------------------------------------------------------
    @app.get("/queue", response_class=HTMLResponse)
    def queue_page(request: Request, week: str = "", team: str = "", agent: str = "",
                         category: str = "", severity: str = "", status: str = "", lane: str = "rules"):
        user, sess = current_user(request)
        require(user, "read", "read_own")
        only = None if user.can("read") else (user.agent_id or "\0")
        flt = Q.QueueFilters(week=week, team=team, agent=agent, category=category,
                             severity=severity if severity in REVIEW_SEVERITIES else "",
                             status=status if status in Q.REVIEW_STATUSES else "",
                             lane=lane if lane in Q.LANES else "rules")
        rows = Q.queue(store, flt, only_agent=only, limit=QUEUE_LIMIT + 1)
        return render(request, "queue.html", {"user": user, "rows": rows[:QUEUE_LIMIT], "f": flt,
                                              "truncated": len(rows) > QUEUE_LIMIT, "limit": QUEUE_LIMIT,
                                              "options": Q.filter_options(store, only),
                                              "blind": pages.blind_calls(store, user.username)}, sess)

    # --- call page ----------------------------------------------------------------------------------
    @app.get("/calls/{call_id}", response_class=HTMLResponse)
    def call_page(request: Request, call_id: str):
        user, sess = current_user(request)
        require(user, "read", "read_own")
        row = Q.call_row(store, call_id)
        if row is None:
            raise HTTPException(404, "没有这通电话")
        if not can_see_call(user, row["agent_id"]):
            raise HTTPException(403, "只能查看本人的通话")
        call = store.get_call(call_id)
        findings = store.findings_for_call(call_id)
        ids = [f.finding_id for f in findings]
        states = Q.review_states(store, ids)
        trail = Q.audit_trail(store, ids)
        card = Q.scorecard(store, call_id)
        if card is None and findings:
            try:  # a call scanned but never scored: score it now (derived data, no referrals)
                from qa_audit.score.scoring import score_store

                score_store(store, [call_id])
                card = Q.scorecard(store, call_id)
            except Exception:  # noqa: BLE001 - the page still shows the findings
                Q.log.exception("scoring %s failed", call_id)
        segs = []
        for i, s in enumerate(call.segments):
            segs.append({"i": i, "start": s.start, "end": s.end, "speaker": s.speaker,
                         "pieces": _pieces(s.text, [f for f in findings if f.segment == i])})
        has_audio = bool(row["audio"]) and Path(row["audio"]).is_file()
        fviews = []
        for f in findings:
            t = f.start if f.start is not None else (call.segments[f.segment].start
                                                     if f.segment is not None and 0 <= f.segment < len(call.segments)
                                                     else None)
            st = states[f.finding_id]
            fviews.append({"f": f, "t": t, "state": st, "severity": st["severity"] or f.severity,
                           "trail": trail[f.finding_id],
                           "finalised": any(r["action"].startswith("final_") for r in trail[f.finding_id])})
        refs = Q.referrals_for(store, row["agent_id"], row["week"]) if row["agent_id"] else []
        return render(request, "call.html", {"user": user, "call": call, "row": row, "segs": segs,
                                             "findings": fviews, "card": card, "has_audio": has_audio,
                                             "referrals": refs, "states": states,
                                             **pages.call_extras(store, user, call_id, call)}, sess)

    # --- decisions ----------------------------------------------------------------------------------
    @app.post("/findings/{finding_id}/review")
    async def review(request: Request, finding_id: str):
        user, sess = current_user(request)
        form = await request.form()
        check_csrf(sess, form.get("csrf"))
        f = Q.finding(store, finding_id)
        if f is None:
            raise HTTPException(404, "没有这条违规记录")
        row = Q.call_row(store, f.call_id)
        action = str(form.get("action") or "")
        reason = str(form.get("reason") or "").strip()[:MAX_TEXT]
        comment = str(form.get("comment") or "").strip()[:MAX_TEXT]
        severity = str(form.get("severity") or "").strip()
        state = store.review_state(finding_id)
        if action in ("confirm", "dismiss", "severity", "comment"):
            require(user, "review")
        elif action == "appeal":
            require(user, "appeal")
            if not can_see_call(user, row["agent_id"]) or user.can("read"):
                raise HTTPException(403, "只能对本人通话中的违规提出申诉")
            if state["status"] != "confirmed":
                raise HTTPException(409, "只能对已确认的违规提出申诉")
            if _finalised(store, finding_id):
                raise HTTPException(409, "已终审的违规不能再次申诉")
        elif action in ("final_uphold", "final_overturn"):
            require(user, "final")
            if state["status"] != "appealed":
                raise HTTPException(409, "只有申诉中的违规才能终审")
        else:
            raise HTTPException(400, f"未知操作：{action[:40]}")
        if action == "dismiss" and not reason:
            raise HTTPException(400, "驳回必须填写理由")
        if action == "appeal" and not reason:
            raise HTTPException(400, "申诉必须填写理由")
        if action == "final_overturn" and not reason:
            raise HTTPException(400, "终审撤销必须填写理由")
        if action == "comment" and not comment:
            raise HTTPException(400, "备注不能为空")
        if action == "severity":
            if severity not in REVIEW_SEVERITIES or f.severity == ALERT:
                raise HTTPException(400, "预警不设严重度" if f.severity == ALERT or severity == ALERT
                                    else f"无效的严重度：{severity[:20]}")
        else:
            severity = ""
        await run_in_threadpool(store.add_review, finding_id, user.username, action, severity=severity or None,
                                reason=reason or None, comment=comment or None)
        warnings = await run_in_threadpool(Q.recompute, store, f.call_id)
        sess["flash"] = [f"已记录：{ACTION_LABELS[action]}（{f.rule}）"] + warnings
        resp = RedirectResponse(f"/calls/{quote(f.call_id, safe='')}#f-{finding_id}", status_code=303)
        set_session(resp, sess)
        return resp

    # --- audio --------------------------------------------------------------------------------------
    @app.get("/audio/{call_id}")
    def audio(request: Request, call_id: str):
        user, _ = current_user(request)
        require(user, "read", "read_own")
        row = Q.call_row(store, call_id)
        if row is None:
            raise HTTPException(404, "没有这通电话")
        if not can_see_call(user, row["agent_id"]):
            raise HTTPException(403, "只能收听本人的通话")
        if not row["audio"] or not Path(row["audio"]).is_file():
            raise HTTPException(404, "这通电话没有录音文件")
        return range_response(request, Path(row["audio"]))

    # --- trainer excerpts ---------------------------------------------------------------------------
    @app.get("/excerpts", response_class=HTMLResponse)
    def excerpts_page(request: Request, status: str = "any", good: int = 1):
        user, sess = current_user(request)
        require(user, "excerpts")
        from qa_audit.report import excerpts as E

        cats = [c for c in request.query_params.getlist("category") if c]
        if status not in E.STATUSES:
            status = "any"
        exs = E.build_excerpts(store, cats, status, limit=100)
        if good:
            exs += E.good_practice_excerpts(store, limit=20)
        for ex in exs:
            excerpt_index[ex.excerpt_id] = ex
        items = [{"ex": ex, "html": E.render_html_body(
            ex, f"/excerpts/clip/{ex.excerpt_id}.wav" if ex.audio_path and Path(ex.audio_path).is_file() else None)}
            for ex in exs]
        opts = sorted({r[0] for r in store.conn.execute("SELECT DISTINCT category FROM findings")})
        return render(request, "excerpts.html", {"user": user, "items": items, "cats": cats,
                                                 "status": status, "options": opts, "good": good}, sess)

    @app.get("/excerpts/clip/{name}")
    def excerpt_clip(request: Request, name: str):
        user, _ = current_user(request)
        require(user, "excerpts")
        from qa_audit.report import excerpts as E

        m = re.fullmatch(r"(ex_[0-9a-f]{10})\.wav", name)
        ex = excerpt_index.get(m.group(1)) if m else None
        if ex is None or not ex.audio_path:
            raise HTTPException(404, "没有这个片段（请先打开案例库页面）")
        out = clips / f"{ex.excerpt_id}.wav"
        if not out.is_file():
            try:
                E.cut_clip(ex.audio_path, ex.clip_start, ex.clip_end, ex.beeps, out)
            except E.ExcerptError:
                raise HTTPException(404, "录音无法截取")
        return range_response(request, out)

    # 抽检, 质量监测, 校准 and 单句检查 (qa_audit/web/pages.py) use the helpers above
    app.state.helpers = SimpleNamespace(current_user=current_user, require=require, check_csrf=check_csrf,
                                        render=render, set_session=set_session)
    pages.register(app)
    return app


def _finalised(store: Store, finding_id: str) -> bool:
    return store.conn.execute("SELECT 1 FROM reviews WHERE finding_id=? AND action IN ('final_uphold', 'final_overturn')",
                              (finding_id,)).fetchone() is not None


def _pieces(text: str, findings: list) -> list[dict[str, Any]]:
    """Split a segment's text at the findings' evidence spans; each piece lists the findings that
    cover it.  Pieces are plain strings: the template escapes them (never raw markup)."""
    spans = []
    for f in findings:
        if f.char_start is None or f.char_end is None:
            continue
        a, b = max(0, int(f.char_start)), min(len(text), int(f.char_end))
        if a < b:
            spans.append((a, b, f))
    cuts = sorted({0, len(text)} | {a for a, _, _ in spans} | {b for _, b, _ in spans})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        fs = [f for (x, y, f) in spans if x <= a and b <= y]
        out.append({"text": text[a:b], "findings": fs})
    return out


_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def range_response(request: Request, path: Path) -> Response:
    """Serve a file with ``Accept-Ranges: bytes``; a single ``Range`` gives 206, a bad one 416."""
    size = path.stat().st_size
    ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix.lower() == ".mp3":
        ctype = "audio/mpeg"
    elif path.suffix.lower() == ".wav":
        ctype = "audio/wav"
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=300"}
    rng = request.headers.get("range")
    start, end, status = 0, size - 1, 200
    if rng:
        m = _RANGE.match(rng.strip())
        if not m or (not m.group(1) and not m.group(2)):
            return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
        if m.group(1):
            start = int(m.group(1))
            end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
        else:  # suffix range: last N bytes
            n = int(m.group(2))
            start = max(0, size - n)
        if start >= size or start > end:
            return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    length = end - start + 1
    headers["Content-Length"] = str(length)

    def body():
        with open(path, "rb") as fh:
            fh.seek(start)
            left = length
            while left > 0:
                chunk = fh.read(min(65536, left))
                if not chunk:
                    break
                left -= len(chunk)
                yield chunk

    return StreamingResponse(body(), status_code=status, media_type=ctype, headers=headers)
