"""A real browser (Debian's chromium, headless, driven by Playwright) against the real app served by
uvicorn on a free port, over a tmp SQLite database with a recorded sample call."""
from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from qa_audit.web import auth
from qa_audit.core.model import Finding
from qa_audit.score.scoring import score_store
from qa_audit.store.db import Store
from qa_audit.web import create_app
from qa_audit.web.demo import build_demo_store, label_findings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("QA_AUDIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"]
PW = "browser-pass-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def served(tmp_path):
    import uvicorn

    db = tmp_path / "h.sqlite3"
    store = build_demo_store(db, ROOT / "samples", dev=False)
    call = store.get_call("D0016")
    assert call.audio and Path(call.audio).is_file()
    abuse = [f for f in label_findings(call, [{"category": "abuse", "segment": 4,
                                               "quote": call.segments[4].text[:10]}])][0]
    fast = Finding(call.call_id, "AUDIO-001", "audio_quality", "low", 2, call.segments[2].start,
                   call.segments[2].end, "agent", "", None, None, "坐席语速过快",
                   "第 3 句语速 6.1 字/秒，高于 5.0 字/秒", 0.8)
    store.save_call(call, [abuse, fast])
    score_store(store, [call.call_id])
    auth.add_user(store, "sup", PW, "supervisor")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield {"base": f"http://127.0.0.1:{port}", "db": db, "abuse": abuse, "fast": fast, "call": call,
           "shots": tmp_path}
    server.should_exit = True
    th.join(timeout=10)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed")
def test_supervisor_reviews_a_call_in_a_real_browser(served):
    from playwright.sync_api import sync_playwright

    base, db = served["base"], served["db"]
    abuse, fast = served["abuse"], served["fast"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(15000)
            page.goto(base + "/queue")
            assert "/login" in page.url  # not logged in: sent to the login form
            page.fill("input[name=username]", "sup")
            page.fill("input[name=password]", PW)
            page.click("button[type=submit]")
            page.wait_for_url("**/queue")
            assert page.locator("h1").inner_text() == "复核队列"

            page.click("a.call-link:text-is('D0016')")
            page.wait_for_url("**/calls/D0016")
            assert page.locator("#score-total").inner_text() == "0"  # abuse is fatal (一票否决)
            # the evidence is highlighted in the dialogue
            assert page.locator("mark.ev").first.inner_text() == abuse.evidence

            # the reason is plain Chinese and visible; the technical trace waits behind 详情
            card = page.locator(f"#f-{abuse.finding_id}")
            reason = card.locator(".finding-reason")
            assert reason.is_visible() and reason.inner_text() == abuse.reason
            assert reason.inner_text().startswith("坐席说“") and "（ABUSE-LBL）" in reason.inner_text()
            expl = card.locator("details.tech .explanation")
            assert card.locator("details.tech summary").inner_text() == "详情" and not expl.is_visible()
            card.locator("details.tech summary").click()
            assert expl.is_visible() and abuse.explanation in expl.inner_text()
            # a finding stored without a reason reads its message the same way
            assert page.locator(f"#f-{fast.finding_id} .finding-reason").inner_text() == "坐席语速过快（AUDIO-001）"
            side = page.locator(".scorecard").inner_text()
            assert "待复核" in side and "秒处" in side and "unreviewed" not in side and "@" not in side

            # the audio player seeks to the finding's time (the browser needs HTTP Range for this)
            page.wait_for_function("document.getElementById('player').readyState >= 1")
            page.locator(f"#f-{abuse.finding_id} button.seek").click()
            page.wait_for_function(
                f"Math.abs(document.getElementById('player').currentTime - {abuse.start}) < 1.0")

            # confirm the speech-rate finding
            page.locator(f"#f-{fast.finding_id} button.confirm").click()
            page.wait_for_url("**/calls/D0016*")
            assert "已确认" in page.locator(f"#f-{fast.finding_id} .status").inner_text()
            assert page.locator("#score-total").inner_text() == "0"

            # dismissing without a reason is blocked by the form; with a reason it goes through
            art = page.locator(f"#f-{abuse.finding_id}")
            art.locator("button.dismiss").click()
            assert art.locator("input[name=reason]").first.evaluate("e => e.validity.valueMissing")
            page.wait_for_timeout(300)
            assert "已驳回" not in art.locator(".status").inner_text()
            con = sqlite3.connect(db)
            assert con.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1
            con.close()
            art.locator("input[name=reason]").first.fill("坐席是在复述客户原话，非辱骂")
            art.locator("button.dismiss").click()
            page.wait_for_function("document.getElementById('score-total').innerText !== '0'")
            shown = float(page.locator("#score-total").inner_text())
            assert "已驳回" in page.locator(f"#f-{abuse.finding_id} .status").inner_text()
            assert "坐席是在复述客户原话" in page.locator(f"#f-{abuse.finding_id} table.trail").inner_text()
            page.screenshot(path=str(served["shots"] / "call.png"), full_page=True)
        finally:
            browser.close()

    con = sqlite3.connect(db)
    rows = con.execute("SELECT finding_id, reviewer, action, reason FROM reviews ORDER BY review_id").fetchall()
    total = con.execute("SELECT total FROM scorecards WHERE call_id='D0016'").fetchone()[0]
    con.close()
    assert rows == [(fast.finding_id, "sup", "confirm", None),
                    (abuse.finding_id, "sup", "dismiss", "坐席是在复述客户原话，非辱骂")]
    assert total == shown and 0 < total < 100  # the confirmed speech-rate finding still costs points
    assert Store(db).review_state(abuse.finding_id)["status"] == "dismissed"
