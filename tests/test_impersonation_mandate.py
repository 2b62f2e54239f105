"""IMPERSON-001 and the call's own institutions: the law firm mandated for a call is who the agent is."""
from qa_audit.core.model import Call, Segment
from qa_audit.detect.detector import Detector

_DET = Detector.load()


def _call(text: str, institution: str | None) -> Call:
    c = Call(call_id="M1", callee_relation="debtor", segments=[Segment(0.0, 4.0, "agent", text)])
    if institution:
        c.metadata["institution"] = institution
    return c


def _imp(call: Call) -> list:
    return [f for f in _DET.scan(call) if f.rule == "IMPERSON-001"]


def test_mandated_law_firm_is_not_impersonation():
    text = "您好，我是明信律师事务所的律师，受安和银行委托跟您联系。"
    assert _imp(_call(text, None)), "without the call's institutions a law-firm claim is flagged"
    assert not _imp(_call(text, "安和银行|明信律师事务所"))
    assert not _imp(_call("我这边是明信律所的，找一下王磊。", "安和银行|明信律师事务所"))


def test_other_firm_or_authority_still_flagged():
    assert _imp(_call("我是正义律师事务所的律师。", "安和银行|明信律师事务所"))
    assert _imp(_call("我是明信律师事务所的，也是法院的工作人员。", "安和银行|明信律师事务所"))
