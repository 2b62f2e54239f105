"""Scoring: fatal items, caps, floor, dismissed findings, severity overrides, score_store, CLI."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from qa_audit.core.model import Call, Finding, Segment
from qa_audit.score.rubric import load_rubric
from qa_audit.score.scoring import aggregates, load_scorecards, score_call, score_store
from qa_audit.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
REG = {"THREAT-001": "threat", "ABUSE-001": "abuse", "DIAL-001": "dial_frequency",
       "AUDIO-001": "audio_quality", "NOID-001": "no_self_identification", "POLITE-001": "harassment"}

RUBRIC = """\
name: 测试评分表
kind: call
floor: {floor}
pass_mark: 60
grades:
  - {{name: 优秀, min: 90}}
  - {{name: 合格, min: 60}}
  - {{name: 不合格, min: 0}}
sections:
  - name: 开场
    items:
      - {{id: O1, name: 表明身份, points: 20, deduction: 20, watch: {{categories: [no_self_identification]}}}}
  - name: 红线
    items:
      - {{id: R1, name: 不得威胁, points: 20, deduction: 20, fatal: true, watch: {{categories: [threat]}}}}
  - name: 礼仪
    items:
      - id: M1
        name: 语气平和
        points: 30
        deduction: {{low: 4, medium: 10, high: 15, critical: 30}}
        cap: 25
        watch: {{categories: [harassment]}}
      - {{id: M2, name: 语速, points: 30, deduction: 12, watch: {{codes: [AUDIO-001]}}}}
