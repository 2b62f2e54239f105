"""Post-ASR term correction (text/terms.py), decoding vocabulary (asr/vocabulary.py) and mono voices
(asr/diarize.py) without a model; the real encoder and Whisper are in the slow tests."""
from __future__ import annotations

import numpy as np
import pytest

from qa_audit.core.model import Call, Segment
from qa_audit.text.normalize import normalize
from qa_audit.text.terms import correct


@pytest.mark.parametrize("heard, read", [
    ("你已经一七三个月了", "你已经逾期三个月了"),
    ("你的账户已经预期了", "你的账户已经逾期了"),
    ("你这个换款什么时候", "你这个还款什么时候"),
    ("利西一共两百", "利息一共两百"),
    ("我们会去发院起诉你", "我们会去法院起诉你"),
    ("小袋公司那边", "小贷公司那边"),
    ("催修部门", "催收部门"),
])
def test_misheard_terms_are_read_back(heard, read):
    c = correct(heard)
    assert c.text == read and len(c.text) == len(heard)
    assert c.corrections and c.corrections[0].note_zh().startswith("识别为“")


@pytest.mark.parametrize("text", ["与其还钱不如先吃饭", "尾号一七二三的卡", "符合预期", "这是我们的预期",
                                  "一个小袋子"])
def test_everyday_words_stay(text):
    assert correct(text).text == text


@pytest.mark.parametrize("heard, read", [
    ("我们已经在派出所被按了", "我们已经在派出所备案了"),   # 2 characters: the same syllables
    ("你已经被通机了知道吗", "你已经被通缉了知道吗"),
    ("我们会去你护集地找你", "我们会去你户籍地找你"),       # 3: confusable syllables, one character the same
    ("我们的律师汉已经发出去了", "我们的律师函已经发出去了"),
    ("不还你就等着坐老吧", "不还你就等着坐牢吧"),
    ("还了我们就给你车销利案", "还了我们就给你撤销立案"),  # 4: the same syllables
    ("材料已经移交到我们金增了", "材料已经移交到我们经侦了"),  # jin zeng ~ jing zhen
    ("你这个归儿子借钱不还", "你这个龟儿子借钱不还"),
])
def test_sound_alikes_of_key_terms_are_read_back(heard, read):
    c = correct(heard)
    assert c.text == read, [(x.heard, x.term) for x in c.corrections]
    assert len(c.corrections) == 1 and c.corrections[0].note_zh() == (
        f"识别为“{c.corrections[0].heard}”，按“{c.corrections[0].term}”理解")


@pytest.mark.parametrize("text", [
    "我帮你统计一下金额",      # 统计 tong ji = 通缉, but a word of its own
    "这个月消化不了",
    "你已经方便说话了吗",      # 经方 jing fang = 警方, but 已经 is a word
    "你姓施是吧",              # 姓施 xing shi = 刑事, not a term of two characters
    "这是行事案件的规矩",      # 行事 is a word inside it where 刑事案件 has other characters
    "你是老来得子",
])
def test_words_that_sound_like_terms_stay(text):
    assert correct(text).text == text


def test_without_jiebas_dictionary_the_sound_alike_stage_does_nothing(monkeypatch):
    from qa_audit.text import jieba_dict

    monkeypatch.setattr(jieba_dict, "connect", lambda: None)
    assert correct("我们已经在派出所被按了").text == "我们已经在派出所被按了"
    assert correct("你已经一七三个月了").text == "你已经逾期三个月了"  # the listed forms still are


def test_listed_and_sound_alike_corrections_together_keep_offsets():
    text = "你一七不还，我们就去派出所被按"
    c = correct(text)
    assert c.text == "你逾期不还，我们就去派出所备案"
    assert [(x.start, x.heard) for x in c.corrections] == [(1, "一七"), (13, "被按")]
    assert all(text[x.start:x.end] == x.heard and c.text[x.start:x.end] == x.term for x in c.corrections)


