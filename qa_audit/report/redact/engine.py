"""The registry of recognizers, and analyze (run them all, resolve overlaps) / apply / redact."""
from __future__ import annotations

from typing import Iterable, Optional

from qa_audit.report.redact.addresses import AddressRecognizer
from qa_audit.report.redact.amounts import AmountRecognizer
from qa_audit.report.redact.base import DEFAULT_THRESHOLD, Context, Redacted, RedactionResult, Recognizer
from qa_audit.report.redact.names import HONORIFICS, NameRecognizer, surname_of
from qa_audit.report.redact.numbers import NUMBER_RECOGNIZERS, digit_view

RECOGNIZERS: list[Recognizer] = [NameRecognizer(), *NUMBER_RECOGNIZERS, AddressRecognizer(), AmountRecognizer()]

REPLACEMENTS = {"PHONE": "[电话]", "ID_CARD": "[身份证号]", "BANK_CARD": "[银行卡号]", "CARD_TAIL": "****",
                "ADDRESS": "[地址]", "AMOUNT": "[金额]", "LONG_NUMBER": "[号码]"}


def _person_replacement(text: str, r: RedactionResult) -> str:
    """某 before an honorific or after 姓/小, else the surname + 某 (张某), else 某."""
    after = text[r.end:r.end + 2]
    if any(after.startswith(h) for h in HONORIFICS) or text[r.start - 1:r.start] in ("姓", "小"):
        return "某"
    sur = surname_of(r.text)
    if sur and len(r.text) > len(sur):
        return sur + "某"
    return "某"


def analyze(text: str, ctx: Context | None = None, *, threshold: float = DEFAULT_THRESHOLD,
            entities: Iterable[str] | None = None,
            recognizers: list[Recognizer] | None = None) -> list[RedactionResult]:
    """All results at or above ``threshold``, overlaps resolved, sorted by start."""
    cands = _candidates(text, ctx or Context(), threshold, set(entities) if entities else None,
                        recognizers or RECOGNIZERS)
    chosen = _without_overlaps(cands)
    for r in chosen:
        if not r.replacement:
            r.replacement = _replacement(text, r)
    return chosen


def _candidates(text: str, ctx: Context, threshold: float, wanted: Optional[set[str]],
                recognizers: list[Recognizer]) -> list[RedactionResult]:
    """What every recognizer finds at or above ``threshold`` (of the wanted types)."""
    view = digit_view(text)
    cands: list[RedactionResult] = []
    for rec in recognizers:
        for r in rec.analyze(text, view, ctx):
            if r.score >= threshold and r.end > r.start and (wanted is None or r.entity_type in wanted):
                cands.append(r)
    return cands


def _without_overlaps(cands: list[RedactionResult]) -> list[RedactionResult]:
    """Of overlapping results the higher score wins, then the longer span, then the earlier one;
    sorted by start."""
    cands = sorted(cands, key=lambda r: (-r.score, -(r.end - r.start), r.start))
    chosen: list[RedactionResult] = []
    for r in cands:
        if all(r.end <= c.start or r.start >= c.end for c in chosen):
            chosen.append(r)
    chosen.sort(key=lambda r: r.start)
    return chosen


def _replacement(text: str, r: RedactionResult) -> str:
    return _person_replacement(text, r) if r.entity_type == "PERSON" else REPLACEMENTS.get(r.entity_type, "[隐去]")


def apply(text: str, results: list[RedactionResult]) -> str:
    """The text with every result's span replaced by its replacement."""
    out, pos = [], 0
    for r in sorted(results, key=lambda r: r.start):
        out.append(text[pos:r.start])
        out.append(r.replacement)
        pos = r.end
    out.append(text[pos:])
    return "".join(out)


def redact(text: str, ctx: Context | None = None, *, threshold: float = DEFAULT_THRESHOLD,
           entities: Iterable[str] | None = None) -> Redacted:
    """The redacted text and what was found (spans in the original text)."""
    results = analyze(text, ctx, threshold=threshold, entities=entities)
    return Redacted(text, apply(text, results), results)
