"""Dial-log rules about the line and the recording (``scope = "dial_log"``): 专用电话, 全程录音.

- DIAL-006: every attempt dialled from a line that is not one of the ``designated_lines``
  (qa-audit.yaml), read from the dial log's optional ``caller_line`` column; a recording whose
  metadata (calls.csv column ``caller_line``) names another line is flagged the same way.
- DIAL-007: a connected call (``connected`` yes, ``duration`` ≥ 10 s) with no recording in the
  batch: a finding on the attempt's dial-only pseudo-call (not a failure of the batch).
- DIAL-008: a recording more than 10 % AND more than 5 s shorter than the dial log's duration
  (compared with the recording's measured duration).

How they run: ``run_dial_rules`` (dial.py) gives them the whole log (``ctx.call`` None): DIAL-006
judges the attempts; DIAL-007 needs ``options["recorded"]`` (what the batch holds), which only
:func:`reconcile_recordings` passes, after the batch's files are known.  :func:`run_recording_rules`
gives them one call (``ctx.call`` set, ``ctx.dial_log`` None): DIAL-006 judges the recording's
metadata, DIAL-008 its duration.  :func:`line_notes` says why DIAL-006 could not judge (no
``designated_lines`` configured, a dial log without ``caller_line``) — notes for the run summary,
never errors.

Options (``pipeline.run(rule_options={...})``, ``--rule-option NAME=VALUE``)::

    designated_lines: [...]            # set from qa-audit.yaml (list, or {file: lines.txt})
    dial_min_recorded_s: 10            # a connected call this long (s) must have a recording
    dial_recording_short_ratio: 0.10   # DIAL-008: shorter by more than this share of the dial duration
    dial_recording_short_s: 5          # ... and by more than this many seconds
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Optional

from qa_audit.core.dial_log import normalize_number
from qa_audit.core.model import Call, Finding
from qa_audit.detect.rules.base import Rule, RuleContext
from qa_audit.detect.rules.dial import dial_finding
from qa_audit.detect.rules.registry import register

DEFAULTS: dict[str, Any] = {
    "designated_lines": None,
    "dial_min_recorded_s": 10.0,
    "dial_recording_short_ratio": 0.10,
    "dial_recording_short_s": 5.0,
}

# metadata keys (calls.csv columns) that name the line a recording was made from
LINE_KEYS = ("caller_line", "caller_number", "caller", "line_number", "主叫号码", "外呼号码", "外显号码", "主叫")

_BASIS_LINE = ("《互联网金融逾期债务催收自律公约（试行）》（催收应使用机构统一的外呼线路）；"
               "公司《电话催收作业规范》：催收电话须通过公司登记的专用号码拨打，不得使用个人或未登记号码")
_BASIS_RECORD = ("《商业银行信用卡业务监督管理办法》第六十八条（催收应全程录音）；"
                 "公司《电话催收作业规范》：每通接通的催收电话须全程录音并完整留存")


def _opt(ctx: RuleContext, name: str) -> Any:
    opts = ctx.options or {}
    return opts[name] if opts.get(name) is not None else DEFAULTS[name]


def normalize_line(value: Any) -> str:
    """A line number compared as digits (021-6123 4567 = 02161234567, +86 dropped); text otherwise."""
    s = str(value or "").strip()
    if s.startswith(("+86", "0086")):  # an international prefix, whatever the number's length
        s = s[1:].lstrip("0").removeprefix("86") if s.startswith("+") else s[4:]
    digits = normalize_number(s)
    return digits if len(digits) >= 5 else s.lower()


def designated(ctx_or_options: Any) -> Optional[set[str]]:
    """The normalized designated lines, or None when none are configured."""
    opts = ctx_or_options.options if isinstance(ctx_or_options, RuleContext) else (ctx_or_options or {})
    lines = opts.get("designated_lines")
    if lines is None:
        return None
    if isinstance(lines, (str, int)):
        lines = [lines]
    out = {normalize_line(x) for x in lines if str(x).strip()}
    return out or None


def call_line(call: Call) -> Optional[str]:
    """The line a recording was made from, per its metadata (dial log or calls.csv), or None."""
    md = call.metadata or {}
    for k in LINE_KEYS:
        v = md.get(k)
        if v not in (None, ""):
            return str(v).strip()
    return None


@register
class Dial006(Rule):
    """Dialled from a line that is not a designated collection line (专用电话).

    ``designated_lines`` in qa-audit.yaml lists the company's registered lines (or ``{file: lines.txt}``,
    one per line).  Every attempt of the dial log whose ``caller_line`` is another line is a finding,
    answered or not; so is a recording whose metadata (calls.csv ``caller_line``) names another line.
    Numbers compare as digits (021-6123 4567 = 02161234567).  No ``designated_lines``, or a dial log
    without ``caller_line``: not judged (a note in the run summary, never an error).

    **Bad**::

        designated_lines: ["02161234567"]
        caller_line: 13912345678      # an agent's own mobile

    **Good**::

        caller_line: 021-6123 4567
    """
    code = "DIAL-006"
    name = "non-designated-line"
    category = "designated_line"
    severity = "high"
    basis = _BASIS_LINE
    scope = "dial_log"
    message = "未使用公司登记的专用催收电话拨打"
    reason_template = "从主叫号码 {caller_line} 拨打，不是公司登记的专用催收电话"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        lines = designated(ctx)
        if lines is None:
            return
        shown = ", ".join(sorted(lines)[:5]) + (" …" if len(lines) > 5 else "")
        if ctx.call is not None:  # one recording: its metadata
            line = call_line(ctx.call)
            if line is None or normalize_line(line) in lines or ctx.call.kind != "call":
                return
            yield Finding(
                call_id=ctx.call.call_id, rule=self.code, category=self.category, severity=self.severity,
                segment=None, start=None, end=None, speaker="agent",
                evidence=f"录音元数据：主叫号码 {line}（非登记专用号码）", char_start=None, char_end=None,
                message=self.message, score=1.0,
                explanation=(f"the recording's metadata names caller line {line!r}, not one of the "
                             f"{len(lines)} designated lines ({shown})"),
                details={"caller_line": line, "source": "metadata"})
            return
        for r in sorted(ctx.dial_log or [], key=lambda r: (r.started_at, r.line)):
            if not r.caller_line or normalize_line(r.caller_line) in lines:
                continue
            f = dial_finding(
                self, r, explanation=(f"attempt dialled from {r.caller_line!r}, not one of the "
                                      f"{len(lines)} designated lines ({shown}) [{r.where}]"),
                caller_line=r.caller_line)
            f.evidence += f"，主叫号码 {r.caller_line}（非登记专用号码）"
            yield f


@register
class Dial007(Rule):
    """A connected call has no recording (全程录音).

    A dial-log attempt that was answered (``connected`` yes) and lasted at least 10 s
    (``dial_min_recorded_s``; 9.9 s is not judged) must have a recording in the batch: matched by
    the dial log's ``file`` or its ``call_id``.  Otherwise a finding on the attempt's dial-only
    pseudo-call (the batch does not fail).  A row that names a recording file missing from the inputs
    stays a failure of the batch (an input problem), not this finding.

    **Bad**::

        X0140,,A019,T1,C3036,...,2026-11-11T15:20:00+08:00,yes,38     # 38 s, no recording

    **Good**::

        D0036,D0036.mp3,A019,T1,C3036,...,2026-11-06T15:39:26+08:00,yes,43.1   # D0036.mp3 in the batch
    """
    code = "DIAL-007"
    name = "connected-call-not-recorded"
    category = "recording_integrity"
    severity = "high"
    basis = _BASIS_RECORD
    scope = "dial_log"
    message = "接通的催收电话未录音"
    reason_template = "接通的催收电话没有录音，应全程录音"

    @classmethod
    def meaning(cls, f: Finding) -> str:
        d = f.details.get("dial_duration")
        if isinstance(d, (int, float)):
            return f"接通 {d:g} 秒的催收电话没有录音，应全程录音"
        return cls.reason_template

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        recorded = (ctx.options or {}).get("recorded")
        if ctx.call is not None or recorded is None:
            return
        files = set(recorded.get("files") or ())
        ids = set(recorded.get("call_ids") or ())
        need = float(_opt(ctx, "dial_min_recorded_s"))
        for r in sorted(ctx.dial_log or [], key=lambda r: (r.started_at, r.line)):
            if not r.connected or r.duration is None or r.duration < need:
                continue
            if r.file:  # names its recording: in the batch, or a missing input (a failure elsewhere)
                continue
            if r.call_id in ids:
                continue
            yield dial_finding(
                self, r, explanation=(f"connected call of {r.duration:g} s (≥ {need:g} s) with no recording "
                                      f"in the batch (no file in the dial log, no input with call id "
                                      f"{r.call_id!r}) [{r.where}]"),
                dial_duration=r.duration, minimum=need)


@register
class Dial008(Rule):
    """A recording is much shorter than the call it records (录音不完整).

    The recording's measured duration is compared with the dial log's ``duration`` of the same call:
    shorter by more than 10 % (``dial_recording_short_ratio``) AND by more than 5 s
    (``dial_recording_short_s``) is a finding; exactly 10 % or exactly 5 s is not.  Calls without a
    dial-log duration or without a measured duration are not judged.

    **Bad**::

        dial log: connected, 120 s; recording: 100 s      # 20 s = 16.7 % short

    **Good**::

        dial log: connected, 120 s; recording: 115 s      # 5 s short
    """
    code = "DIAL-008"
    name = "recording-incomplete"
    category = "recording_integrity"
    severity = "medium"
    basis = _BASIS_RECORD
    scope = "dial_log"
    message = "录音时长明显短于通话时长（录音不完整）"
    reason_template = "录音时长明显短于通话时长，录音不完整"

    @classmethod
    def meaning(cls, f: Finding) -> str:
        d = f.details
        try:
            return (f"通话 {float(d['dial_duration']):g} 秒，录音仅 {float(d['recording_duration']):.1f} 秒，"
                    f"短了 {float(d['short_s']):.1f} 秒（{float(d['short_ratio']):.0%}），录音不完整")
        except (KeyError, TypeError, ValueError):
            return cls.reason_template

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        call = ctx.call
        if call is None or call.kind != "call":
            return
        md = call.metadata or {}
        dial = md.get("dial_duration")
        measured = call.duration
        if md.get("connected") is False or dial in (None, "") or measured is None:
            return
        try:
            dial, measured = float(dial), float(measured)
        except (TypeError, ValueError):
            return
        if dial <= 0:
            return
        ratio = float(_opt(ctx, "dial_recording_short_ratio"))
        secs = float(_opt(ctx, "dial_recording_short_s"))
        short = dial - measured
        if short > ratio * dial + 1e-9 and short > secs + 1e-9:
            yield Finding(
                call_id=call.call_id, rule=self.code, category=self.category, severity=self.severity,
                segment=None, start=None, end=None, speaker="agent",
                evidence=f"通话时长 {dial:g} 秒，录音仅 {measured:.1f} 秒（短 {short:.1f} 秒，{short / dial:.0%}）",
                char_start=None, char_end=None, message=self.message, score=1.0,
                explanation=(f"recording {measured:.1f} s vs dial-log duration {dial:g} s: {short:.1f} s "
                             f"({short / dial:.1%}) shorter, more than {ratio:.0%} and more than {secs:g} s"
                             + (f" [dial log line {md['dial_log_line']}]" if md.get("dial_log_line") else "")),
                details={"dial_duration": dial, "recording_duration": round(measured, 3),
                         "short_s": round(short, 3), "short_ratio": round(short / dial, 4)})


# --- running them -------------------------------------------------------------------------------
def run_recording_rules(call: Call, options: Optional[dict[str, Any]] = None, select: Any = None,
                        ignore: Any = None) -> list[Finding]:
    """The dial-log rules that judge one recording (its metadata and duration): DIAL-006, DIAL-008."""
    from qa_audit.detect.rules import registry

    ctx = RuleContext(call=call, options=dict(options or {}))
    out: list[Finding] = []
    for cls in registry.select(select, ignore, scopes=["dial_log"]):
        out.extend(cls().findings(ctx))
    return out


def reconcile_recordings(records: list[Any], files: Iterable[str], call_ids: Iterable[str],
                         options: Optional[dict[str, Any]] = None, select: Any = None,
                         ignore: Any = None) -> list[Finding]:
    """DIAL-007 over the dial log, given the batch's recording file names and call ids."""
    from qa_audit.detect.rules import registry

    if not any(c.code == Dial007.code for c in registry.select(select, ignore, scopes=["dial_log"])):
        return []
    opts = {**dict(options or {}), "recorded": {"files": set(files), "call_ids": set(call_ids)}}
    ctx = RuleContext(call=None, options=opts, dial_log=list(records))
    return sorted(Dial007().findings(ctx), key=lambda f: f.call_id)


def line_notes(records: list[Any], options: Optional[dict[str, Any]] = None, *, dial_log_given: bool = False,
               metadata_lines: bool = False, select: Any = None, ignore: Any = None) -> list[str]:
    """Why DIAL-006 judged nothing or only part (for the run summary; never errors)."""
    from qa_audit.detect.rules import registry

    if not any(c.code == Dial006.code for c in registry.select(select, ignore, scopes=["dial_log"])):
        return []
    notes: list[str] = []
    lines = designated(options)
    if lines is None:
        if dial_log_given or metadata_lines:
            notes.append("DIAL-006 skipped: no designated_lines configured in qa-audit.yaml "
                         "(专用电话未配置，未检查拨打线路)")
        return notes
    if dial_log_given:
        if records and all(r.caller_line is None for r in records):
            notes.append("DIAL-006 skipped for the dial log: it has no caller_line column "
                         "(拨号记录无主叫号码列，未检查拨打线路)")
        else:
            blank = sum(1 for r in records if r.caller_line is not None and not r.caller_line.strip())
            if blank:
                notes.append(f"DIAL-006: {blank} dial-log attempts have an empty caller_line; not checked")
    return notes
