"""The Rule API: one rule per code, its docstring is its documentation (sqlfluff style).

A rule is a class with class attributes and one method::

    from qa_audit.detect.rules.base import Rule, RuleContext
    from qa_audit.detect.rules.registry import register

    @register
    class Threat001(Rule):
        '''Threat of a visit to the home or workplace.

        **Bad**::

            agent: 这周五我们的人就去你们公司前台等你。

        **Good**::

            agent: 我们不会上门，也不会联系您的单位。
        '''
        code = "THREAT-001"
        name = "visit-threat"
        category = "threat"
        severity = "high"
        basis = "《互联网金融逾期债务催收自律公约》第二十二条"
        scope = "segment"
        message = "坐席以上门/到单位相威胁"
        reason_template = "以上门或到单位找人相威胁"

        def check(self, ctx: RuleContext):
            for i in ctx.agent_segments():
                ...
                yield ctx.finding(self, i, char_start, char_end, explanation="...", score=0.9)

``scope`` says what the rule needs:

- ``"segment"``  one segment at a time (lexicon hits, negation, role); findings carry a segment index.
- ``"call"``     the whole conversation (dialogue state); may give call-level findings (segment None).
- ``"dial_log"`` the dialer log (``ctx.dial_log``; the call may be None).
- ``"audio"``    audio metrics of the recording (``ctx.audio``).

``check(ctx)`` yields :class:`qa_audit.core.model.Finding` objects; ``ctx.finding(...)`` /
``ctx.call_finding(...)`` fill every field (ids, times, speaker, evidence, message, reason).

Every finding carries a ``reason`` in plain Chinese (what users read; ``explanation`` is the technical
trace): ``Rule.reason_for(finding)`` builds 坐席说“<evidence, ≤40 characters>”：<meaning>（CODE） for a
finding on a segment and <meaning>（CODE） for a call-level one.  The meaning is ``reason_template``
filled with the finding's ``details`` (``{limit}``…); a rule whose meaning needs computing overrides
``meaning(finding)`` or passes ``meaning=`` to ``ctx.finding`` / ``ctx.call_finding``.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Iterator, Optional

from qa_audit.core.labels import reason_line
from qa_audit.core.model import Call, Finding, SEVERITIES

SCOPES = ("segment", "call", "dial_log", "audio")

CATEGORIES = (
    "threat", "abuse", "third_party_disclosure", "unauthorized_waiver", "impersonation",
    "no_self_identification",
    # extra categories (must not fire on compliant calls)
    "false_legal_claim", "harassment", "privacy_probing", "dial_frequency", "audio_quality",
)


class RuleError(ValueError):
    """A rule class that breaks the Rule API (raised at registration)."""


class Rule:
    """Base class of every rule.  Subclasses set the class attributes and implement ``check``."""

    code: ClassVar[str] = ""          # e.g. "THREAT-001"
    name: ClassVar[str] = ""          # short kebab-case name, e.g. "visit-threat"
    category: ClassVar[str] = ""      # one of CATEGORIES (others allowed for plug-ins)
    severity: ClassVar[str] = "medium"  # low | medium | high | critical
    basis: ClassVar[str] = ""         # the legal / procedural basis (Chinese)
    scope: ClassVar[str] = "segment"  # segment | call | dial_log | audio
    message: ClassVar[str] = ""       # default Chinese message for the report
    reason_template: ClassVar[str] = ""  # plain-Chinese meaning; {key} = a key of the finding's details

    def check(self, ctx: "RuleContext") -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- the reason users read ------------------------------------------------------------
    @classmethod
    def meaning(cls, f: Finding) -> str:
        """What the finding means in plain Chinese (no code): ``reason_template`` filled with the
        finding's details, or the message when there is no template or a key is missing."""
        try:
            return (cls.reason_template or cls.message).format_map(f.details)
        except (KeyError, IndexError, ValueError, AttributeError):
            return cls.message

    @classmethod
    def reason_for(cls, f: Finding, meaning: Optional[str] = None,
                   keep: Optional[tuple[int, int]] = None) -> str:
        """The finding's ``reason``; ``keep`` is the span of the evidence that must stay quoted."""
        text = meaning or cls.meaning(f)
        if f.details.get("weak"):
            text += "；措辞较弱，因本通已有同类明显违规一并列出"
        quote = f.evidence if f.segment is not None else ""
        return reason_line(text, cls.code, f.speaker, quote, keep)

    def findings(self, ctx: "RuleContext") -> Iterator[Finding]:
        """``check(ctx)`` with every finding's reason filled (for findings a rule built itself)."""
        for f in self.check(ctx):
            if not f.reason:
                f.reason = self.reason_for(f)
            yield f

    # --- documentation --------------------------------------------------------------
    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        d = cls.doc()
        return d.splitlines()[0] if d else ""

    @classmethod
    def validate(cls) -> None:
        """Raise RuleError when the class breaks the API (called by ``@register``)."""
        where = f"{cls.__module__}.{cls.__qualname__}"
        for attr in ("code", "name", "category", "basis", "message"):
            if not getattr(cls, attr, ""):
                raise RuleError(f"{where}: missing '{attr}'")
        if cls.severity not in SEVERITIES:
            raise RuleError(f"{where}: severity {cls.severity!r} not in {SEVERITIES}")
        if cls.scope not in SCOPES:
            raise RuleError(f"{where}: scope {cls.scope!r} not in {SCOPES}")
        doc = cls.doc()
        if "**Bad**" not in doc or "**Good**" not in doc:
            raise RuleError(f"{where}: docstring must have a **Bad** and a **Good** example")
        if cls.check is Rule.check:
            raise RuleError(f"{where}: check(ctx) not implemented")


