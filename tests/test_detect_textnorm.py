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


def test_cantonese_and_wu_function_words_read_as_mandarin():
    from qa_audit.text.normalize import read_dialect

    assert normalize("阿拉就到侬单位门口等侬").text == "我们就到你单位门口等你"
    assert read_dialect("佢系我老公，唔系我借嘅") == "他是我老公，不是我借的"
    # Mandarin words with the same characters stay: 关系, 系统, 阿拉伯, 唔该 (thanks)
    for w in ("没关系", "我系统里看到", "阿拉伯语", "唔该晒"):
        assert read_dialect(w) == w
    n = normalize("阿拉两万块侬还伐")
    assert n.text == "我们20000块你还伐" and n.orig_slice(0, 2) == "阿拉"


def test_a_dialect_threat_is_found_with_its_own_words_as_evidence():
    from qa_audit.core.model import Call, Segment
    from qa_audit.detect.detector import Detector

    call = Call(call_id="W", callee_relation="debtor", segments=[
        Segment(0, 3, "agent", "侬好，我是华远银行的，请问是王先生伐？"),
        Segment(3, 5, "customer", "是我。"),
        Segment(5, 9, "agent", "礼拜五还不到，阿拉就到侬单位门口等侬。")])
    found = [f for f in Detector.load().scan(call) if f.category == "threat"]
    assert found and found[0].segment == 2 and "侬单位" in found[0].evidence
