"""Reports: HTML never runs transcript text, charts are there, the workbook and CSVs open in Excel."""
from __future__ import annotations

import csv
import html
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from qa_audit.core.model import Call, Finding, Segment
from qa_audit.score.penalty import build_referrals
from qa_audit.report.writer import highlight_pieces, write_reports
from qa_audit.score.scoring import score_store
from qa_audit.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
XSS = "<script>alert(1)</script>"
AUDIO = ROOT / "samples" / "audio" / "D0004.wav"


def make_call(cid: str, agent: str, started: str, team: str, audio: bool = False) -> Call:
    text = f"您好，我是新瑞银行的小王。{XSS}你再不还钱我们就去你单位闹。"
    return Call(cid, agent, started, callee_relation="debtor", audio=str(AUDIO) if audio else None,
                duration=44.0, metadata={"team": team},
                segments=[Segment(0.4, 6.2, "agent", text),
                          Segment(6.5, 8.0, "customer", f"你说什么？{XSS}"),
                          Segment(8.3, 12.0, "agent", "=HYPERLINK(\"http://x\") 快还钱，你是不是傻。")])


def findings_for(c: Call) -> list[Finding]:
    t0 = c.segments[0].text
    a = t0.index("去你单位闹")
    b = t0.index(XSS)
    t2 = c.segments[2].text
    d = t2.index("你是不是傻")
    return [
        Finding(c.call_id, "THREAT-001", "threat", "high", 0, 0.4, 6.2, "agent", "去你单位闹", a, a + 5,
                "坐席以上门相威胁", f"lexicon 去…单位闹 {XSS}; agent; not negated"),
        Finding(c.call_id, "ABUSE-001", "abuse", "medium", 0, 0.4, 6.2, "agent", XSS, b, b + len(XSS),
                f"辱骂 {XSS}", "test"),
        Finding(c.call_id, "ABUSE-002", "abuse", "medium", 2, 8.3, 12.0, "agent", "你是不是傻", d, d + 5,
                "贬低客户", "test"),
    ]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rep")
    db = tmp / "history.sqlite3"
    s = Store(db)
    ids = []
    plan = [("W1-A", "A007", "2026-11-17T10:00:00+08:00", "一组", True, True),
            ("W1-B", "A008", "2026-11-18T10:00:00+08:00", "二组", False, False),
            ("W2-A", "A007", "2026-11-24T10:00:00+08:00", "一组", True, True),
            (f"W2-{XSS}", XSS, "2026-11-25T10:00:00+08:00", XSS, False, True),
            ("../../etc/passwd", "A009", "2026-11-25T11:00:00+08:00", "二组", False, True),
            ("W2-C", "A008", "2026-11-26T10:00:00+08:00", "二组", False, False)]
    for cid, agent, started, team, audio, bad in plan:
        c = make_call(cid, agent, started, team, audio)
        s.save_call(c, findings_for(c) if bad else [])
        ids.append(cid)
    # a reviewer dismissed one finding
    fid = findings_for(make_call("W1-A", "A007", "", "", False))[2].finding_id
    s.add_review(fid, "sup1", "dismiss", reason="语气问题，非辱骂")
    score_store(s, ids)
    build_referrals(s, call_ids=ids)
    out = tmp / "out"
    paths = write_reports(out, s, ids, failures=[(f"in/{XSS}.wav", f"corrupt audio {XSS}"),
                                                 {"item": "in/empty.json", "error": "empty file"}],
                          run_info={"run_id": "r-1", "db": str(db)})
    s.close()
    return out, paths, db


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_every_html_output_escapes_transcript_text(report):
    out, paths, _ = report
    files = html_files(out)
    kinds = {p.parent.name for p in files}
    assert {"calls", "referrals", "out"} <= kinds
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert XSS not in text, p
        # the only script allowed is the static audio-seek script of call pages
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", text, flags=re.S)
        assert all("alert" not in s and "currentTime" in s for s in scripts), p
    for p in [out / "summary.html", *(out / "calls").glob("*.html"), *(out / "referrals").glob("*.html")]:
        text = p.read_text(encoding="utf-8")
        if "W2-A" in p.name or p.name == "summary.html" or "A007" in p.name:
            assert html.escape(XSS, quote=False) in text or "&lt;script&gt;alert(1)&lt;/script&gt;" in text, p


