"""One harness for every rule's YAML test cases (tests/rules/CODE.yaml), sqlfluff style.

A case is a string (one agent turn to a confirmed debtor), a mapping {speaker, text}, or a whole
call {callee_relation, segments: [...]}; ``kind: text`` makes it a written notice (SMS / letter, one
agent segment per line).  ``fail*`` cases must give at least one finding of the rule, ``pass*`` cases
none.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qa_audit.detect.detector import Detector
from qa_audit.core.model import Call, Segment
from qa_audit.detect.rules import registry

CASES_DIR = Path(__file__).parent / "rules"


def _call(case, n: int) -> Call:
    if isinstance(case, str):
        case = {"speaker": "agent", "text": case}
    if "segments" in case:
        segs = case["segments"]
        relation = case.get("callee_relation", "debtor")
    else:
        segs = [case]
        relation = case.get("callee_relation", "debtor")
    segments = [Segment(start=float(i * 5), end=float(i * 5 + 4), speaker=s.get("speaker", "agent"),
                        text=str(s["text"])) for i, s in enumerate(segs)]
    return Call(call_id=f"T{n:03d}", agent_id="A1", callee_relation=relation, segments=segments,
                kind=case.get("kind", "call"))


def _cases():
    for path in sorted(CASES_DIR.glob("*.yaml")):
        if path.name.startswith("_"):  # shared data (hard negatives, dialogues), not one rule's cases
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        code = doc["rule"]
        for key, items in doc.items():
            if key == "rule":
                continue
            expect = "fail" if key.startswith("fail") else "pass"
            for n, case in enumerate(items):
                yield pytest.param(code, expect, case, id=f"{code}-{key}-{n}")


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector.load()


def test_every_conversation_rule_has_cases():
    have = {p.stem for p in CASES_DIR.glob("*.yaml") if not p.name.startswith("_")}
    for r in registry.all_rules():
        if r.scope in ("segment", "call"):
            assert r.code in have, f"rule {r.code} has no tests/rules/{r.code}.yaml"


@pytest.mark.parametrize("code,expect,case", list(_cases()))
def test_rule_case(detector: Detector, code: str, expect: str, case):
    det = detector.with_rules([registry.get(code)])
    call = _call(case, 1)
    found = [f for f in det.scan(call) if f.rule == code]
    if expect == "fail":
        assert found, f"{code} should fire on: {case}"
        for f in found:
            assert f.explanation and f.category == registry.get(code).category
            if f.segment is not None:
                assert call.segments[f.segment].text[f.char_start:f.char_end] == f.evidence
    else:
        assert not found, f"{code} should not fire on: {case}\n" + "\n".join(f.explanation for f in found)
