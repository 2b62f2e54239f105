"""What every recognizer shares: the result types, the call context, the recognizer base classes."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

DEFAULT_THRESHOLD = 0.5


@dataclass
class RedactionResult:
    """One piece of personal data: what, where, how sure, and why."""

    entity_type: str
    start: int
    end: int
    text: str
    score: float
    recognizer: str
    pattern: str
    explanation: str
    replacement: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Redacted:
    """Redacted text plus the results (spans refer to the ORIGINAL text)."""

    original: str
    text: str
    results: list[RedactionResult] = field(default_factory=list)


AMOUNT_MODES = ("bucket", "mask", "keep")


@dataclass
class Context:
    """What the recognizers may know beyond the text: names from the call's metadata or from
    other turns of the same call (filled by ``collect_names``), and what to do with exact amounts:
    ``bucket`` (23,456元 → 2万-3万元), ``mask`` ([金额]) or ``keep`` (not redacted)."""

    known_names: set[str] = field(default_factory=set)
    amounts: str = "bucket"

    def __post_init__(self):
        if self.amounts not in AMOUNT_MODES:
            raise ValueError(f"amounts must be one of {', '.join(AMOUNT_MODES)}, not {self.amounts!r}")


class Recognizer:
    """Base class: ``name``, ``entity_type`` and ``analyze(text, view, ctx)``."""

    name = "recognizer"
    entity_type = "?"

    def analyze(self, text: str, view: str, ctx: Context) -> list[RedactionResult]:  # pragma: no cover
        raise NotImplementedError

    def result(self, text: str, start: int, end: int, score: float, pattern: str,
               explanation: str, entity_type: str | None = None) -> RedactionResult:
        return RedactionResult(entity_type or self.entity_type, start, end, text[start:end],
                               round(score, 2), self.name, pattern, explanation)


class RegexRecognizer(Recognizer):
    """A regex on the digit view, with an optional validator that sets the score."""

    def __init__(self, name: str, entity_type: str, pattern: str, score: float,
                 validate: Callable[[str], tuple[float, str]] | None = None,
                 explanation: str = "", group: int = 0):
        self.name, self.entity_type = name, entity_type
        self.regex = re.compile(pattern)
        self.pattern, self.score, self.validate, self.explanation, self.group = (
            pattern, score, validate, explanation, group)

    def analyze(self, text, view, ctx):
        out = []
        for m in self.regex.finditer(view):
            s, e = m.span(self.group)
            score, why = self.score, self.explanation
            if self.validate:
                score, why = self.validate(m.group(self.group))
                if score <= 0:
                    continue
            out.append(self.result(text, s, e, score, self.pattern, why))
        return out