def test_files_stay_inside_the_output_folder(report):
    out, paths, _ = report
    for p in paths.values():
        assert out.resolve() in Path(p).resolve().parents
    assert not list(out.rglob("*.tmp")) and not list(out.rglob(".*.tmp"))
    assert len(list((out / "calls").glob("*.html"))) == 4  # flagged calls only


def test_summary_has_charts_totals_and_failures(report):
    out, _, _ = report
    text = (out / "summary.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", text, flags=re.S)
    assert len(svgs) >= 5, "category, score distribution, team, agent and trend charts"
    assert any("<rect" in s for s in svgs) and any("<polyline" in s for s in svgs)
    for label in ("违规类别分布", "得分分布", "各团队违规", "坐席违规", "周环比趋势", "合格率", "处理失败的文件"):
        assert label in text, label
    assert "2026-W47" in text and "2026-W48" in text  # trend across the history
    assert "in/empty.json" in text and "empty file" in text
    assert "corrupt audio &lt;script&gt;" in text
    assert "威胁恐吓" in text and "辱骂贬低" in text


def test_call_page_highlights_evidence_and_has_audio(report):
    out, paths, _ = report
    page = Path(paths["call:W1-A"])
    text = page.read_text(encoding="utf-8")
    assert re.search(r"<mark[^>]*>去你单位闹<sup>", text)
    assert re.search(r"<mark[^>]*>&lt;script&gt;alert\(1\)&lt;/script&gt;<sup>", text)
    assert 'class="dismissed"' in text and "已撤销" in text  # the dismissed finding is shown as such
    m = re.search(r'<audio id="player" controls preload="metadata" src="([^"]+)"', text)
    assert m and (page.parent / unquote(m.group(1))).resolve() == AUDIO.resolve()
    assert "一票否决" in text and "电话催收质检评分表" in text
    assert "判定说明" in text and "lexicon 去…单位闹 &lt;script&gt;" in text
    # the safe name of an id with path separators
    assert Path(paths["call:../../etc/passwd"]).parent == out / "calls"


def test_referral_sheets(report):
    out, paths, _ = report
    text = Path(paths["referral:A007"]).read_text(encoding="utf-8")
    assert text.count('class="sheet"') == 2  # two periods
    assert "第 2 档 · 书面警告" in text and "第 3 档 · 通报批评/罚款" in text
    assert "复核人签字" in text and "坐席本人签收" in text and "@media print" in text
    assert "00:00.4" in text and "去你单位闹" in text


