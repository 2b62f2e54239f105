"""The review web app through FastAPI's TestClient: login, roles, CSRF, decisions, audit trail,
rescoring, appeal/final decision, audio with Range, escaping."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa_audit.web import auth
from qa_audit.core.model import Call, Finding, Segment
from qa_audit.store.db import Store
from qa_audit.web import create_app
from qa_audit.web import queries as Q
from qa_audit.web.demo import build_demo_store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
PW = "correct-horse-9"


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "h.sqlite3"
    store = build_demo_store(path, SAMPLES, dev=False)
    auth.add_user(store, "sup", PW, "supervisor")
    auth.add_user(store, "aud", PW, "auditor")
    auth.add_user(store, "tra", PW, "trainer")
    auth.add_user(store, "ag16", PW, "agent", agent_id="A024")  # D0016's agent
    return path


def client(db) -> TestClient:
    return TestClient(create_app(db))


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "page has no CSRF field"
    return m.group(1)


def login(c: TestClient, user: str, pw: str = PW) -> str:
    tok = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": user, "password": pw, "csrf": tok, "next": "/"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    # the session (and its CSRF token) is renewed at login
    return csrf_of(c.get("/queue" if user != "tra" else "/excerpts").text)


def findings(db, call_id):
    return Store(db).findings_for_call(call_id)


def reviews(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT finding_id, reviewer, action, severity, reason, comment, created_at FROM reviews "
                       "ORDER BY review_id").fetchall()
    con.close()
    return rows


# --- refused requests ------------------------------------------------------------------------------
def test_every_page_requires_login(db):
    c = client(db)
    fid = findings(db, "D0016")[0].finding_id
    for path in ("/", "/queue", "/calls/D0016", "/excerpts"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    assert c.get("/audio/D0016", follow_redirects=False).status_code == 401
    r = c.post(f"/findings/{fid}/review", data={"action": "confirm", "csrf": "x"}, follow_redirects=False)
    assert r.status_code == 401
    assert reviews(db) == []


def test_wrong_password_and_unknown_user_refused(db):
    c = client(db)
    tok = csrf_of(c.get("/login").text)
    for u, p in (("sup", "wrong-password"), ("nobody", PW)):
        r = c.post("/login", data={"username": u, "password": p, "csrf": tok}, follow_redirects=False)
        assert r.status_code == 401
        assert "用户名或密码错误" in r.text
    assert c.get("/queue", follow_redirects=False).status_code == 303


def test_login_form_needs_csrf(db):
    c = client(db)
    c.get("/login")
    r = c.post("/login", data={"username": "sup", "password": PW, "csrf": "forged"}, follow_redirects=False)
    assert r.status_code == 403


def test_forged_or_missing_csrf_refused(db):
    c = client(db)
    good = login(c, "sup")
    fid = findings(db, "D0016")[0].finding_id
    other = client(db)
    other_tok = login(other, "aud")  # a valid token, but of another session
    for data in ({"action": "confirm"}, {"action": "confirm", "csrf": "forged" + good[6:]},
                 {"action": "confirm", "csrf": other_tok}, {"action": "confirm", "csrf": ""}):
        r = c.post(f"/findings/{fid}/review", data=data, follow_redirects=False)
        assert r.status_code == 403, data
    assert reviews(db) == []
    r = c.post(f"/findings/{fid}/review", data={"action": "confirm", "csrf": good}, follow_redirects=False)
    assert r.status_code == 303
    assert [x[:3] for x in reviews(db)] == [(fid, "sup", "confirm")]


def test_wrong_role_refused(db):
    fid = findings(db, "D0016")[0].finding_id
    a = client(db)
    tok = login(a, "aud")
    assert a.get("/calls/D0016").status_code == 200          # auditors read
    for action in ("confirm", "dismiss", "severity", "comment", "final_uphold", "appeal"):
        r = a.post(f"/findings/{fid}/review", data={"action": action, "csrf": tok, "reason": "r",
                                                     "comment": "c", "severity": "low"}, follow_redirects=False)
        assert r.status_code == 403, action
    assert a.get("/excerpts").status_code == 403
    t = client(db)
    login(t, "tra")
    assert t.get("/queue").status_code == 403
    assert t.get("/calls/D0016").status_code == 403
    assert t.get("/audio/D0016").status_code == 403
    assert t.get("/excerpts").status_code == 200
    assert reviews(db) == []


def test_agent_sees_only_own_calls(db):
    c = client(db)
    login(c, "ag16")
    q = c.get("/queue").text
    assert "/calls/D0016" in q and "/calls/D0007" not in q
    assert c.get("/calls/D0016").status_code == 200
    assert c.get("/calls/D0007").status_code == 403
    assert c.get("/audio/D0007").status_code == 403
    assert c.get("/audio/D0016").status_code == 200


def test_tampered_session_cookie_is_logged_out(db):
    c = client(db)
    login(c, "sup")
    raw = c.cookies.get("qa_session")
    assert c.get("/queue", follow_redirects=False).status_code == 200
    i = len(raw) // 3
    c.cookies.clear()
    c.cookies.set("qa_session", raw[:i] + ("A" if raw[i] != "A" else "B") + raw[i + 1:])
    assert c.get("/queue", follow_redirects=False).status_code == 303


def test_cookie_flags(db):
    c = client(db)
    r = c.get("/login")
    sc = r.headers["set-cookie"].lower()
    assert "httponly" in sc and "samesite=strict" in sc


def test_session_secret_is_per_database(tmp_path, db):
    other = tmp_path / "other.sqlite3"
    s2 = Store(other)
    auth.add_user(s2, "sup", PW, "supervisor")
    c = client(db)
    login(c, "sup")
    cookie = c.cookies.get("qa_session")
    c2 = TestClient(create_app(other))
    c2.cookies.clear()
    c2.cookies.set("qa_session", cookie)
    assert c2.get("/queue", follow_redirects=False).status_code == 303


# --- decisions -------------------------------------------------------------------------------------
def _card_total(db, call_id):
    con = sqlite3.connect(db)
    r = con.execute("SELECT total FROM scorecards WHERE call_id=?", (call_id,)).fetchone()
    con.close()
    return r[0] if r else None


def test_confirm_dismiss_rescore_and_audit_trail(db):
    c = client(db)
    tok = login(c, "sup")
    fs = findings(db, "D0016")
    assert [f.category for f in fs] == ["abuse", "abuse"]
    before = _card_total(db, "D0016")
    assert before == 0  # abuse is a fatal item of the rubric
    r = c.post(f"/findings/{fs[0].finding_id}/review", data={"action": "dismiss", "csrf": tok},
               follow_redirects=False)
    assert r.status_code == 400 and "理由" in r.text  # a dismissal needs a reason
    c.post(f"/findings/{fs[0].finding_id}/review", data={"action": "dismiss", "csrf": tok, "reason": "客户在骂人，坐席引述"})
    assert _card_total(db, "D0016") == 0  # the other abuse finding still counts
    r = c.post(f"/findings/{fs[1].finding_id}/review",
               data={"action": "dismiss", "csrf": tok, "reason": "语气正常，非辱骂"})
    assert r.status_code == 200
    after = _card_total(db, "D0016")
    assert after > before
    page = r.text  # the redirect lands on the call page
    assert f'<span id="score-total">{after:g}</span>' in page
    assert page.count("已驳回") >= 2 and "语气正常，非辱骂" in page and "sup" in page
    # re-confirming appends; nothing is overwritten
    c.post(f"/findings/{fs[1].finding_id}/review", data={"action": "confirm", "csrf": tok})
    rows = reviews(db)
    assert [(x[0], x[2]) for x in rows] == [(fs[0].finding_id, "dismiss"), (fs[1].finding_id, "dismiss"),
                                            (fs[1].finding_id, "confirm")]
    assert all(x[1] == "sup" and x[6] for x in rows)
    assert _card_total(db, "D0016") == 0
    con = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError):
        con.execute("UPDATE reviews SET action='confirm' WHERE review_id=1")
    con.close()


def test_severity_and_comment(db):
    c = client(db)
    tok = login(c, "sup")
    f = findings(db, "D0007")[0]
    r = c.post(f"/findings/{f.finding_id}/review", data={"action": "severity", "csrf": tok, "severity": "bogus"},
               follow_redirects=False)
    assert r.status_code == 400
    c.post(f"/findings/{f.finding_id}/review", data={"action": "severity", "csrf": tok, "severity": "critical"})
    c.post(f"/findings/{f.finding_id}/review", data={"action": "comment", "csrf": tok, "comment": "请组长跟进"})
    st = Store(db).review_state(f.finding_id)
    assert st == {"status": "unreviewed", "severity": "critical"}
    page = c.get("/calls/D0007").text
    assert "请组长跟进" in page and "特别严重（原严重）" in page
    q = c.get("/queue", params={"severity": "critical"}).text
    assert "/calls/D0007" in q


def test_appeal_and_final_decision(db):
    sup, agent = client(db), client(db)
    stok, atok = login(sup, "sup"), login(agent, "ag16")
    f = findings(db, "D0016")[0]
    url = f"/findings/{f.finding_id}/review"
    # an unreviewed finding cannot be appealed, nor finalised
    assert agent.post(url, data={"action": "appeal", "csrf": atok, "reason": "x"}, follow_redirects=False).status_code == 409
    assert sup.post(url, data={"action": "final_uphold", "csrf": stok}, follow_redirects=False).status_code == 409
    sup.post(url, data={"action": "confirm", "csrf": stok})
    assert sup.post(url, data={"action": "appeal", "csrf": stok, "reason": "x"}, follow_redirects=False).status_code == 403
    assert agent.post(url, data={"action": "appeal", "csrf": atok}, follow_redirects=False).status_code == 400
    r = agent.post(url, data={"action": "appeal", "csrf": atok, "reason": "我是在复述客户的话"})
    assert r.status_code == 200 and "申诉中" in r.text
    assert Store(db).review_state(f.finding_id)["status"] == "appealed"
    assert agent.post(url, data={"action": "final_overturn", "csrf": atok, "reason": "x"},
                      follow_redirects=False).status_code == 403
    page = sup.get("/calls/D0016").text
    assert "终审：撤销" in page
    sup.post(url, data={"action": "final_overturn", "csrf": stok, "reason": "录音复听确认为引述"})
    assert Store(db).review_state(f.finding_id)["status"] == "dismissed"
    assert [x[2] for x in reviews(db)] == ["confirm", "appeal", "final_overturn"]
    # upheld on appeal: confirmed again, and no second appeal
    g = findings(db, "D0016")[1]
    gurl = f"/findings/{g.finding_id}/review"
    sup.post(gurl, data={"action": "confirm", "csrf": stok})
    agent.post(gurl, data={"action": "appeal", "csrf": atok, "reason": "不是辱骂"})
    sup.post(gurl, data={"action": "final_uphold", "csrf": stok, "reason": "维持原判"})
    assert Store(db).review_state(g.finding_id)["status"] == "confirmed"
    assert agent.post(gurl, data={"action": "appeal", "csrf": atok, "reason": "再申诉"},
                      follow_redirects=False).status_code == 409
    assert "提出申诉" not in agent.get("/calls/D0016").text


def test_queue_filters(db):
    c = client(db)
    tok = login(c, "sup")
    q = c.get("/queue", params={"category": "threat"}).text
    assert "/calls/D0007" in q and "/calls/D0016" not in q
    q = c.get("/queue", params={"agent": "A024"}).text
    assert "/calls/D0016" in q and "/calls/D0007" not in q
    q = c.get("/queue", params={"week": "2026-W45"}).text  # D0016 started 2026-11-06
    assert "/calls/D0016" in q and "/calls/D0033" not in q
    team = Store(db).get_call("D0016").team
    q = c.get("/queue", params={"team": team}).text
    assert "/calls/D0016" in q
    for f in findings(db, "D0016"):
        c.post(f"/findings/{f.finding_id}/review", data={"action": "dismiss", "csrf": tok, "reason": "误报"})
    assert "/calls/D0016" not in c.get("/queue", params={"status": "unreviewed"}).text
    assert "/calls/D0016" in c.get("/queue", params={"status": "dismissed"}).text


def test_fold_states_matches_store_review_state(db):
    store = Store(db)
    fs = findings(db, "D0006")
    seqs = [["confirm"], ["dismiss", "confirm"], ["confirm", "appeal"], ["confirm", "appeal", "final_overturn"]]
    for f, seq in zip(fs, seqs):
        for a in seq:
            store.add_review(f.finding_id, "sup", a, severity="low" if a == "confirm" else None)
    batch = Q.review_states(store, [f.finding_id for f in fs])
    for f in fs:
        assert batch[f.finding_id] == store.review_state(f.finding_id)


# --- audio -----------------------------------------------------------------------------------------
def test_audio_range_and_no_path_from_request(db):
    c = client(db)
    login(c, "aud")
    path = Path(Store(db).get_call("D0016").audio)
    data = path.read_bytes()
    r = c.get("/audio/D0016")
    assert r.status_code == 200 and r.content == data and r.headers["accept-ranges"] == "bytes"
    assert r.headers["content-type"].startswith("audio/mpeg")
    r = c.get("/audio/D0016", headers={"Range": "bytes=100-199"})
    assert r.status_code == 206 and r.content == data[100:200]
    assert r.headers["content-range"] == f"bytes 100-199/{len(data)}"
    r = c.get("/audio/D0016", headers={"Range": "bytes=-50"})
    assert r.status_code == 206 and r.content == data[-50:]
    r = c.get("/audio/D0016", headers={"Range": f"bytes={len(data) + 10}-"})
    assert r.status_code == 416
    for evil in ("..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "D0016.mp3"):
        assert c.get(f"/audio/{evil}").status_code == 404
    assert c.get("/audio/D0016", params={"path": "/etc/passwd"}).content == data


def test_call_without_audio_has_no_player(db):
    store = Store(db)
    call = Call("X1", agent_id="A024", started_at="2026-11-06T10:00:00+08:00",
                segments=[Segment(0.0, 2.0, "agent", "您好")])
    store.save_call(call, [])
    c = client(db)
    login(c, "sup")
    assert 'id="player"' not in c.get("/calls/X1").text
    assert c.get("/audio/X1").status_code == 404
    assert 'id="player"' in c.get("/calls/D0016").text


# --- page content ----------------------------------------------------------------------------------
def test_evidence_highlighted_and_escaped(db):
    store = Store(db)
    text = "你再不还<script>alert(1)</script>我就去你家"
    call = Call("X2", agent_id="A024", started_at="2026-11-06T10:00:00+08:00",
                segments=[Segment(1.0, 4.0, "agent", text)])
    k = text.index("我就去你家")
    f = Finding("X2", "THREAT-001", "threat", "high", 0, 1.0, 4.0, "agent", "我就去你家", k, k + 5,
                "威胁上门<b>", "词条“去你家” & 上门", 0.9)
    store.save_call(call, [f])
    c = client(db)
    login(c, "sup")
    page = c.get("/calls/X2").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert re.search(r'<mark class="ev sev-high" title="THREAT-001[^"]*">我就去你家</mark>', page)
    assert "威胁上门&lt;b&gt;" in page and "词条“去你家” &amp; 上门" in page
    assert 'class="seek" data-t="1.00"' not in page  # no audio: no seek buttons


def test_seek_buttons_carry_finding_times(db):
    c = client(db)
    login(c, "sup")
    page = c.get("/calls/D0007").text
    for f in findings(db, "D0007"):
        assert f'data-t="{f.start:.2f}"' in page


def test_security_headers(db):
    c = client(db)
    r = c.get("/login")
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


# --- CLI -------------------------------------------------------------------------------------------
def _cli(*args, stdin=None, timeout=120):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "qa_audit", *args], input=stdin, capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[1], timeout=timeout)


def test_users_cli(tmp_path):
    db = tmp_path / "u.sqlite3"
    p = _cli("users", "add", "lee", "--role", "supervisor", "--db", str(db), "--password-stdin", stdin=PW + "\n")
    assert p.returncode == 0, p.stderr
    p = _cli("users", "add", "lee", "--role", "auditor", "--db", str(db), "--password-stdin", stdin=PW + "\n")
    assert p.returncode == 2 and "already exists" in p.stderr
    p = _cli("users", "add", "a7", "--role", "agent", "--db", str(db), "--password-stdin", stdin=PW + "\n")
    assert p.returncode == 2 and "--agent-id" in p.stderr
    p = _cli("users", "add", "a7", "--role", "agent", "--agent-id", "A007", "--db", str(db), "--password-stdin",
             stdin="short\n")
    assert p.returncode == 2 and "too short" in p.stderr
    p = _cli("users", "add", "a7", "--role", "agent", "--agent-id", "A007", "--db", str(db), "--password-stdin",
             stdin=PW + "\n")
    assert p.returncode == 0
    p = _cli("users", "list", "--db", str(db))
    assert p.stdout.split("\n")[:2] == ["a7\tagent\tA007", "lee\tsupervisor\t"]
    store = Store(db)
    row = store.conn.execute("SELECT password_hash FROM users WHERE username='lee'").fetchone()[0]
    assert PW not in row and row.startswith("scrypt$")
    assert auth.authenticate(store, "lee", PW).role == "supervisor"
    assert auth.authenticate(store, "lee", PW + "x") is None


def test_password_hashes_are_salted():
    a, b = auth.hash_password(PW), auth.hash_password(PW)
    assert a != b and auth.verify_password(PW, a) and auth.verify_password(PW, b)
    assert not auth.verify_password("x", a) and not auth.verify_password(PW, "garbage")


def test_serve_cli_serves_the_app(db):
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "qa_audit", "serve", "--db", str(db), "--port", str(port)],
                            cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    body = r.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.2)
        assert body and "登录" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    p = _cli("serve", "--db", str(db.parent / "missing.sqlite3"))
    assert p.returncode == 2 and "missing.sqlite3" in p.stderr


def test_repeated_failed_logins_are_throttled(db):
    c = client(db)
    tok = csrf_of(c.get("/login").text)
    for _ in range(5):
        assert c.post("/login", data={"username": "sup", "password": "nope-nope", "csrf": tok}).status_code == 401
    r = c.post("/login", data={"username": "sup", "password": PW, "csrf": tok}, follow_redirects=False)
    assert r.status_code == 429  # even the right password, until the lockout passes
    login(client(db), "aud")  # other accounts are not affected


def test_decisions_rebuild_the_agents_referrals(db):
    c = client(db)
    tok = login(c, "sup")
    fs = findings(db, "D0016")  # agent A024, week 2026-W45

    def refs():
        con = sqlite3.connect(db)
        rows = con.execute("SELECT tier FROM referrals WHERE agent_id='A024' AND period='2026-W45'").fetchall()
        con.close()
        return rows

    c.post(f"/findings/{fs[0].finding_id}/review", data={"action": "confirm", "csrf": tok})
    assert len(refs()) == 1
    page = c.get("/calls/D0016").text
    assert "本周无处罚建议" not in page
    for f in fs:
        c.post(f"/findings/{f.finding_id}/review", data={"action": "dismiss", "csrf": tok, "reason": "误报"})
    assert refs() == []
    assert "本周无处罚建议" in c.get("/calls/D0016").text


def test_secure_cookie_option(db):
    c = TestClient(create_app(db, secure_cookies=True))
    assert "secure" in c.get("/login").headers["set-cookie"].lower()
    assert "secure" not in client(db).get("/login").headers["set-cookie"].lower()


def test_unscored_call_is_scored_when_opened(db):
    store = Store(db)
    store.conn.execute("DELETE FROM scorecards WHERE call_id='D0016'")
    c = client(db)
    login(c, "aud")
    assert '<span id="score-total">0</span>' in c.get("/calls/D0016").text
    assert store.conn.execute("SELECT COUNT(*) FROM referrals").fetchone()[0] == 0  # a read writes no referrals
