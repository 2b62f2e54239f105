"""Every finding carries a plain-Chinese ``reason``: who said what and what it means, for every rule
(conversation rules on their YAML fail cases, DIAL-* on a dial log, AUDIO-* on a call); it is
serialized, stored (with a migration for older databases), written by ``qa-audit scan``, and the
shared labels read the same everywhere."""
from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path

import pytest
import yaml

from qa_audit.core import labels as L
from qa_audit.core.model import Call, Finding, Segment
from qa_audit.detect.detector import Detector
from qa_audit.detect.rules import registry
from qa_audit.detect.rules.audio_metrics import run_audio_rules
from qa_audit.detect.rules.dial import run_dial_rules
from qa_audit.store.db import SCHEMA_VERSION, Store

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "rules"
CJK = re.compile(r"[\u4e00-\u9fff]")
QUOTE = re.compile(r"“[^”]*”")


def assert_chinese_reason(f: Finding) -> None:
    r = f.reason
    assert r and CJK.search(r), f"{f.rule}: no Chinese reason: {r!r}"
    assert r.endswith(f"（{f.rule}）"), r
    said = QUOTE.sub("", r[: -len(f"（{f.rule}）")])  # the quoted transcript may hold Latin letters
    assert not re.search(r"[A-Za-z]{2,}", said), f"English in the reason: {r!r}"
    for tech in ("role:", ".yaml", "score", "weak", "entry", "lexicon", "|"):
        assert tech not in r, (tech, r)
    if f.segment is not None and f.evidence:
        assert re.match(r"^(模型建议复核：)?(坐席|客户|未识别的说话人)说“", r), r
        assert len(QUOTE.search(r).group()) <= L.QUOTE_LIMIT + 4  # the quote is shortened


