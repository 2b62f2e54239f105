"""Web security of the review app (issue 14, item 4): server-side sessions ended at logout and
rotated at login, lockout, password policy, CSRF, path traversal, XSS through every field a
transcript or a user fills, and each role trying another role's actions."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa_audit.core.model import Call, Finding, Segment
from qa_audit.store.db import Store
from qa_audit.web import auth, create_app
from qa_audit.web.demo import build_demo_store

ROOT = Path(__file__).resolve().parents[1]
PW = "correct-horse-9"
XSS = '<img src=x onerror="alert(1)">'
ESC = "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "h.sqlite3"
    store = build_demo_store(path, ROOT / "samples", dev=False)
    for name, role, agent in (("sup", "supervisor", None), ("aud", "auditor", None), ("tra", "trainer", None),
                              ("ag16", "agent", "A024"), ("ag07", "agent", "A010")):
        auth.add_user(store, name, PW, role, agent_id=agent)
    return path


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "page has no CSRF field"
    return m.group(1)


def login(c: TestClient, user: str, pw: str = PW, status: int = 303):
    tok = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": user, "password": pw, "csrf": tok, "next": "/"}, follow_redirects=False)
    assert r.status_code == status, r.text[:500]
    return r


def page_csrf(c: TestClient) -> str:
    return csrf_of(c.get("/queue").text)


def reviews(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT finding_id, reviewer, action FROM reviews ORDER BY review_id").fetchall()
    con.close()
    return rows


def fid_of(db, call_id, i=0):
    return Store(db).findings_for_call(call_id)[i].finding_id


# --- sessions ----------------------------------------------------------------------------------------
def test_logout_ends_the_session_the_old_cookie_is_worthless(db):
    c = TestClient(create_app(db))
    login(c, "sup")
    tok = page_csrf(c)
    old = c.cookies.get("qa_session")
    assert "sup" not in old  # only a session id travels, never who is logged in
    r = c.post("/logout", data={"csrf": tok}, follow_redirects=False)
    assert r.status_code == 303
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM sessions WHERE username='sup'").fetchone()[0] == 0
    con.close()
    replay = TestClient(create_app(db))  # an attacker who copied the cookie before the logout
    replay.cookies.set("qa_session", old)
    assert replay.get("/queue", follow_redirects=False).status_code == 303
    r = replay.post(f"/findings/{fid_of(db, 'D0016')}/review", data={"action": "confirm", "csrf": tok},
                    follow_redirects=False)
    assert r.status_code == 401 and reviews(db) == []


def test_logout_needs_csrf(db):
    c = TestClient(create_app(db))
    login(c, "sup")
    assert c.post("/logout", data={"csrf": "forged"}, follow_redirects=False).status_code == 403
    assert c.get("/queue", follow_redirects=False).status_code == 200  # still logged in


def test_session_id_rotated_at_login(db):
    app = create_app(db)
    victim = TestClient(app)
    victim.get("/login")
    fixed = victim.cookies.get("qa_session")  # the cookie an attacker could have planted
    login(victim, "sup")
    first = victim.cookies.get("qa_session")
    assert first != fixed
    attacker = TestClient(app)
    attacker.cookies.set("qa_session", fixed)
    assert attacker.get("/queue", follow_redirects=False).status_code == 303  # fixation gets nothing
    login(victim, "sup")  # a second login in the same browser: new id, the previous one ends
    second = victim.cookies.get("qa_session")
    assert second != first and victim.get("/queue", follow_redirects=False).status_code == 200
    stale = TestClient(app)
    stale.cookies.set("qa_session", first)
    assert stale.get("/queue", follow_redirects=False).status_code == 303
    con = sqlite3.connect(db)
    rows = con.execute("SELECT sid_hash FROM sessions WHERE username='sup'").fetchall()
    con.close()
    assert len(rows) == 1 and all(len(r[0]) == 64 for r in rows)  # only the hash of the id is stored


def test_sessions_expire_and_end_with_a_new_password_or_removed_user(db):
    app = create_app(db)
    clock = [1_000_000.0]
    app.state.sessions.clock = lambda: clock[0]
    c = TestClient(app)
    login(c, "sup")
    assert c.get("/queue", follow_redirects=False).status_code == 200
    clock[0] += 12 * 3600 + 1
    assert c.get("/queue", follow_redirects=False).status_code == 303  # expired server-side
    login(c, "aud")
    auth.add_user(Store(db), "aud", "another-pass-42", "auditor", replace=True)
    assert c.get("/queue", follow_redirects=False).status_code == 303
    login(c, "aud", "another-pass-42")
    auth.delete_user(Store(db), "aud")
    assert c.get("/queue", follow_redirects=False).status_code == 303


def test_lockout_after_five_failures_for_fifteen_minutes(db):
    app = create_app(db)
    clock = [2_000_000.0]
    app.state.sessions.clock = lambda: clock[0]
    c = TestClient(app)
    for _ in range(5):
        r = login(c, "sup", "wrong-pass-1", status=401)
        assert "用户名或密码错误" in r.text
    r = login(c, "sup", PW, status=429)  # even the right password
    assert "已锁定 15 分钟" in r.text
    for _ in range(5):  # a user name that does not exist locks the same way (reveals nothing)
        login(c, "nobody", "wrong-pass-1", status=401)
    assert "已锁定" in login(c, "nobody", "wrong-pass-1", status=429).text
    login(TestClient(app), "aud")  # other accounts are not affected
    restarted = create_app(db)  # the lock is in the database, not in one process
    restarted.state.sessions.clock = lambda: clock[0]
    login(TestClient(restarted), "sup", PW, status=429)
    clock[0] += 14 * 60
    login(c, "sup", PW, status=429)
    clock[0] += 61
    login(c, "sup", PW)  # 15 minutes after the last failure
    for _ in range(4):  # the success cleared the count
        login(TestClient(app), "sup", "wrong-pass-1", status=401)
    login(TestClient(app), "sup", PW)


def test_password_policy(tmp_path):
    store = Store(tmp_path / "u.sqlite3")
    for pw, why in (("short1", "太短"), ("onlyletters", "字母和数字"), ("1234567890", "字母和数字"),
                    ("lee-admin-2026", "用户名"), ("LEE12345678", "用户名")):
        with pytest.raises(auth.AuthError, match=why):
            auth.add_user(store, "lee", pw, "supervisor")
    assert auth.add_user(store, "lee", "tide-pool-73", "supervisor").role == "supervisor"
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "qa_audit", "users", "add", "kim", "--role", "auditor", "--db",
                        str(tmp_path / "u.sqlite3"), "--password-stdin"], input="kim2026kim\n", capture_output=True,
                       text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 2 and "错误：密码不能包含用户名" in p.stderr


# --- path traversal ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [
    "/audio/..%2F..%2F..%2Fetc%2Fpasswd", "/audio/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/audio/%2e%2e",
    "/audio/D0016%2F..%2F..%2Fapp.py", "/calls/..%2F..%2Fetc%2Fpasswd",
    "/excerpts/clip/..%2F..%2Fetc%2Fpasswd", "/excerpts/clip/ex_0123456789.wav%2F..%2F..%2Fapp.py",
    "/excerpts/clip/..%5C..%5Capp.py", "/static/..%2Fapp.py", "/static/%2e%2e/app.py", "/static/../auth.py",
])
def test_path_traversal_never_serves_a_file_outside(db, path):
    c = TestClient(create_app(db))
    login(c, "sup")
    r = c.get(path, follow_redirects=False)
    assert r.status_code in (400, 403, 404), (path, r.status_code)
    assert "root:" not in r.text and "def create_app" not in r.text and "scrypt" not in r.text


def test_audio_is_only_the_stored_path_of_a_visible_call(db, tmp_path):
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"RIFF-not-for-you")
    store = Store(db)
    call = Call("../../secret", agent_id="A024", segments=[Segment(0, 1, "agent", "你好")], audio=None)
    store.save_call(call, [])
    c = TestClient(create_app(db))
    login(c, "sup")
    r = c.get("/audio/..%2F..%2Fsecret")
    assert r.status_code == 404 and b"not-for-you" not in r.content


# --- XSS ---------------------------------------------------------------------------------------------
def test_every_user_or_transcript_field_is_escaped(db):
    store = Store(db)
    cid = f"X{XSS}"
    text = f"你再不还{XSS}我就去你家"
    call = Call(cid, agent_id=f"A{XSS}", started_at="2026-11-06T10:00:00+08:00",
                segments=[Segment(1.0, 4.0, "agent", text), Segment(4.0, 6.0, "customer", f"客户说{XSS}")],
                metadata={"team": f"T{XSS}"})
    k = text.index("我就去你家")
    f = Finding(cid, "THREAT-001", "threat", "high", 0, 1.0, 4.0, "agent", "我就去你家", k, k + 5,
                f"威胁{XSS}", f"说明{XSS}", 0.9)
    store.save_call(call, [f])
    auth.add_user(store, "agx", PW, "agent", agent_id=f"A{XSS}")
    app = create_app(db)
    sup = TestClient(app)
    login(sup, "sup")
    tok = page_csrf(sup)
    from urllib.parse import quote

    for action, extra in (("comment", {"comment": f"备注{XSS}"}), ("dismiss", {"reason": f"理由{XSS}"})):
        r = sup.post(f"/findings/{f.finding_id}/review", data={"action": action, "csrf": tok, **extra},
                     follow_redirects=False)
        assert r.status_code == 303, r.text[:300]
    pages = {"queue": sup.get("/queue").text, "call": sup.get(f"/calls/{quote(cid, safe='')}").text,
             "filtered": sup.get("/queue", params={"agent": f"A{XSS}", "team": XSS, "week": XSS}).text,
             "bad action": sup.post(f"/findings/{f.finding_id}/review", data={"action": XSS, "csrf": tok}).text,
             "login next": TestClient(app).get("/login", params={"next": f'/"><script>alert(1)</script>'}).text}
    tra = TestClient(app)
    login(tra, "tra")
    pages["excerpts"] = tra.get("/excerpts", params={"status": "any"}).text
    agx = TestClient(app)
    login(agx, "agx")
    pages["agent header"] = agx.get("/queue").text
    for name, html in pages.items():
        assert XSS not in html and "<script>alert(1)" not in html, name
    assert html_count(pages["call"]) >= 6  # call id, agent, team, segment texts, message, explanation, comment, reason
    assert f"备注{ESC}" in pages["call"] and f"理由{ESC}" in pages["call"]
    assert f"A{ESC}" in pages["queue"] and f"A{ESC}" in pages["agent header"]
    assert f"未知操作：{ESC}" in pages["bad action"]


def html_count(page: str) -> int:
    return page.count(ESC)


# --- roles -------------------------------------------------------------------------------------------
def _post(c, fid, action, **extra):
    return c.post(f"/findings/{fid}/review", data={"action": action, "csrf": page_csrf(c), "reason": "r",
                                                   "comment": "c", "severity": "low", **extra},
                  follow_redirects=False)


def test_each_role_refused_another_roles_actions(db):
    app = create_app(db)
    own, other = fid_of(db, "D0016"), fid_of(db, "D0007")
    ag = TestClient(app)
    login(ag, "ag16")
    for action in ("confirm", "dismiss", "severity", "comment", "final_uphold", "final_overturn"):
        assert _post(ag, own, action).status_code == 403, action  # an agent never decides
    tra = TestClient(app)
    login(tra, "tra")
    for action in ("confirm", "dismiss", "severity", "comment", "appeal", "final_uphold"):
        assert _post(tra, own, action).status_code == 403, action  # a trainer never reviews
    aud = TestClient(app)
    login(aud, "aud")
    for action in ("confirm", "appeal", "final_overturn"):
        assert _post(aud, own, action).status_code == 403, action
    assert reviews(db) == []
    sup = TestClient(app)
    login(sup, "sup")
    assert _post(sup, own, "confirm").status_code == 303
    assert _post(sup, other, "confirm").status_code == 303
    assert _post(sup, own, "appeal").status_code == 403  # a supervisor does not appeal for the agent
    assert _post(ag, other, "appeal").status_code == 403  # not his call
    ag07 = TestClient(app)
    login(ag07, "ag07")
    assert _post(ag07, own, "appeal").status_code == 403
    assert _post(ag, own, "appeal").status_code == 303  # his own confirmed finding: allowed
    assert [r[1:] for r in reviews(db)] == [("sup", "confirm"), ("sup", "confirm"), ("ag16", "appeal")]


def test_no_role_manages_users_through_the_web(db):
    app = create_app(db)
    before = [u.username for u in auth.list_users(Store(db))]
    for name in ("aud", "sup", "ag16"):
        c = TestClient(app)
        login(c, name)
        tok = page_csrf(c)
        for path in ("/users", "/admin/users", "/users/add", "/users/sup/delete"):
            r = c.post(path, data={"username": "eve", "password": "evil-pass-1", "role": "supervisor", "csrf": tok},
                       follow_redirects=False)
            assert r.status_code in (403, 404, 405), (name, path, r.status_code)
    assert [u.username for u in auth.list_users(Store(db))] == before


def test_agent_sees_no_other_agents_calls(db):
    c = TestClient(create_app(db))
    login(c, "ag16")
    own = Store(db).conn.execute("SELECT call_id FROM calls WHERE agent_id='A024'").fetchall()
    others = [r[0] for r in Store(db).conn.execute("SELECT call_id FROM calls WHERE agent_id!='A024'")]
    for q in ({}, {"agent": "A010"}, {"agent": ""}, {"team": "催收一组"}):
        page = c.get("/queue", params=q).text
        assert not [o for o in others if f"/calls/{o}\"" in page], q
    assert own and f"/calls/{own[0][0]}" in c.get("/queue").text
    for o in others[:5]:
        assert c.get(f"/calls/{o}").status_code == 403
        assert c.get(f"/audio/{o}").status_code in (403, 404)
