"""What a run reports: :class:`RunSummary` (``OUT/run_summary.json``, the lines ``qa-audit run``
prints) and the findings count of the batch's calls."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

_WORKER_STAGES = ("transcribe", "load_transcripts", "scan")


@dataclass
class RunSummary:
    run_id: str
    out_dir: str
    db: str
    inputs: int = 0
    processed: int = 0
    failed: int = 0
    cached: int = 0
    ignored: list[str] = field(default_factory=list)
    pseudo_calls: int = 0
    calls: int = 0
    findings: int = 0
    findings_by_category: dict[str, int] = field(default_factory=dict)
    findings_by_rule: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # checks skipped and why (never errors)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    audio_seconds: float = 0.0
    workers: dict[str, dict[str, Any]] = field(default_factory=dict)
    reports: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    status: str = "finished"

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.failures else 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["exit_code"] = self.exit_code
        return d

    def lines(self) -> list[str]:
        """The human-readable run summary (one line per failure and warning)."""
        out = [f"run {self.run_id}: {self.inputs} inputs, {self.processed} processed, "
               f"{self.cached} skipped as cached, {self.failed} failed"
               + (f", {self.pseudo_calls} dial-log pseudo-calls" if self.pseudo_calls else "")]
        cats = ", ".join(f"{k} {v}" for k, v in sorted(self.findings_by_category.items()))
        out.append(f"findings: {self.findings}" + (f" ({cats})" if cats else ""))
        st = ", ".join(f"{k} {v:.1f}s" + (" (summed over workers)" if k in _WORKER_STAGES else "")
                       for k, v in self.stage_seconds.items() if v or k == "total")
        out.append(f"time per stage: {st}")
        samp = self.options.get("audit_sample") or {}
        if samp:
            out.append("audit sample (抽检): " + ", ".join(
                f"{w} {v['sampled']}/{v['unflagged']} unflagged" for w, v in sorted(samp.items())))
        for f in self.failures:
            out.append(f"FAILED  {f['item']}: {f['error']}")
        for w in self.warnings:
            out.append(f"WARNING {w['item']}: {w['error']}")
        for n in self.notes:
            out.append(f"NOTE    {n}")
        if self.reports:
            out.append(f"reports: {self.out_dir}")
        return out


def count_findings(store, call_ids: list[str], summary: RunSummary) -> None:
    cats: Counter = Counter()
    rules: Counter = Counter()
    con = store.conn
    for i in range(0, len(call_ids), 500):
        chunk = call_ids[i:i + 500]
        q = ",".join("?" * len(chunk))
        for r in con.execute(f"SELECT category, rule, COUNT(*) n FROM findings WHERE call_id IN ({q}) "
                             f"GROUP BY category, rule", chunk):
            cats[r["category"]] += r["n"]
            rules[r["rule"]] += r["n"]
    summary.findings = sum(cats.values())
    summary.findings_by_category = dict(sorted(cats.items()))
    summary.findings_by_rule = dict(sorted(rules.items()))