@dataclass
class RuleContext:
    """Everything a rule may look at.  Built once per call by ``Detector``.

    - ``call``      the Call (None for a dial_log rule run without a call)
    - ``norm``      per segment: ``qa_audit.text.normalize.NormText`` (``.text`` normalized, ``.to_orig(i)``)
    - ``hits``      per segment: list of ``qa_audit.detect.lexicon.Hit`` (lexicon matches, already scored)
    - ``dialogue``  ``qa_audit.detect.dialogue.DialogueState`` (who is on the line, per segment)
    - ``detector``  the Detector (tokens / spaCy docs: ``ctx.tokens(i)``, ``ctx.doc(i)``)
    - ``options``   rule options from the config file (e.g. ``self_id_window``)
    - ``dial_log``  dialer log records, for ``scope == "dial_log"`` rules
    - ``audio``     audio metrics (dict), for ``scope == "audio"`` rules
    """

    call: Optional[Call] = None
    norm: list[Any] = field(default_factory=list)
    hits: list[list[Any]] = field(default_factory=list)
    dialogue: Any = None
    detector: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    dial_log: Any = None
    audio: Any = None
    _docs: dict[int, Any] = field(default_factory=dict, repr=False)
    _by_rule: dict[int, dict] = field(default_factory=dict, repr=False)

    # --- segments -------------------------------------------------------------------
    @property
    def call_id(self) -> str:
        return self.call.call_id if self.call else ""

    def speaker(self, i: int) -> str:
        return self.call.segments[i].speaker if self.call else "unknown"

    def agent_segments(self) -> Iterator[int]:
        """Indices of the segments spoken by the agent (role scope: only they can violate)."""
        if not self.call:
            return iter(())
        return (i for i, s in enumerate(self.call.segments) if s.speaker == "agent")

    def text(self, i: int) -> str:
        """Normalized text of segment i (simplified, half width, Arabic numerals)."""
        return self.norm[i].text

    def hits_in(self, i: int, category: str | None = None) -> list[Any]:
        hs = self.hits[i] if i < len(self.hits) else []
        return [h for h in hs if category is None or h.category == category]

    def hits_for(self, i: int, rule_code: str) -> list[Any]:
        """Scored lexicon hits of segment i that feed the rule ``rule_code``."""
        idx = self._by_rule.get(i)
        if idx is None:
            idx = {}
            for h in (self.hits[i] if i < len(self.hits) else []):
                idx.setdefault(h.rule, []).append(h)
            self._by_rule[i] = idx
        return idx.get(rule_code, [])

    # --- tokens ---------------------------------------------------------------------
    def tokens(self, i: int) -> list[tuple[str, int, int]]:
        """jieba tokens of the normalized text of segment i: (word, start, end)."""
        return self.detector.tokens(self.text(i))

    def doc(self, i: int):
        """spaCy Doc (blank zh, jieba segmenter) of the normalized text of segment i, cached."""
        if i not in self._docs:
            self._docs[i] = self.detector.doc(self.text(i))
        return self._docs[i]

    # --- building findings ----------------------------------------------------------
    def _orig(self, i: int, n_start: int, n_end: int) -> tuple[int, int]:
        return self.norm[i].span_to_orig(n_start, n_end) if self.norm else (n_start, n_end)

    def finding(self, rule: Rule | type[Rule], i: int, n_start: int, n_end: int, *,
                explanation: str, score: float = 1.0, message: str | None = None,
                meaning: str | None = None, focus: tuple[int, int] | None = None,
                **details: Any) -> Finding:
        """A finding on segment i; ``n_start:n_end`` are offsets in the *normalized* text,
        mapped back to the original segment text for ``evidence``/``char_start``/``char_end``.
        ``focus`` (normalized offsets, e.g. the matched words) stays visible in the reason's quote."""
        seg = self.call.segments[i]
        cs, ce = self._orig(i, n_start, n_end)
        f = Finding(
            call_id=self.call.call_id, rule=rule.code, category=rule.category,
            severity=rule.severity, segment=i, start=seg.start, end=seg.end,
            speaker=seg.speaker, evidence=seg.text[cs:ce], char_start=cs, char_end=ce,
            message=message or rule.message, explanation=explanation,
            score=round(float(score), 3), details=dict(details),
        )
        keep = None
        if focus is not None:
            fa, fb = self._orig(i, *focus)
            keep = (fa - cs, fb - cs)
        f.reason = rule.reason_for(f, meaning, keep)
        return f

    def call_finding(self, rule: Rule | type[Rule], *, explanation: str, score: float = 1.0,
                     message: str | None = None, meaning: str | None = None,
                     **details: Any) -> Finding:
        """A finding of the whole call (segment None, evidence "")."""
        f = Finding(
            call_id=self.call_id, rule=rule.code, category=rule.category,
            severity=rule.severity, segment=None, start=None, end=None, speaker="agent",
            evidence="", char_start=None, char_end=None, message=message or rule.message,
            explanation=explanation, score=round(float(score), 3), details=dict(details),
        )
        f.reason = rule.reason_for(f, meaning)
        return f
