"""Who is on the line: scripted conversations with the categories they must (and must not) give."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qa_audit.detect.detector import Detector
from qa_audit.core.model import Call, Segment

CASES = yaml.safe_load((Path(__file__).parent / "rules" / "_dialogue_cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def det() -> Detector:
    return Detector.load()


@pytest.mark.parametrize("case", CASES, ids=[f"dlg{i}" for i in range(len(CASES))])
def test_dialogue_case(det, case):
    segs = []
    for i, turn in enumerate(case["t"]):
        sp, text = turn.split(":", 1)
        segs.append(Segment(i * 4.0, i * 4.0 + 3, {"A": "agent", "C": "customer"}[sp], text))
    call = Call(call_id="DLG", callee_relation=case.get("rel", "debtor"), segments=segs)
    got = {f.category for f in det.scan(call) if f.severity != "alert"}  # alerts: the customer's words
    assert got == set(case.get("want", [])), (case["name"], det.context(call).dialogue.party)


def test_render_spans_shows_the_finding(det):
    from qa_audit.detect.detector import render_spans

    call = Call(call_id="R", segments=[Segment(0, 3, "agent", "我是泰和银行的，你就是个老赖。")])
    fs = det.scan(call)
    html = render_spans(call, fs, 0)
    assert "ABUSE-001" in html and "老" in html
