"""The batch's dial-log findings: DIAL-* rules over the whole log (cheap, recomputed every run and
merged into each recorded call at save), the recordings the log lists but the inputs lack, and the
pseudo-calls that carry the findings of attempts without a recording."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Optional

from qa_audit.core.model import Call, Finding


def dial_findings(records: list, rule_options: dict[str, Any], select: Optional[list[str]],
                  ignore: Optional[list[str]]) -> tuple[dict[str, list[Finding]], Optional[set[str]]]:
    """(findings by call id, the rule codes a call may keep — None = all)."""
    from qa_audit.detect.rules.dial import run_dial_rules
    from qa_audit.detect.rules.registry import select as select_rules

    keep = {r.code for r in select_rules(select, ignore)} if (select or ignore) else None
    by_call: dict[str, list[Finding]] = defaultdict(list)
    for f in run_dial_rules(records, rule_options, select, ignore) if records else []:
        by_call[f.call_id].append(f)
    return by_call, keep


def missing_recordings(records: list, items: list, batch_calls: dict[str, str]) -> list[dict[str, str]]:
    """Failures for recordings listed in the dial log but missing from the inputs."""
    matched_files = {Path(it.path).name for it in items}
    return [{"item": r.file, "error": f"recording listed in the dial log ({r.where}) but missing from the inputs"}
            for r in records
            if r.file and Path(r.file).name not in matched_files and r.call_id not in batch_calls]


def pseudo_calls(records: list, by_call: dict[str, list[Finding]], batch_calls: dict[str, str]
                 ) -> list[tuple[Call, list[Finding]]]:
    """A pseudo-call for each call id with dial findings but no call in the batch: the dial
    attempt's own, or ``CASE-<case>-<week>`` for a case's weekly minimum."""
    from qa_audit.core.dial_log import dial_only_call

    rec_by_call = {r.call_id: r for r in records}
    out = []
    for cid in sorted(by_call):
        if cid in batch_calls:
            continue
        fs = by_call[cid]
        pc = dial_only_call(rec_by_call[cid]) if cid in rec_by_call else _case_week_call(records, fs[0])
        out.append((pc, fs))
    return out


def _case_week_call(records: list, finding: Finding) -> Call:
    from qa_audit.core.dial_log import case_week_call

    d0 = finding.details
    case, week = d0.get("case_id", ""), d0.get("week", "")
    rs = [r for r in records if r.case_id == case and r.iso_week == week] or \
         [r for r in records if r.case_id == case]
    return case_week_call(case, week, rs)