"""


def rubric(tmp_path: Path, floor: float = 0):
    p = tmp_path / f"rubric_{floor}.yaml"
    p.write_text(RUBRIC.format(floor=floor), encoding="utf-8")
    return load_rubric(p, registry=REG)


def call(cid="C1", agent="A1", started="2026-11-23T10:00:00+08:00", team="一组", kind="call") -> Call:
    return Call(cid, agent, started, kind=kind, metadata={"team": team},
                segments=[Segment(0.0, 4.0, "agent", "您好，我这边是催收中心，你再不还我们就上门。"),
                          Segment(4.5, 6.0, "customer", "你们想干什么？"),
                          Segment(6.2, 9.0, "agent", "快点还钱，别磨蹭，听到没有。")])


def finding(cid, rule, cat, sev="medium", seg=0, a=0, b=2, start=None) -> Finding:
    c = call(cid)
    text = c.segments[seg].text if seg is not None else ""
    return Finding(cid, rule, cat, sev, seg, start if start is not None else (c.segments[seg].start if seg is not None else None),
                   None, "agent", text[a:b] if seg is not None else "", a if seg is not None else None,
                   b if seg is not None else None, "msg", "why")


def test_clean_call_full_marks(tmp_path):
    k = score_call(call(), [], rubric(tmp_path))
    assert (k.total, k.grade, k.passed, k.fatal) == (100, "优秀", True, False)
    assert all(it.score == it.points for it in k.items)


def test_fatal_zeroes_the_call(tmp_path):
    f = finding("C1", "THREAT-001", "threat", "high", seg=0, a=16, b=21)
    k = score_call(call(), [f], rubric(tmp_path))
    assert k.fatal and k.total == 0 and k.grade == "不合格" and not k.passed
    assert k.raw_total == 80  # what the items alone would have given
    assert "R1" in k.fatal_reasons[0] and "THREAT-001" in k.fatal_reasons[0]
    r1 = next(i for i in k.items if i.id == "R1")
    assert [h.finding_id for h in r1.hits] == [f.finding_id] and r1.hits[0].why == "category threat"


def test_cap_limits_an_items_loss(tmp_path):
    # harassment: high = 15 each; cap 25 → 15 + 10 (capped) + 0
    fs = [finding("C1", "POLITE-001", "harassment", "high", seg=2, a=i, b=i + 2, start=6.2 + i) for i in (0, 3, 6)]
    k = score_call(call(), fs, rubric(tmp_path))
    m1 = next(i for i in k.items if i.id == "M1")
    assert [h.deduction for h in m1.hits] == [15, 10, 0]
    assert [h.nominal for h in m1.hits] == [15, 15, 15]
    assert m1.deducted == 25 and m1.score == 5
    assert k.total == 75 and not k.fatal and k.grade == "合格"


def test_floor_is_the_lowest_total(tmp_path):
    fs = [finding("C1", "NOID-001", "no_self_identification", seg=None)] + \
         [finding("C1", "POLITE-001", "harassment", "critical", seg=2, a=i, b=i + 1, start=7 + i) for i in (0, 2)] + \
         [finding("C1", "AUDIO-001", "audio_quality", "low", seg=None)] * 1
    k0 = score_call(call(), fs, rubric(tmp_path, floor=0))
    assert k0.raw_total == 100 - 20 - 25 - 12 == 43 and k0.total == 43
    k50 = score_call(call(), fs, rubric(tmp_path, floor=50))
    assert k50.total == 50 and k50.grade == "不合格"
    # fatal goes to the floor too
    fs.append(finding("C1", "THREAT-001", "threat", "high", seg=0, a=16, b=21))
    assert score_call(call(), fs, rubric(tmp_path, floor=50)).total == 50


def test_dismissed_findings_drop_out_and_overrides_apply(tmp_path):
    thr = finding("C1", "THREAT-001", "threat", "high", seg=0, a=16, b=21)
    har = finding("C1", "POLITE-001", "harassment", "high", seg=2, a=0, b=4)
    rub = rubric(tmp_path)
    assert score_call(call(), [thr, har], rub).total == 0
    states = {thr.finding_id: {"status": "dismissed", "severity": None},
              har.finding_id: {"status": "confirmed", "severity": "low"}}
    k = score_call(call(), [thr, har], rub, states)
    assert not k.fatal and k.dismissed == [thr.finding_id]
    m1 = next(i for i in k.items if i.id == "M1")
    assert m1.hits[0].severity == "low" and m1.hits[0].original_severity == "high" and m1.deducted == 4
    assert k.total == 96
    # an appealed finding still counts until the final decision
    k2 = score_call(call(), [thr], rub, {thr.finding_id: {"status": "appealed", "severity": None}})
    assert k2.fatal


def test_unwatched_finding_is_listed_not_lost(tmp_path):
    f = finding("C1", "ABUSE-001", "abuse", "high", seg=2, a=0, b=4)
    k = score_call(call(), [f], rubric(tmp_path))
    assert k.unmatched == [f.finding_id] and k.total == 100


def test_default_rubric_by_kind():
    t = score_call(call(kind="text"), [])
    c = score_call(call(), [])
    assert t.rubric.startswith("短信") and c.rubric.startswith("电话")


def test_score_store_uses_reviews_and_is_idempotent(tmp_path):
    db = tmp_path / "h.sqlite3"
    s = Store(db)
    thr = finding("C1", "THREAT-001", "threat", "high", seg=0, a=16, b=21)
    s.save_call(call("C1"), [thr])
    s.save_call(call("C2", agent="A2", team="二组"), [])
    cards = score_store(s)
    assert {k.call_id: k.total for k in cards} == {"C1": 0, "C2": 100}
    s.add_review(thr.finding_id, "sup1", "dismiss", reason="客户自己说的")
    score_store(s, ["C1"])
    score_store(s, ["C1", "nope"])  # unknown ids are skipped
    assert s.conn.execute("SELECT COUNT(*) FROM scorecards").fetchone()[0] == 2
    saved = load_scorecards(s)
    assert saved["C1"].total == 100 and not saved["C1"].fatal
    row = s.conn.execute("SELECT total, grade, fatal FROM scorecards WHERE call_id='C1'").fetchone()
    assert tuple(row) == (100, "优秀", 0)
    # the JSON round trip keeps every hit
    assert saved["C1"].to_dict() == score_store(s, ["C1"])[0].to_dict()
    s.close()


def test_aggregates_per_agent_team_week():
    cards = [score_call(call(f"C{i}", agent=a, team=t, started=d), fs)
             for i, (a, t, d, fs) in enumerate([
                 ("A1", "一组", "2026-11-16T10:00:00+08:00", []),
                 ("A1", "一组", "2026-11-23T10:00:00+08:00", [finding("C1", "X", "threat", "high", seg=0, a=16, b=21)]),
                 ("A2", "二组", "2026-11-23T11:00:00+08:00", []),
             ])]
    ag = aggregates(cards)
    a1 = ag["agent"].set_index("agent_id").loc["A1"]
    assert a1["calls"] == 2 and a1["pass_rate"] == 0.5 and a1["fatal_calls"] == 1 and a1["mean_score"] == 50
    assert list(ag["week"]["week"]) == ["2026-W47", "2026-W48"]
    assert ag["team"].set_index("team").loc["二组"]["mean_score"] == 100


def test_score_cli(tmp_path):
    tdir = tmp_path / "t"
    tdir.mkdir()
    for cid in ("C1", "C2"):
        (tdir / f"{cid}.json").write_text(call(cid).to_json(), encoding="utf-8")
    (tdir / "broken.json").write_text("{not json", encoding="utf-8")
    thr = finding("C1", "THREAT-001", "threat", "high", seg=0, a=16, b=21)
    fj = tmp_path / "findings.jsonl"
    fj.write_text(json.dumps(thr.to_dict(), ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "qa_audit", "score", str(tdir), "--findings", str(fj),
                        "--out", str(out), "--db", str(tmp_path / "h.db")],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr  # one transcript failed
    assert "broken.json" in r.stderr and "invalid JSON" in r.stderr
    assert "scored 2 calls" in r.stdout
    card = json.loads((out / "scorecards" / "C1.json").read_text(encoding="utf-8"))
    assert card["fatal"] and card["total"] == 0
    raw = (out / "scores.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert {r["call_id"]: r["total"] for r in rows} == {"C1": "0.0", "C2": "100.0"}
    assert (out / "aggregates_agent.csv").exists() and (out / "aggregates_week.csv").exists()
    s = Store(tmp_path / "h.db")
    assert s.conn.execute("SELECT COUNT(*) FROM scorecards").fetchone()[0] == 2
    assert len(s.findings_for_call("C1")) == 1
    s.close()


def test_score_cli_bad_rubric_names_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(textwrap.dedent("""\
        name: x
        kind: call
        grades: [{name: a, min: 0}]
        sections:
          - name: s
            items:
              - {id: I, name: n, points: 10, watch: {codes: [NOPE-404]}}
        """), encoding="utf-8")
    fj = tmp_path / "f.jsonl"
    fj.write_text("", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "qa_audit", "score", str(tmp_path), "--findings", str(fj),
                        "--out", str(tmp_path / "o"), "--rubric", str(bad)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert f"{bad}:7: item I: unknown rule code 'NOPE-404'" in r.stderr