def test_normalize_reads_terms_back_only_when_asked_and_keeps_offsets():
    n = normalize("您已经一七两万了", correct_terms=True)
    assert "逾期" in n.text and n.corrections[0].heard == "一七"
    assert n.orig_slice(n.text.index("逾期"), n.text.index("逾期") + 2) == "一七"
    assert "一七" in normalize("您已经一七两万了").text or "17" in normalize("您已经一七两万了").text


def test_a_finding_on_a_corrected_term_says_what_was_heard():
    from qa_audit.detect.detector import Detector

    det = Detector.load()
    call = Call(call_id="T", callee_relation="contact", segments=[
        Segment(start=0, end=2, speaker="agent", text="您好，我是华远银行的，请问您认识韩冬吗"),
        Segment(start=2, end=3, speaker="customer", text="认识，我是他同事"),
        Segment(start=3, end=6, speaker="agent", text="韩冬的信用卡已经预期两个多月了，欠了三万块")])
    fs = [f for f in det.scan(call) if f.segment == 2 and f.details.get("asr_terms")]
    assert fs, [f.rule for f in det.scan(call)]
    f = fs[0]
    assert "预期" in f.evidence                                   # the transcript keeps what was heard
    assert "识别为“预期”，按“逾期”理解" in f.reason and f.reason.endswith(f"（{f.rule}）")
    assert "'预期' as '逾期'" in f.explanation


def test_hotwords_and_prompt_of_a_call():
    from qa_audit.asr.backends import _echo, decode_options
    from qa_audit.asr.vocabulary import decode_vocabulary, hotwords_for, prompt_for

    c = Call(call_id="x")
    c.metadata["institution"] = "华远银行|诚泰资产"
    hw = hotwords_for(c)
    assert hw.startswith("华远银行、诚泰资产的催收电话：逾期、还款") and hw.endswith("。") and len(hw) <= 80
    assert hotwords_for(c, plain=True).split()[:3] == ["华远银行", "诚泰资产", "逾期"]
    assert hotwords_for(None).startswith("催收电话：")
    assert "华远银行" in prompt_for(c)
    assert decode_vocabulary("none", c) == {}
    assert decode_vocabulary("prompt", c)["initial_prompt"] == prompt_for(c)
    with pytest.raises(ValueError):
        decode_vocabulary("loud", c)
    o = decode_options(hotwords=hw)
    assert o["hotwords"] == hw and "hotwords" not in decode_options()
    assert _echo("逾期、还款、催收、信用卡", o) and not _echo("您好我是华远银行的小王", o) and not _echo("逾期还款", o)


def test_openai_backend_ignores_hotwords_and_drops_echoes_of_its_prompt():
    from qa_audit.asr.backends import OpenAIWhisperBackend, decode_options

    seen = {}

    class Model:
        def transcribe(self, audio, **kw):
            seen.update(kw)
            return {"segments": [{"start": 0, "end": 1, "text": "催收电话：逾期、还款、催收。", "avg_logprob": -0.1,
                                  "no_speech_prob": 0.1, "compression_ratio": 1.0, "words": []},
                                 {"start": 1, "end": 2, "text": "你好", "avg_logprob": -0.1,
                                  "no_speech_prob": 0.1, "compression_ratio": 1.0, "words": []}]}

    b = OpenAIWhisperBackend.__new__(OpenAIWhisperBackend)
    b.model = Model()
    b.decode(np.zeros(16000, dtype=np.float32), decode_options(hotwords="催收电话：逾期、还款、催收。"))
    assert seen["initial_prompt"] is None and "hotwords" not in seen  # no hotwords in openai-whisper
    seen.clear()
    out = b.decode(np.zeros(16000, dtype=np.float32), decode_options(initial_prompt="催收电话：逾期、还款、催收。"))
    assert seen["initial_prompt"] == "催收电话：逾期、还款、催收。"  # vocabulary="prompt"
    assert [s.text for s in out] == ["你好"]  # the echo of the vocabulary is dropped


