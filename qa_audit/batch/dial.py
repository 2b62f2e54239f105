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


def reconcile(records: list, items: list, batch_calls: dict[str, str], by_call: dict[str, list[Finding]],
              rule_options: dict[str, Any], select: Optional[list[str]], ignore: Optional[list[str]],
              dial_log: Any = None) -> list[dict[str, str]]:
    """全程录音: add DIAL-007 (connected attempts without a recording) to ``by_call``; return the
    warnings for the batch's recordings that have no row in the dial log (not reconciled)."""
    from qa_audit.detect.rules.dial_line import reconcile_recordings

    if not records:
        return []
    matched_files = {Path(it.path).name for it in items}
    rec_ids = set(batch_calls) | {it.call_id for it in items if it.call_id} | {Path(it.path).stem for it in items}
    for f in reconcile_recordings(records, matched_files, rec_ids, rule_options, select, ignore):
        if f.finding_id not in {x.finding_id for x in by_call[f.call_id]}:
            by_call[f.call_id].append(f)
    rec_by_call = {r.call_id for r in records}
    by_file = {Path(r.file).name for r in records if r.file}
    kinds = {it.key: it.kind for it in items}
    return [{"item": key, "error": f"recording {cid!r} has no row in the dial log ({dial_log}); not reconciled"}
            for cid, key in sorted(batch_calls.items())
            if kinds.get(key) in ("audio", "transcript") and cid not in rec_by_call
            and Path(key).name not in by_file]


def notes(records: list, meta: dict[str, dict], rule_options: dict[str, Any], dial_log: Any,
          select: Optional[list[str]], ignore: Optional[list[str]]) -> list[str]:
    """Why DIAL-006 judged nothing or only part (the run summary's notes; never errors)."""
    from qa_audit.detect.rules.dial_line import line_notes

    return line_notes(records, rule_options, dial_log_given=dial_log is not None,
                      metadata_lines=any("caller_line" in (ov.get("metadata") or {}) for ov in meta.values()),
                      select=select, ignore=ignore)


def designated_lines(rule_options: dict[str, Any], detector_config: Any) -> list[dict[str, str]]:
    """专用电话 (DIAL-006): ``designated_lines`` of qa-audit.yaml into ``rule_options`` unless given
    there; returns the failure of a broken configuration."""
    from qa_audit.core.config import Config, ConfigError

    if "designated_lines" in rule_options:
        return []
    try:
        conf = detector_config if isinstance(detector_config, Config) else Config.load(detector_config)
    except ConfigError as e:
        return [{"item": str(detector_config or "qa-audit.yaml"), "error": str(e)}]
    if conf.designated_lines is not None:
        rule_options["designated_lines"] = list(conf.designated_lines)
    return []
