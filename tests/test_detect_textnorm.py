"""Normalization: traditional→simplified, width, numerals, offsets back to the original text."""
from __future__ import annotations

from qa_audit.text.normalize import normalize, pinyin_key


def test_traditional_and_full_width():
    n = normalize("請問是林先生嗎？欠了一萬七千多的帳，ＡＰＰ裡還")
    assert "请问是林先生吗?" in n.text
    assert "账" in n.text and "app" in n.text


def test_numerals_all_read_the_same():
    assert normalize("两万").text == normalize("2万").text == normalize("20000").text == "20000"
    assert normalize("欠款四万八千六").text == "欠款48600"
    assert normalize("工号二六九三").text == "工号2693"
    # words that contain numeral characters stay words
    for w in ("一次性", "一下", "万一", "一点都不", "一起"):
        assert w in normalize(f"我们{w}").text


def test_offsets_map_back_to_the_original():
    orig = "剩下的两万八一笔勾销，您還三万二千一就行"
    n = normalize(orig)
    i = n.text.index("28000")
    assert n.orig_slice(i, i + 5) == "两万八"
    j = n.text.index("32100就行")
    assert n.orig_slice(j, j + 7) == "三万二千一就行"
    k = n.text.index("还")
    assert orig[n.span_to_orig(k, k + 1)[0]] == "還"


def test_polite_you_reads_as_you():
    assert normalize("我们去您家").text == normalize("我们去你家").text


def test_pinyin_key_is_same_length_and_merges_asr_confusions():
    assert len(pinyin_key("逾期还款")) == 4
    assert pinyin_key("逾期") == pinyin_key("预期") == pinyin_key("与其")
    assert pinyin_key("欠款") == pinyin_key("现款")  # q/x merged
    assert pinyin_key("罚息减免") == pinyin_key("法机剪面")  # x/j merged
    assert pinyin_key("信用卡") == pinyin_key("新用卡")