# --- mono: two voices ----------------------------------------------------------------------
def _voices(n_per, rng):
    a, b = rng.normal(size=256), rng.normal(size=256)
    embs, who = [], []
    for k in range(n_per * 2):
        base = a if k % 2 == 0 else b
        e = base + 0.6 * rng.normal(size=256)
        embs.append(e / np.linalg.norm(e))
        who.append(k % 2)
    return np.stack(embs), who


def test_two_voices_splits_alternating_speakers():
    from qa_audit.asr.diarize import two_voices

    emb, who = _voices(6, np.random.default_rng(1))
    labels, margins, alike = two_voices(emb, [2.0] * len(who))
    assert labels == who or labels == [1 - x for x in who]
    assert alike < 0.93 and all(abs(m) > 0 for m in margins)


def test_assign_roles_names_the_agent_voice_from_what_it_says(monkeypatch):
    from qa_audit.asr import diarize

    texts = ["喂你好，我这边是快易贷客服中心的，请问是李娜女士吗", "嗯", "您的借款已经逾期五天了，应还2350元",
             "哦", "那您看今天能处理一下吗，务必今天还款", "好的", "我给您备注今天晚上8点前还款", "行"]
    segs = [Segment(start=i * 3.0, end=i * 3.0 + 2.0, speaker="unknown", text=t) for i, t in enumerate(texts)]
    emb, who = _voices(4, np.random.default_rng(2))
    monkeypatch.setattr(diarize, "embed_pieces", lambda pieces: emb)
    out = diarize.assign_roles(segs, np.zeros(16000 * 30, dtype=np.float32))
    assert [s.speaker for s in out] == ["agent", "customer"] * 4
    assert out[1].extra["role"]["by"] == "voice" and "margin" in out[1].extra["role"]
    # one voice only: the text cues decide, as before
    same = np.stack([emb[0]] * 8)
    monkeypatch.setattr(diarize, "embed_pieces", lambda pieces: same)
    out = diarize.assign_roles([Segment(start=s.start, end=s.end, speaker="unknown", text=s.text) for s in segs],
                               np.zeros(16000 * 30, dtype=np.float32))
    assert all(s.extra["role"]["by"] == "cues" for s in out)


@pytest.mark.slow
def test_real_encoder_tells_the_two_channels_of_the_fixture_apart():
    """GE2E embeddings of the fixture's agent and customer turns: each closer to its own voice."""
    from pathlib import Path

    from qa_audit.asr.diarize import embed_pieces, two_voices
    from qa_audit.audio.decode import decode_channel, probe

    wav = Path(__file__).resolve().parents[1] / "samples" / "asr_fixture" / "D0004_16s.wav"
    info = probe(wav)
    a, c = decode_channel(wav, 0, info=info), decode_channel(wav, 1, info=info)
    sr = 16000
    pieces = [a[: 4 * sr], c[4 * sr: 8 * sr], a[8 * sr: 12 * sr], c[12 * sr: 16 * sr]]
    pieces = [p for p in pieces if np.abs(p).max() > 0.01]
    emb = embed_pieces(pieces)
    assert emb.shape[1] == 256 and np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-4)
    labels, _, alike = two_voices(emb, [4.0] * len(pieces))
    assert alike < 0.99


@pytest.mark.slow
def test_real_whisper_with_the_call_vocabulary_on_the_fixture(tmp_path):
    """The fixture transcribed with hotwords from its institution: the options carry them, the
    transcript is Chinese text, and the cache key depends on the call's vocabulary."""
    from pathlib import Path

    from qa_audit.asr.transcriber import Transcriber

    wav = Path(__file__).resolve().parents[1] / "samples" / "asr_fixture" / "D0004_16s.wav"
    tr = Transcriber(cpu_threads=1, vocabulary="hotwords")
    call = Call(call_id="D0004")
    call.metadata["institution"] = "快易贷"
    assert tr.call_options(call)["hotwords"].startswith("快易贷的催收电话")
    other = Call(call_id="D0004")
    assert tr.call_cache_key(call) != tr.call_cache_key(other)
    out = tr.transcribe(wav, call)
    text = "".join(s.text for s in out.segments)
    assert len(text) > 10 and any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert {s.speaker for s in out.segments} <= {"agent", "customer"}


