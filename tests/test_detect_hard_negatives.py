"""Hard negatives: compliant agent speech and customer speech must give no finding at all."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qa_audit.detect.detector import Detector
from qa_audit.core.model import Call, Segment

DATA = yaml.safe_load((Path(__file__).parent / "rules" / "_hard_negatives.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector.load()


def _one(speaker: str, text: str) -> Call:
    return Call(call_id="HN", callee_relation="debtor",
                segments=[Segment(0, 3, "agent", "您好，我是泰和银行信用卡中心的专员。"),
                          Segment(3, 5, "customer", "是我。"), Segment(5, 9, speaker, text)])


@pytest.mark.parametrize("text", DATA["agent_to_debtor"])
def test_compliant_agent_turn_gives_no_finding(detector, text):
    fs = detector.scan(_one("agent", text))
    assert not fs, "\n".join(f"{f.rule}: {f.explanation}" for f in fs)


@pytest.mark.parametrize("text", DATA["customer_turns"])
def test_customer_words_never_violate(detector, text):
    # what the customer says may raise an alert (预警: complaint risk, vulnerable customer), never a violation
    fs = [f for f in detector.scan(_one("customer", text)) if f.severity != "alert"]
    assert not fs, "\n".join(f"{f.rule}: {f.explanation}" for f in fs)


@pytest.mark.parametrize("text,alert", [("你们再打我就投诉，我去银保监会告你们。", "complaint_risk"),
                                        ("滚，别他妈烦我了，再打我报警抓你们。", "complaint_risk"),
                                        ("老子就是没钱，你们爱咋咋地。", None),
                                        ("你们是不是要上门？会不会打到我单位？", None)])
def test_customer_turns_raise_alerts_only_when_they_say_so(detector, text, alert):
    fs = detector.scan(_one("customer", text))
    assert {f.category for f in fs} == ({alert} if alert else set())
    assert all(f.severity == "alert" and f.speaker == "customer" for f in fs)
