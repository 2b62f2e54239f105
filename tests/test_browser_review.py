"""A real browser (Debian's chromium, headless, driven by Playwright) walks issue 12's loop: a
supervisor draws the week's 抽检 sample, gives verdicts on sampled calls, confirms and dismisses
findings in the queue, and reads precision and miss rate on the 质量监测 page."""
from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from qa_audit.core.model import Call, Finding, Segment
from qa_audit.review.metrics import wilson
from qa_audit.store.db import Store
from qa_audit.web import auth, create_app
CHROMIUM = os.environ.get("QA_AUDIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.slow
PW = "browser-pass-2"
WEEK = "2026-W48"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _db(path):
    store = Store(path)
    with store.transaction() as con:
        for a in range(2):
            for k in range(8):
                cid = f"W{a}{k:02d}"
                call = Call(cid, agent_id=f"A{a}", started_at=f"2026-11-2{3 + k % 5}T10:00:00+08:00",
                            callee_relation="debtor",
                            segments=[Segment(0, 3, "agent", "您好，这里是泰和银行信用卡中心。"),
                                      Segment(3, 6, "customer", "嗯，什么事？"),
                                      Segment(6, 9, "agent", "您这期账单今天到期，明天我们的人就去你单位。")])
                fs = []
                if k < 3:  # three flagged calls per agent
                    fs = [Finding(cid, "THREAT-001", "threat", "high", 2, 6.0, 9.0, "agent", "明天我们的人就去你单位",
                                  9, 20, "坐席以上门、到单位或联系家人/单位相威胁", "test", 0.8, {"entry": "visit"})]
                store.save_call(call, fs, con=con)
    auth.add_user(store, "sup", PW, "supervisor")
    return store


@pytest.fixture()
def served(tmp_path):
    import uvicorn

    db = tmp_path / "h.sqlite3"
    _db(db)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield {"base": f"http://127.0.0.1:{port}", "db": db, "shots": tmp_path}
    server.should_exit = True
    th.join(timeout=10)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed")
def test_sampling_decisions_and_quality_page_in_a_real_browser(served):
    from playwright.sync_api import sync_playwright

    base, db = served["base"], served["db"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(20000)
            page.goto(base + "/sample")
            page.fill("input[name=username]", "sup")
            page.fill("input[name=password]", PW)
            page.click("button[type=submit]")
            page.wait_for_url("**/sample")

            # draw this week's sample: half of the 10 unflagged calls, stratified by agent
            page.select_option("#draw-form select[name=week]", WEEK)
            page.fill("#draw-form input[name=rate]", "0.5")
            page.click("#draw-form button[type=submit]")
            page.wait_for_selector(".flash")
            assert "抽检（新抽取）" in page.locator(".flash").first.inner_text()
            links = page.locator("table.sample a.call-link")
            ids = [links.nth(i).inner_text() for i in range(links.count())]
            assert len(ids) == 5 and all(int(x[2:]) >= 3 for x in ids)  # only unflagged calls
            assert page.locator("td.verdict-status").first.inner_text() == "待抽检"

            # verdicts: the first sampled call hides a threat, the others are clean
            for n, cid in enumerate(ids[:4]):
                page.goto(f"{base}/calls/{cid}")
                form = page.locator("form.verdict-form[data-purpose=sample]")
                if n == 0:
                    form.locator("input[value=threat]").check()
                    form.locator("select[name=segment]").select_option("2")
                    form.locator("input[name=note]").fill("漏检：明天我们的人就去你单位")
                form.locator("button[type=submit]").click()
                page.wait_for_selector(".flash")
                assert "已记录抽检结论" in page.locator(".flash").first.inner_text()
            page.goto(f"{base}/sample?week={WEEK}")
            statuses = [page.locator("td.verdict-status").nth(i).inner_text() for i in range(5)]
            assert statuses.count("待抽检") == 1 and "威胁恐吓" in statuses[ids.index(ids[0])]

            # decisions on flagged calls: confirm four findings, dismiss one with a reason
            page.goto(base + "/queue")
            flagged = [page.locator("a.call-link").nth(i).inner_text() for i in range(page.locator("a.call-link").count())]
            assert len(flagged) == 6
            for n, cid in enumerate(flagged[:5]):
                page.goto(f"{base}/calls/{cid}")
                art = page.locator("article.finding").first
                if n < 4:
                    art.locator("button.confirm").click()
                else:
                    art.locator("input[name=reason]").first.fill("坐席是在转述客户的话")
                    art.locator("button.dismiss").click()
                page.wait_for_selector(".flash")

            # the 质量监测 page: precision 4/5 and miss rate 1/4, with Wilson intervals
            page.goto(f"{base}/quality?week={WEEK}")
            assert page.locator("#miss-rate").inner_text() == "25.0%"
            row = page.locator("#precision tr[data-rule='THREAT-001']")
            cells = row.locator("td")
            assert [cells.nth(i).inner_text() for i in (3, 4, 5, 6)] == ["6", "4", "1", "1"]
            _, lo, hi = wilson(4, 5)
            text = row.locator("td.precision").inner_text()
            assert text.startswith("80.0%") and f"{100 * lo:.1f}%" in text and f"{100 * hi:.1f}%" in text
            miss = page.locator("#miss tr[data-cat=threat]").inner_text()
            assert "25.0%" in miss and "(1/4)" in miss.replace("（", "(").replace("）", ")")
            page.screenshot(path=str(served["shots"] / "quality.png"), full_page=True)
        finally:
            browser.close()

    store = Store(db)
    rows = store.conn.execute("SELECT purpose, categories_json, segment FROM call_verdicts ORDER BY verdict_id").fetchall()
    assert [tuple(r) for r in rows][0] == ("sample", '["threat"]', 2) and len(rows) == 4
    assert re.fullmatch(r"[0-9a-f]{16}", store.conn.execute("SELECT seed FROM audit_sample_weeks").fetchone()[0])