def test_repeated_sentences_and_loops_are_collapsed():
    from qa_audit.asr.cleanup import clean_text

    assert clean_text("你不接电话,我们只能换个方式。你不接电话,我们只能换个方式。这周五去") == "你不接电话,我们只能换个方式。这周五去"
    assert clean_text("账单账单账单账单账单好说说") == "账单好说说"
    assert clean_text("好的好的，等你。等你。") == "好的好的，等你。等你。"  # short repeats are speech


@pytest.mark.parametrize("text, kept", [
    ("你就说是推款的,他知道。小贷、小贷、消费金融、工号。", "你就说是推款的,他知道。"),
    ("好累!小贷、小贷。", "好累!"),
    ("我许是随心借平台的催收电话：逾期、催收、信用卡、本金、收费金融。", "我许是。"),  # written like 消费金融
    ("您好,我是汇通银行。收费金融、工号。麻烦你让他回电话。", "您好,我是汇通银行。麻烦你让他回电话。"),
    ("信用卡、欠款、属于民事纠纷,不会因为这个抓人", None),       # a list inside a sentence
    ("你欠的本金、利息一共两万", None),
    ("你要还款、利息、罚息。", None),                            # a sentence that lists them
    ("他说了苹果、香蕉。", None),                                # not the vocabulary
])
def test_recited_vocabulary_is_cut_from_the_transcript(text, kept):
    from qa_audit.asr.vocabulary import decode_vocabulary, strip_echo, vocabulary_words

    call = Call(call_id="V", metadata={"institution": "随心借平台"})
    words = vocabulary_words(decode_vocabulary("hotwords", call))
    assert {"随心借平台", "逾期", "消费金融", "工号"} <= set(words)
    out, spans = strip_echo(text, words)
    assert out == (text if kept is None else kept)
    assert bool(spans) == (kept is not None)
    assert vocabulary_words(decode_vocabulary("none", call)) == []


def test_words_of_a_cut_run_go_with_it():
    from qa_audit.asr.transcriber import _words_outside
    from qa_audit.core.model import Word

    text = "好累!小贷、小贷。"
    words = [Word(0, 1, "好累!"), Word(1, 2, "小贷、"), Word(2, 3, "小贷。")]
    assert [w.word for w in _words_outside(text, words, [(3, 9)])] == ["好累!"]


@pytest.mark.parametrize("text, kept, cut", [
    ("是我,怎么了：逾", "是我,怎么了。", "：逾"),                       # the head's colon and 逾 of 逾期
    ("现在就转不开：逾期。", "现在就转不开。", "：逾期"),
    ("我是小橙分期的贷后专员小韩：", "我是小橙分期的贷后专员小韩。", "："),
    ("欠款是一万一：其中本金九千八：", "欠款是一万一，其中本金九千八。", "："),  # a colon inside reads as a comma
    ("还款日是：下个月五号", "还款日是，下个月五号", None),
    ("好的，我下午就还。", "好的，我下午就还。", None),
])
def test_the_prompts_colon_is_read_as_a_pause(text, kept, cut):
    from qa_audit.asr.vocabulary import decode_vocabulary, strip_echo, vocabulary_words

    words = vocabulary_words(decode_vocabulary("hotwords", Call(call_id="V", metadata={"institution": "小橙分期"})))
    out, spans = strip_echo(text, words)
    assert out == kept
    assert [text[s:e] for s, e in spans] == ([cut] if cut else [])
