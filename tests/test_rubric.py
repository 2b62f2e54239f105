"""Rubric and penalty-file validation: every problem is reported as ``file:line: what is wrong``."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from qa_audit.score.penalty import load_penalties
from qa_audit.score.rubric import RubricError, default_rubric, load_rubric
from qa_audit.core.yamlsrc import YamlError, loads_yaml

REG = {"THREAT-001": "threat", "ABUSE-001": "abuse", "DIAL-001": "dial_frequency",
       "DIAL-002": "dial_frequency", "AUDIO-001": "audio_quality"}

GOOD = """\
name: 测试评分表
version: "1"
kind: call
floor: 0
pass_mark: 60
grades:
  - {name: 合格, min: 60}
  - {name: 不合格, min: 0}
sections:
  - name: 合规红线
    items:
      - id: R1
        name: 不得威胁
        points: 60
        deduction: 10
        fatal: true
        watch: {categories: [threat]}
      - id: R2
        name: 拨打合规
        points: 40
        deduction: {low: 5, medium: 10, high: 20, critical: 40}
        cap: 30
        watch: {codes: [DIAL-001], globs: ["DIAL-*"]}
"""


def write(tmp_path: Path, text: str, name: str = "r.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_good_rubric_loads(tmp_path):
    r = load_rubric(write(tmp_path, GOOD), registry=REG)
    assert r.max_points == 100
    assert [i.id for i in r.items] == ["R1", "R2"]
    assert r.items[0].fatal and r.items[1].cap == 30
    assert r.items[1].deduction_for("high") == 20
    assert r.grade_for(59.9) == "不合格" and r.grade_for(60) == "合格"


# (replace this line of GOOD, by this text) -> expected line number, expected words in the message
CASES = [
    ("        watch: {categories: [threat]}", "        watch: {codes: [THREAT-999]}", 17, "unknown rule code 'THREAT-999'"),
    ('        watch: {codes: [DIAL-001], globs: ["DIAL-*"]}', '        watch: {globs: ["DAIL-*"]}', 23, "glob 'DAIL-*' matches no rule"),
    ("        watch: {categories: [threat]}", "        watch: {categories: [thraet]}", 17, "unknown category 'thraet'"),
    ("        points: 60\n", "        points: sixty\n", 14, "'points' must be a number"),
    ("        fatal: true\n", "        fatal: yes please\n", 16, "'fatal' must be true or false"),
    ("        cap: 30\n", "        cap: 50\n", 22, "cap 50 exceeds the item's points 40"),
    ("        name: 不得威胁\n", "", 12, "missing required field 'name'"),
    ("        deduction: 10\n", "        deduction: 10\n        dedcution: 3\n", 16, "unknown field 'dedcution'"),
    ("  - {name: 合格, min: 60}\n  - {name: 不合格, min: 0}", "  - {name: 不合格, min: 0}\n  - {name: 合格, min: 60}", 8, "highest first"),
    ("        deduction: {low: 5,", "        deduction: {minor: 5,", 21, "deduction severity must be one of"),
    ("kind: call", "kind: email", 3, "kind must be one of"),
    ("      - id: R2", "      - id: R1", 18, "duplicate item id"),
    ("        watch: {categories: [threat]}", "        watch: {codes: [THREAT-*]}", 17, "is a glob"),
]


@pytest.mark.parametrize("old,new,line,words", CASES, ids=[c[3][:30] for c in CASES])
def test_rubric_errors_name_file_and_line(tmp_path, old, new, line, words):
    assert old in GOOD
    p = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(RubricError) as e:
        load_rubric(p, registry=REG)
    msgs = [m for m in e.value.errors if words in m]
    assert msgs, f"no error containing {words!r} in {e.value.errors}"
    assert msgs[0].startswith(f"{p}:{line}: "), msgs[0]


def test_broken_yaml_names_file_and_line(tmp_path):
    p = write(tmp_path, GOOD.replace("        points: 60\n", "        points: [60\n"))
    with pytest.raises(RubricError) as e:
        load_rubric(p, registry=REG)
    m = re.match(rf"{re.escape(str(p))}:(\d+): invalid YAML", str(e.value))
    assert m, str(e.value)
    assert 14 <= int(m.group(1)) <= 16  # the unclosed flow sequence, reported where the parser stops


def test_duplicate_key_and_not_a_mapping(tmp_path):
    p = write(tmp_path, GOOD.replace("floor: 0\n", "floor: 0\nfloor: 5\n"))
    with pytest.raises(RubricError, match=rf"{re.escape(str(p))}:5: duplicate key 'floor'"):
        load_rubric(p, registry=REG)
    p2 = write(tmp_path, "- just\n- a list\n", "l.yaml")
    with pytest.raises(RubricError, match=rf"{re.escape(str(p2))}:1: .*mapping at the top level"):
        load_rubric(p2, registry=REG)
    with pytest.raises(RubricError, match="cannot read"):
        load_rubric(tmp_path / "missing.yaml", registry=REG)


def test_all_errors_reported_at_once(tmp_path):
    text = GOOD.replace("[threat]", "[thraet]").replace("points: 40", "points: -4")
    with pytest.raises(RubricError) as e:
        load_rubric(write(tmp_path, text), registry=REG)
    assert len(e.value.errors) >= 2


def test_yamlsrc_keeps_lines():
    d = loads_yaml("a: 1\nb:\n  - x\n  - {c: 2}\n", "t.yaml")
    assert d.key_line("b") == 2 and d["b"].item_line(1) == 4 and d["b"][1].line == 4
    with pytest.raises(YamlError, match=r"^t.yaml:2: invalid YAML"):
        loads_yaml("a: 1\n b: [\n", "t.yaml")


def test_default_rubrics_load_against_the_real_registry():
    call, text = default_rubric("call"), default_rubric("text")
    assert call.kind == "call" and text.kind == "text"
    assert call.max_points == 100 and text.max_points == 100
    fatal_cats = {c for it in call.items if it.fatal for c in it.categories}
    assert fatal_cats == {"threat", "abuse", "third_party_disclosure", "impersonation", "unauthorized_waiver",
                          "contact_pressure"}
    sections = [s.name for s in call.sections]
    assert sections[0] == "开场与身份表明" and "沟通礼仪" in sections and "还款协商" in sections
    assert [g.name for g in call.grades] == ["优秀", "良好", "合格", "不合格"]
    with pytest.raises(ValueError):
        default_rubric("email")


# --- penalties.yaml ---------------------------------------------------------------------------------
def test_shipped_penalties_load():
    pen = load_penalties()
    assert [t.name for t in pen.tiers] == ["口头警告", "书面警告", "通报批评/罚款", "停岗培训"]
    assert pen.window_days == 90 and pen.severity_tier["critical"] >= 2


PEN_CASES = [
    ("  critical: 2", "  critical: 7", "tier 7 for 'critical' does not exist"),
    ("  - {prior_at_least: 3, add: 2}", "  - {prior_at_least: 1, add: 2}", "increasing prior_at_least"),
    ("window_days: 90", "window_days: ninety", "'window_days' must be a whole number"),
    ("  impersonation: 3", "  impostor: 3", "unknown category 'impostor'"),
    ("  - level: 3", "  - level: 5", "expected 3, got 5"),
    ("  low: 1\n", "", "missing severity 'low'"),
]


@pytest.mark.parametrize("old,new,words", PEN_CASES, ids=[c[2][:30] for c in PEN_CASES])
def test_penalty_errors_name_file_and_line(tmp_path, old, new, words):
    src = (Path(__file__).resolve().parents[1] / "rubrics" / "penalties.yaml").read_text(encoding="utf-8")
    assert old in src
    bad = src.replace(old, new, 1)
    p = write(tmp_path, bad, "penalties.yaml")
    with pytest.raises(RubricError) as e:
        load_penalties(p)
    msgs = [m for m in e.value.errors if words in m]
    assert msgs, e.value.errors
    m = re.match(rf"{re.escape(str(p))}:(\d+): ", msgs[0])
    assert m, msgs[0]
    line = int(m.group(1))
    lines = bad.splitlines()
    # the line named is the changed line (or, for a missing key, the mapping that lacks it)
    target = new.splitlines()[0].strip() if new else "severity_tier:"
    assert target.split(":")[0].strip("- {") in lines[line - 1] or lines[line - 1].strip().startswith("medium"), \
        (line, lines[line - 1])


def test_penalty_broken_yaml(tmp_path):
    p = write(tmp_path, "name: x\ntiers:\n  - {level: 1, name: 口头警告\n", "penalties.yaml")
    with pytest.raises(RubricError, match=rf"^{re.escape(str(p))}:\d+: invalid YAML"):
        load_penalties(p)


def test_default_rubrics_watch_every_registered_rule():
    """A rule nobody scores would be silently free: every registered rule is watched by an item of
    the call rubric, and every conversation rule by an item of the SMS/letter rubric."""
    from qa_audit.core.model import Finding
    from qa_audit.detect.rules import registry

    call, text = default_rubric("call"), default_rubric("text")
    rules = registry.all_rules()
    assert rules
    text_only = {"NOTICE-001"}  # judges written notices only
    call_only = {"VULN-001"}    # needs a customer turn, which a notice has not
    for r in rules:
        f = Finding("c", r.code, r.category, r.severity, None, None, None, "agent", "", None, None, "", "")
        if r.severity == "alert":  # 预警: never deducts, so no item watches it
            assert not any(it.watches(f) for it in call.items + text.items), r.code
            continue
        if r.code not in text_only:
            assert any(it.watches(f) for it in call.items), f"{r.code} ({r.category}) not in rubrics/call.yaml"
        if r.scope in ("segment", "call") and r.code not in call_only:
            assert any(it.watches(f) for it in text.items), f"{r.code} ({r.category}) not in rubrics/text.yaml"