# --- conversation rules: their YAML fail cases ----------------------------------------------------
def _fail_cases():
    for path in sorted(CASES.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, items in doc.items():
            if key.startswith("fail"):
                for n, case in enumerate(items):
                    yield pytest.param(doc["rule"], case, id=f"{doc['rule']}-{key}-{n}")


def _call(case) -> Call:
    if isinstance(case, str):
        case = {"speaker": "agent", "text": case}
    segs = case.get("segments") or [case]
    return Call(call_id="T1", agent_id="A1", callee_relation=case.get("callee_relation", "debtor"),
                segments=[Segment(float(i * 5), float(i * 5 + 4), s.get("speaker", "agent"), str(s["text"]))
                          for i, s in enumerate(segs)],
                kind=case.get("kind", "call"))  # kind: text = a written notice (NOTICE-001)


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.load()


@pytest.mark.parametrize("code,case", list(_fail_cases()))
def test_every_fail_case_has_a_chinese_reason(detector, code, case):
    found = [f for f in detector.with_rules([registry.get(code)]).scan(_call(case)) if f.rule == code]
    assert found
    for f in found:
        assert_chinese_reason(f)


def test_every_rule_has_a_chinese_reason_template():
    for r in registry.all_rules():
        assert r.reason_template and CJK.search(r.reason_template), r.code


def test_every_model_suggestion_code_has_a_chinese_reason():
    """ML-… suggestions are not registered rules: their pseudo-rules give the reason."""
    from qa_audit.detect.learned.features import MODEL_CATEGORIES
    from qa_audit.detect.learned.model import SUGGESTED_CODES, SuggestedRule

    assert set(SUGGESTED_CODES) == set(MODEL_CATEGORIES)
    for cat, code in SUGGESTED_CODES.items():
        rule = SuggestedRule(code, cat)
        assert CJK.search(rule.message)
        f = Finding("T1", code, cat, rule.severity, 2, 10.0, 14.0, "agent", "今晚我就过去找你", 0, 8,
                    rule.message, "tech")
        f.reason = rule.reason_for(f)
        assert_chinese_reason(f)
        assert f.reason.startswith("模型建议复核：坐席说“今晚我就过去找你”") and L.category_label(cat) in f.reason


def test_reason_quotes_the_agent_and_says_what_it_means(detector):
    call = _call("明天上午我们的人就去你们单位找你。")
    (f,) = [f for f in detector.scan(call) if f.rule == "THREAT-001"]
    assert f.reason.startswith("坐席说“明天上午我们的人就去你们单位找你”：")
    assert "相威胁" in f.reason and f.reason.endswith("（THREAT-001）")
    assert "role:" in f.explanation  # the technical trace stays in the explanation


def test_long_evidence_is_shortened_around_the_hit(detector):
    text = "我跟你说啊这个事情我们也是没有办法的公司那边已经催了好几次了再拖下去明天上午我们的人就去你们单位找你"
    (f,) = [f for f in detector.scan(_call(text)) if f.rule == "THREAT-001"]
    quote = QUOTE.search(f.reason).group()[1:-1]
    assert quote.startswith("…") and "我们的人就去" in quote and len(quote) <= L.QUOTE_LIMIT + 2


def test_call_level_and_disclosure_reasons(detector):
    (f,) = [f for f in detector.scan(_call("您好，我是负责您账户的客户经理小秦，工号3318。")) if f.rule == "SELFID-001"]
    assert f.reason == "整通电话坐席未表明所代表的机构名称（SELFID-001）"
    call = _call({"callee_relation": "debtor", "segments": [
        {"speaker": "agent", "text": "您好，我是泰和银行信用卡中心的。"},
        {"speaker": "customer", "text": "我是他妈妈，他手机落家里了。"},
        {"speaker": "agent", "text": "周俊的那笔钱已经逾期四十五天了。"}]})
    (d,) = [f for f in detector.scan(call) if f.rule == "DISCLOSE-001"]
    assert "客户说过“" in d.reason and "并非债务人本人" in d.reason
    assert_chinese_reason(d)


# --- dial-log and audio rules -----------------------------------------------------------------------
HEADER = ["call_id", "file", "agent_id", "team", "case_id", "callee_number", "callee_relation",
          "started_at", "connected", "duration"]


def _dial_findings(tmp_path, rows):
    from qa_audit.core.dial_log import load_dial_log

    p = tmp_path / "dial.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=HEADER)
        w.writeheader()
        for i, r in enumerate(rows):
            w.writerow({"call_id": f"X{i:04d}", "file": "", "agent_id": "A001", "team": "T1", "case_id": "C1",
                        "callee_number": "13812348000", "callee_relation": "debtor", "connected": "yes",
                        "duration": "60", **r})
    recs, errs = load_dial_log(p, b"k")
    assert errs == []
    return run_dial_rules(recs, {})


def test_every_dial_rule_has_a_chinese_reason(tmp_path):
    day = "2026-11-10"
    rows = [{"started_at": f"{day}T22:41:00+08:00", "connected": "no", "callee_number": "13700000001"}]
    rows += [{"started_at": f"{day}T{h:02d}:00:00+08:00"} for h in (9, 11, 14, 16)]  # 4 debtor connects
    rows += [{"started_at": f"{day}T{h:02d}:30:00+08:00", "callee_relation": "contact",
              "callee_number": "13900000002"} for h in (9, 11, 14, 16)]  # 4 contact connects
    rows += [{"started_at": f"{day}T{h:02d}:10:00+08:00", "connected": "no", "callee_number": "13600000003",
              "case_id": "C2"} for h in range(9, 16)]  # 7 unanswered
    rows += [{"started_at": f"2026-11-{d:02d}T10:00:00+08:00", "case_id": "C3", "connected": "no",
              "callee_number": "13500000004"} for d in (9, 15)]  # a whole week, 2 attempts
    fs = _dial_findings(tmp_path, rows)
    got = {f.rule: f for f in fs}
    assert set(got) == {"DIAL-001", "DIAL-002", "DIAL-003", "DIAL-004", "DIAL-005"}
    for f in fs:
        assert_chinese_reason(f)
        assert "1381234" not in f.reason and "8000" not in f.reason  # never the clear number
    assert got["DIAL-001"].reason == "22:41 拨打，处于禁止催收时段 22:00–08:00（DIAL-001）"
    assert "当天第 4 次接通同一债务人" in got["DIAL-002"].reason and "超过每天 3 次" in got["DIAL-002"].reason
    assert "当天第 4 次接通同一联系人" in got["DIAL-003"].reason
    assert "当天第 7 次拨打同一号码未接通" in got["DIAL-004"].reason
    c3 = [f for f in fs if f.rule == "DIAL-005" and f.details["case_id"] == "C3"][0]
    assert "案件 C3 在 2026 年第 46 周只拨打债务人 2 次" in c3.reason and "最低 4 次" in c3.reason


def test_every_audio_rule_has_a_chinese_reason():
    call = Call("Q1", "A1", segments=[Segment(0.0, 6.0, "agent", "一" * 40),
                                      Segment(30.0, 36.0, "customer", "好的我知道了")])
    fs = {f.rule: f for f in run_audio_rules(call)}
    assert set(fs) == {"AUDIO-001", "AUDIO-002"}
    for f in fs.values():
        assert_chinese_reason(f)
    assert fs["AUDIO-001"].reason == "坐席语速每分钟 400 字，超过每分钟 380 字的上限（AUDIO-001）"
    assert fs["AUDIO-002"].reason == "通话中从 6.0 秒到 30.0 秒连续 24.0 秒无人说话，超过 15 秒的上限（AUDIO-002）"


def test_a_plugin_rule_without_template_gets_its_message(detector):
    from qa_audit.detect.rules.base import Rule

    class Plug(Rule):
        code, name, category, basis, message, scope = "PLUG-001", "plug", "abuse", "b", "坐席说了不该说的话", "call"

        def check(self, ctx):
            yield Finding(ctx.call_id, self.code, self.category, "low", None, None, None, "agent", "", None, None,
                          self.message, "tech")

    (f,) = detector.with_rules([Plug]).scan(_call("你好"))
    assert f.reason == "坐席说了不该说的话（PLUG-001）"


# --- round trips ------------------------------------------------------------------------------------
def test_reason_is_serialized_and_stored(tmp_path, detector):
    call = _call("你就是个老赖，满嘴没一句实话。")
    fs = detector.scan(call)
    assert fs and all(f.reason for f in fs)
    d = fs[0].to_dict()
    assert d["reason"] == fs[0].reason and Finding.from_dict(d).reason == fs[0].reason
    old = {k: v for k, v in d.items() if k != "reason"}
    assert Finding.from_dict(old).reason == ""
    s = Store(tmp_path / "h.sqlite3")
    s.save_call(call, fs)
    assert [f.reason for f in s.findings_for_call("T1")] == [f.reason for f in fs]


def test_an_old_database_gets_the_reason_column(tmp_path):
    db = tmp_path / "v1.sqlite3"
    con = sqlite3.connect(db)
    con.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE calls (call_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL DEFAULT '', team TEXT NOT NULL DEFAULT '',
            started_at TEXT NOT NULL DEFAULT '', week TEXT NOT NULL DEFAULT '', callee_relation TEXT NOT NULL DEFAULT 'unknown',
            kind TEXT NOT NULL DEFAULT 'call', audio TEXT, duration REAL, content_hash TEXT, transcript_json TEXT NOT NULL,
            run_id TEXT, updated_at TEXT);
        CREATE TABLE findings (finding_id TEXT PRIMARY KEY, call_id TEXT NOT NULL, rule TEXT NOT NULL,
            category TEXT NOT NULL, severity TEXT NOT NULL, segment INTEGER, start REAL, "end" REAL, speaker TEXT,
            evidence TEXT, char_start INTEGER, char_end INTEGER, message TEXT, explanation TEXT, score REAL,
            details_json TEXT, created_at TEXT);
    """)
    con.execute("INSERT INTO calls(call_id, transcript_json) VALUES ('C1', ?)", (Call("C1").to_json(),))
    con.execute("INSERT INTO findings(finding_id, call_id, rule, category, severity, speaker, evidence, message, "
                "explanation, score) VALUES ('f1', 'C1', 'THREAT-001', 'threat', 'high', 'agent', '', '坐席威胁', 't', 1)")
    con.commit()
    con.close()
    s = Store(db)
    (f,) = s.findings_for_call("C1")
    assert f.reason == "" and L.reason_of(f) == "坐席威胁（THREAT-001）"
    assert s.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    Store(db)  # opening again is a no-op


def test_scan_cli_writes_the_reason(tmp_path):
    from typer.testing import CliRunner

    from qa_audit.cli import app

    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["scan", str(ROOT / "samples" / "dev" / "D0007.json"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    with open(out / "findings.csv", encoding="utf-8-sig") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert rows and all(CJK.search(x["reason"]) for x in rows)
    assert [x["reason"] for x in csv_rows] == [x["reason"] for x in rows]


# --- labels -----------------------------------------------------------------------------------------
def test_shared_labels():
    assert (L.category_label("threat"), L.severity_label("high"), L.status_label("unreviewed")) == \
        ("威胁恐吓", "严重", "待复核")
    assert L.seconds_label(26.24) == "26.2 秒" and L.seconds_label(None) == ""
    assert L.why_label("category threat") == "按类别“威胁恐吓”扣分"
    assert L.reason_line("以到单位找人相威胁", "THREAT-001", "agent", "明天上午我们的人就去你们单位") == \
        "坐席说“明天上午我们的人就去你们单位”：以到单位找人相威胁（THREAT-001）"
    assert L.shorten("一" * 50, 10) == "一" * 10 + "…" and L.shorten("短句", 10) == "短句"
    from qa_audit.score import rubric
    from qa_audit.web import app

    assert rubric.CATEGORY_LABELS is L.CATEGORY_LABELS and app.STATUS_LABELS is L.STATUS_LABELS


def test_fatal_reasons_are_chinese():
    from qa_audit.score.scoring import Scorecard, score_call

    call = Call("C1", "A1", segments=[Segment(26.2, 30.0, "agent", "你小心点")])
    f = Finding("C1", "THREAT-003", "threat", "critical", 0, 26.2, 30.0, "agent", "你小心点", 0, 4, "m", "e")
    card = score_call(call, [f])
    assert card.fatal and card.fatal_reasons
    r = card.fatal_reasons[0]
    assert "THREAT-003（威胁恐吓，特别严重，待复核），26.2 秒处" in r and "@" not in r
    old = card.to_dict()
    old["fatal_reasons"] = ["RED-01 x: THREAT-003 (threat, critical, unreviewed) @26.2s"]
    assert Scorecard.from_dict(old).fatal_reasons == card.fatal_reasons  # older cards read the same