def test_workbook_opens_with_four_sheets(report):
    import openpyxl
    import pandas as pd

    out, _, _ = report
    sheets = pd.read_excel(out / "audit.xlsx", sheet_name=None)
    assert list(sheets) == ["通话", "违规明细", "评分", "处罚建议"]
    assert len(sheets["通话"]) == 6 and "得分" in sheets["通话"].columns
    assert len(sheets["违规明细"]) == 12 and "证据" in sheets["违规明细"].columns
    assert set(sheets["处罚建议"]["坐席"]) >= {"A007", "A009"}
    wb = openpyxl.load_workbook(out / "audit.xlsx")
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws.column_dimensions["A"].width >= 8
    # text that would be a formula is defused
    ws = wb["违规明细"]
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in values)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_findings_sheet_leads_with_the_chinese_reason(report):
    import pandas as pd

    out, _, _ = report
    df = pd.read_excel(out / "audit.xlsx", sheet_name="违规明细")
    cols = list(df.columns)
    assert cols[0] == "原因" and cols[-1] == "技术详情" and "判定解释" not in cols
    assert df["原因"].notna().all() and all(re.search(r"[\u4e00-\u9fff]", r) for r in df["原因"])
    assert "坐席说“去你单位闹”：坐席以上门相威胁（THREAT-001）" in set(df["原因"])
    assert any(str(x).startswith("lexicon 去…单位闹") for x in df["技术详情"])
    assert set(df["复核状态"]) <= {"待复核", "已确认", "已驳回", "申诉中"} and "已驳回" in set(df["复核状态"])
    header = next(csv.reader((out / "findings.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert header[0] == "原因" and header[-1] == "技术详情"


def test_call_page_shows_the_reason_and_hides_the_trace_behind_details(report):
    _, paths, _ = report
    text = Path(paths["call:W1-A"]).read_text(encoding="utf-8")
    assert '<div class="reason">坐席说“去你单位闹”：坐席以上门相威胁（THREAT-001）</div>' in text
    details = re.findall(r"<details><summary>详情</summary>(.*?)</details>", text, flags=re.S)
    assert len(details) == 3 and any("判定说明：lexicon 去…单位闹" in d for d in details)
    assert "@" not in "".join(re.findall(r'<li>(.*?)</li>', text))  # fatal reasons in Chinese
    assert "扣分" in text and "category abuse" not in text and "按类别“辱骂贬低”扣分" in text


def test_reports_show_the_detectors_reason(tmp_path):
    import pandas as pd

    from qa_audit.detect.detector import Detector

    c = make_call("R-1", "A007", "2026-11-17T10:00:00+08:00", "一组")
    fs = Detector.load().scan(c)
    threat = [f for f in fs if f.rule == "THREAT-001"]
    assert threat and threat[0].reason.startswith("坐席说“") and "（THREAT-001）" in threat[0].reason
    s = Store(tmp_path / "h.sqlite3")
    s.save_call(c, fs)
    score_store(s, ["R-1"])
    paths = write_reports(tmp_path / "out", s, ["R-1"])
    s.close()
    df = pd.read_excel(paths["xlsx"], sheet_name="违规明细")
    assert set(df["原因"]) == {f.reason for f in fs}
    page = Path(paths["call:R-1"]).read_text(encoding="utf-8")
    assert html.escape(threat[0].reason, quote=False) in page


def test_csvs_have_bom_and_chinese_headers(report):
    out, _, _ = report
    for name in ("calls.csv", "findings.csv", "scores.csv", "referrals.csv"):
        raw = (out / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
        assert rows and any("\u4e00" <= ch <= "\u9fff" for ch in "".join(rows[0])), name
    scores = list(csv.DictReader((out / "scores.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert {r["通话编号"]: r["总分"] for r in scores}["W1-B"] == "100.0"


def test_rerun_is_idempotent(report, tmp_path):
    out, paths, db = report
    s = Store(db)
    out2 = tmp_path / "again"
    ids = [r[0] for r in s.conn.execute("SELECT call_id FROM calls")]
    p2 = write_reports(out2, s, ids)
    s.close()
    assert sorted(k for k in p2 if k.startswith(("call:", "referral:"))) == \
        sorted(k for k in paths if k.startswith(("call:", "referral:")))


def test_highlight_pieces():
    text = "你再不还钱我们就去你单位闹"

    def f(a, b, ev=None, cat="threat"):
        return Finding("C", "R", cat, "high", 0, 0, 1, "agent", ev if ev is not None else text[a:b], a, b, "", "")

    p = highlight_pieces(text, [(1, f(8, 13)), (2, f(10, 13, cat="abuse"))])
    assert "".join(x["text"] for x in p) == text
    assert [(x["text"], x["marks"]) for x in p] == [("你再不还钱我们就", []), ("去你", [1]), ("单位闹", [1, 2])]
    # stale offsets: the evidence is found in the text instead; hopeless offsets are ignored
    p = highlight_pieces(text, [(1, f(0, 3, ev="单位闹")), (2, f(50, 60, ev="不存在"))])
    assert [(x["text"], x["marks"]) for x in p] == [("你再不还钱我们就去你", []), ("单位闹", [1])]


@pytest.mark.slow
def test_real_browser_runs_no_transcript_script(report):
    """Open every HTML output in headless Chromium: no dialog opens, the text shows literally."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    out, _, _ = report
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                           "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for p in html_files(out):
                page.goto(p.as_uri())
                page.wait_for_load_state("load")
                body = page.inner_text("body")
                if p.name == "summary.html":
                    assert page.locator("svg.chart").count() >= 5
                    assert XSS in body  # the failure reason, as text
                if p.parent.name == "calls" and "W1-A" in p.name:
                    assert XSS in body
                    assert page.locator("mark").count() >= 2
        finally:
            browser.close()
    assert dialogs == []
