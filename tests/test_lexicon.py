"""Lexicon loading: validation errors name file:line; matching, pinyin tolerance, jieba registration."""
from __future__ import annotations

from pathlib import Path

import pytest

from qa_audit.detect.lexicon import LexiconError, load_lexicon, load_lexicons
from qa_audit.core.resources import lexicons_dir
from qa_audit.text.normalize import normalize

GOOD = """version: 1
kind: category
category: threat
entries:
  - id: visit
    rule: THREAT-001
    score: 0.8
    terms: [上门, 去你家]
"""


def write(tmp_path: Path, text: str, name: str = "threat.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_project_lexicons_load_and_have_versions():
    lx = load_lexicons()
    assert {"threat", "abuse", "third_party_disclosure", "unauthorized_waiver", "impersonation"} <= set(lx.by_category)
    for lexicon in lx.lexicons:
        assert lexicon.version
    assert {"negation", "dialogue", "institution"} <= set(lx.support)


@pytest.mark.parametrize("bad,line,words", [
    (GOOD.replace("score: 0.8", "score: 1.8"), 7, "between 0.0 and 1.0"),
    (GOOD.replace("rule: THREAT-001", "rule: threat1"), 6, "rule code"),
    (GOOD.replace("    terms: [上门, 去你家]\n", ""), 5, "at least one of"),
    (GOOD.replace("terms: [上门, 去你家]", "terms: [上门, 门]"), 8, "too short"),
    (GOOD.replace("version: 1\n", ""), 1, "'version' is required"),
    (GOOD + "  - id: visit\n    rule: THREAT-002\n    terms: [坐牢]\n", 9, "duplicate id"),
    (GOOD.replace("    score: 0.8\n", "    score: 0.8\n    colour: red\n"), 8, "unknown key 'colour'"),
    (GOOD + "context:\n  - {id: x, pattern: '(unclosed', delta: 0.1}\n", 10, "bad regular expression"),
    (GOOD + "context:\n  - {id: x, pattern: 'a', delta: 0.1, entries: [nope]}\n", 10, "unknown entry id 'nope'"),
    (GOOD.replace("terms: [上门, 去你家]", "terms: [上门, 去你家"), 9, "invalid YAML"),
])
def test_validation_errors_name_file_and_line(tmp_path, bad, line, words):
    p = write(tmp_path, bad)
    with pytest.raises(LexiconError) as ei:
        load_lexicon(p)
    msg = str(ei.value)
    assert msg.startswith(f"{p}:{line}:"), msg
    assert words in msg


def test_duplicate_category_across_files(tmp_path):
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(LexiconError, match="also defined"):
        load_lexicons(tmp_path)


def _hits(lx, text):
    return [(h.entry.id, h.how, h.matched) for h in lx.match(normalize(text).text)]


def test_exact_near_and_allow(tmp_path):
    write(tmp_path, GOOD.replace("terms: [上门, 去你家]", "terms: [上门]\n    near:\n      - {a: [去], b: [你单位], within: 4}")
          + "allow: [上门取件]\n")
    lx = load_lexicons(tmp_path)
    assert ("visit", "exact", "上门") in _hits(lx, "明天我们就上门")
    assert _hits(lx, "可以预约快递上门取件") == []
    assert [h[1] for h in _hits(lx, "明天就去找你单位领导")] == ["near"]
    assert _hits(lx, "明天就去外地出差顺便看看你单位") == []  # gap longer than 4


def test_pinyin_tolerant_matching_of_asr_homophones():
    lx = load_lexicons()
    found = {(h.pattern, h.matched) for h in lx.match(normalize("韩冬的信用卡已经预期两个多月了，与其说").text)
             if h.how == "pinyin"}
    assert ("逾期", "预期") in found and ("逾期", "与其") in found
    found = {(h.pattern, h.matched) for h in lx.match(normalize("您的新用卡还没还，利西也在涨，罚息减免要申请").text)
             if h.how == "pinyin"}
    assert ("信用卡逾期", "新用卡还没") not in found
    # 欠款→现款 differs in the initial (q/x): listed as an explicit ASR variant, matched exactly
    assert any(h.matched == "现款" for h in lx.match(normalize("他现款一万二没还").text))
    # two-character terms need the same syllables: 立即 (li ji) is not 利息 (li xi)
    assert not [h for h in lx.match(normalize("请您立即还款").text) if h.how == "pinyin" and h.pattern == "利息"]


def test_terms_are_registered_with_jieba():
    import jieba

    from qa_audit.detect.detector import Detector

    det = Detector.load()  # jieba is loaded, and given the terms, before the detector's first tokens
    assert ("停息挂账", 8, 12) in det.tokens("我这边直接给您办停息挂账")
    assert "停息挂账" in jieba.lcut("我这边直接给您办停息挂账")
    assert "后果自负" in jieba.lcut("这礼拜不把钱打过来后果自负")


def test_every_entry_feeds_a_registered_rule():
    from qa_audit.detect.rules import registry

    codes = {r.code for r in registry.all_rules()}
    for e in load_lexicons().entries:
        assert e.rule in codes, f"{e.where}: entry {e.id} feeds unknown rule {e.rule}"


def test_project_lexicon_folder_is_the_default():
    assert (lexicons_dir() / "threat.yaml").is_file()
