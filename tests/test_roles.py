"""Mono speaker roles from what is said plus turn alternation (fast, no audio)."""
from __future__ import annotations

from qa_audit.core.model import Segment
from qa_audit.asr.roles import cue_score, infer_roles


def _segs(texts):
    return [Segment(start=i * 3.0, end=i * 3.0 + 2.0, speaker="unknown", text=t) for i, t in enumerate(texts)]


def test_collector_cues_and_answers():
    s, fired = cue_score("李女士你好我这边是快易贷客服中心的小吴，您的借款已经逾期5天了")
    assert s > 3 and "names_institution" in fired and "debt_terms" in fired
    s, fired = cue_score("嗯，是我")
    assert s < 0 and "answers_identity" in fired


def test_dialogue_roles_follow_cues_and_alternation():
    segs = infer_roles(_segs([
        "喂你好请问是李娜女士吗",
        "嗯是我",
        "我这边是快易贷客服中心的，您的借款已经逾期五天了，应还金额是2350元",
        "不好意思这个月忘了最近太忙了",
        "没关系那您看今天能处理一下吗",
        "今天晚上吧",          # no cue of its own: alternation decides
        "好的那我给您备注今天晚上8点前还款",
    ]), switch_prob=0.8)  # whole turns: the speaker nearly always changes
    assert [s.speaker for s in segs] == ["agent", "customer", "agent", "customer", "agent", "customer", "agent"]
    assert all("p_agent" in s.extra["role"] for s in segs)


def test_unknown_when_nothing_to_go_on():
    segs = infer_roles(_segs(["今天天气", "那个", "这样"]), min_confidence=0.9)
    assert all(s.speaker == "unknown" for s in segs)


def test_empty():
    assert infer_roles([]) == []
