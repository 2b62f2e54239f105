"""Measure the detector on labelled calls (``samples/dev/SCHEMA.md``).

``evaluate(inputs, labels_path) -> EvalReport``: per category call-level precision / recall / F1,
segment-level hits (a labelled violation is hit when a finding of its category is on its segment),
the share of compliant calls with any finding, and the lists of misses and false alarms.

The categories measured are the six core ones plus every category the labels use (e.g.
``contact_pressure``, ``complaint_risk``).  Alert categories (rules of severity ``alert``: the
customer-side ``complaint_risk`` and ``vulnerable_customer``) are measured like the others but are
not violations: a call labelled only with alerts is compliant, and an alert finding does not make a
compliant call "flagged".
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from qa_audit.core.model import TranscriptError, load_call

CATEGORIES = ("threat", "abuse", "third_party_disclosure", "unauthorized_waiver", "impersonation",
              "no_self_identification")


class LabelError(ValueError):
    """A labels file with a mistake: ``file:line: what is wrong``."""


def load_labels(path: str | Path) -> dict[str, dict]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as e:
        raise LabelError(f"{path}:0: cannot read: {e.strerror or e}") from e
    out: dict[str, dict] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise LabelError(f"{path}:{n}: invalid JSON: {e.msg}") from e
        if not isinstance(rec, dict) or "call_id" not in rec:
            raise LabelError(f"{path}:{n}: a label needs a call_id")
        vs = rec.get("violations", [])
        if not isinstance(vs, list) or not all(isinstance(v, dict) and "category" in v for v in vs):
            raise LabelError(f"{path}:{n}: 'violations' must be a list of objects with a category")
        out[str(rec["call_id"])] = rec
    return out


@dataclass
class CategoryScore:
    category: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    seg_gold: int = 0
    seg_hit: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(precision=round(self.precision, 4), recall=round(self.recall, 4), f1=round(self.f1, 4))
        return d


@dataclass
class EvalReport:
    calls: int = 0
    categories: dict[str, CategoryScore] = field(default_factory=dict)
    compliant_calls: int = 0
    compliant_flagged: int = 0
    misses: list[dict] = field(default_factory=list)
    false_alarms: list[dict] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    # with a learned second opinion: the same calls scored with its suggestions added (lexicon + model)
    combined: Optional["EvalReport"] = None

    @property
    def compliant_flagged_share(self) -> float:
        return self.compliant_flagged / self.compliant_calls if self.compliant_calls else 0.0

    def to_dict(self) -> dict:
        d = self._to_dict()
        if self.combined is not None:
            d["combined"] = self.combined._to_dict()
        return d

    def _to_dict(self) -> dict:
        return {
            "calls": self.calls,
            "categories": {k: v.to_dict() for k, v in self.categories.items()},
            "compliant_calls": self.compliant_calls,
            "compliant_flagged": self.compliant_flagged,
            "compliant_flagged_share": round(self.compliant_flagged_share, 4),
            "misses": self.misses, "false_alarms": self.false_alarms,
            "unlabelled": self.unlabelled, "failures": [list(x) for x in self.failures],
        }

    def format(self) -> str:
        if self.combined is not None:
            return self._format_both()
        lines = [f"calls evaluated: {self.calls}", "",
                 f"{'category':<24}{'P':>7}{'R':>7}{'F1':>7}{'TP':>5}{'FP':>5}{'FN':>5}   segments hit"]
        alerts = alert_categories()
        for c in self.categories.values():
            seg = f"{c.seg_hit}/{c.seg_gold}" if c.seg_gold else "-"
            lines.append(f"{c.category:<24}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}"
                         f"{c.tp:>5}{c.fp:>5}{c.fn:>5}   {seg}" + ("   (alert)" if c.category in alerts else ""))
        lines.append("")
        lines.append(f"compliant calls with any finding: {self.compliant_flagged}/{self.compliant_calls}"
                     f" = {self.compliant_flagged_share:.1%}"
                     + (" (alerts are not violations: not counted)" if alerts else ""))
        return "\n".join(lines + self._lists())

    def _lists(self) -> list[str]:
        lines: list[str] = []
        if self.misses:
            lines.append("\nmisses (labelled, not found):")
            for m in self.misses:
                lines.append(f"  {m['call_id']} {m['category']} segments {m['segments']}  {m.get('note', '')[:80]}")
        if self.false_alarms:
            lines.append("\nfalse alarms (found, not labelled):")
            for f in self.false_alarms:
                lines.append(f"  {f['call_id']} {f['category']} {f['rule']} seg {f['segment']}: {f['evidence'][:60]}")
        if self.unlabelled:
            lines.append(f"\ncalls without a label (not counted): {', '.join(self.unlabelled[:20])}")
        if self.failures:
            lines.append("\nunreadable transcripts:")
            for p, e in self.failures:
                lines.append(f"  {e}")
        return lines

    def _format_both(self) -> str:
        """Lexicon-only and combined (lexicon + model suggestions) side by side, then the lists."""
        cb = self.combined
        lines = [f"calls evaluated: {self.calls}", "",
                 f"{'':<24}{'--- lexicon only ---':>26}   {'--- lexicon + model ---':>28}",
                 f"{'category':<24}{'P':>7}{'R':>7}{'F1':>7}  seg hit  {'P':>7}{'R':>7}{'F1':>7}  seg hit"]
        alerts = alert_categories()
        for c in self.categories.values():
            k = cb.categories[c.category]
            seg = f"{c.seg_hit}/{c.seg_gold}" if c.seg_gold else "-"
            seg2 = f"{k.seg_hit}/{k.seg_gold}" if k.seg_gold else "-"
            lines.append(f"{c.category:<24}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}  {seg:>7}  "
                         f"{k.precision:>7.3f}{k.recall:>7.3f}{k.f1:>7.3f}  {seg2:>7}"
                         + ("   (alert)" if c.category in alerts else ""))
        lines.append("")
        lines.append(f"compliant calls with any finding: {self.compliant_flagged}/{self.compliant_calls}"
                     f" = {self.compliant_flagged_share:.1%} (lexicon only), {cb.compliant_flagged}/"
                     f"{cb.compliant_calls} = {cb.compliant_flagged_share:.1%} (lexicon + model)"
                     + (" (alerts are not violations: not counted)" if alerts else ""))
        lines += self._lists()
        added = [f for f in cb.false_alarms if f["rule"].startswith("ML-")]
        found = [m for m in self.misses if not any(
            x["call_id"] == m["call_id"] and x["category"] == m["category"] for x in cb.misses)]
        if found:
            lines.append("\nlexicon misses the model found:")
            lines += [f"  {m['call_id']} {m['category']} segments {m['segments']}" for m in found]
        if added:
            lines.append("\nfalse alarms added by the model:")
            lines += [f"  {f['call_id']} {f['category']} {f['rule']} seg {f['segment']}: {f['evidence'][:60]}"
                      for f in added]
        return "\n".join(lines)


def alert_categories() -> set[str]:
    """Categories of the registered rules whose severity is ``alert`` (not violations)."""
    from qa_audit.core.model import ALERT
    from qa_audit.detect.rules import registry

    return {r.category for r in registry.all_rules() if r.severity == ALERT}


def load_institutions(path: str | Path) -> dict[str, str]:
    """``call_id,institution`` rows (names separated by |) -> {call_id: "华远银行|诚泰资产"}."""
    import csv

    from qa_audit.core.dial_log import join_institutions, split_institutions

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise LabelError(f"{path}:0: cannot read: {e.strerror or e}") from e
    reader = csv.DictReader(text.splitlines())
    cols = [c.strip() for c in reader.fieldnames or []]
    if "call_id" not in cols or not ({"institution", "institutions"} & set(cols)):
        raise LabelError(f"{path}:1: needs the columns call_id,institution (has: {', '.join(cols)})")
    out = {}
    for row in reader:
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        names = split_institutions(row.get("institution") or row.get("institutions"))
        if row.get("call_id") and names:
            out[row["call_id"]] = join_institutions(names)
    return out


def evaluate(inputs: Iterable[str | Path], labels_path: str | Path, detector=None,
             categories: Optional[Iterable[str]] = None, institutions: Optional[dict[str, str]] = None) -> EvalReport:
    """``categories``: None = the six core categories and every other category the labels use.
    ``institutions`` ({call_id: "A|B"}, :func:`load_institutions`) is set as each call's
    ``institution`` metadata where the transcript has none."""
    from qa_audit.detect.detector import Detector, iter_transcripts, load_input

    det = detector or Detector.load()
    labels = load_labels(labels_path)
    if categories is None:
        cats = list(CATEGORIES)
        for lab in labels.values():
            for v in lab.get("violations", []):
                if v["category"] not in cats:
                    cats.append(str(v["category"]))
    else:
        cats = list(categories)
    alerts = alert_categories()
    rep = EvalReport(categories={c: CategoryScore(c) for c in cats})
    both = getattr(det, "second_opinion", None) is not None
    if both:
        rep.combined = EvalReport(categories={c: CategoryScore(c) for c in cats})
    for path in iter_transcripts(inputs):
        try:
            call = load_input(path)
        except TranscriptError as e:
            rep.failures.append((str(path), str(e)))
            if both:
                rep.combined.failures.append((str(path), str(e)))
            continue
        lab = labels.get(call.call_id)
        if lab is None:
            rep.unlabelled.append(call.call_id)
            continue
        if institutions and call.call_id in institutions and not call.metadata.get("institution"):
            call.metadata["institution"] = institutions[call.call_id]
        findings = det.scan(call)
        _tally(rep, call, lab, [f for f in findings if not f.details.get("suggested")], cats, alerts)
        if both:
            _tally(rep.combined, call, lab, findings, cats, alerts)
    return rep


def _tally(rep: EvalReport, call, lab: dict, findings: list, cats: list[str],
           alerts: Optional[set[str]] = None) -> None:
    """Count one labelled call's findings into ``rep``.  ``alerts``: the alert categories (not
    violations: a call labelled only with alerts is compliant, an alert finding flags nothing);
    None = those of the registered rules."""
    from qa_audit.core.model import ALERT

    if alerts is None:
        alerts = alert_categories()
    rep.calls += 1
    gold: dict[str, set] = {}
    for v in lab.get("violations", []):
        gold.setdefault(v["category"], set()).add(v.get("segment"))
    pred: dict[str, list] = {}
    for f in findings:
        pred.setdefault(f.category, []).append(f)
    if not set(gold) - alerts:  # compliant: no violation (alerts are not violations)
        rep.compliant_calls += 1
        if any(getattr(f, "severity", "") != ALERT for f in findings):
            rep.compliant_flagged += 1
    for c in cats:
        sc = rep.categories[c]
        g, p = c in gold, c in pred
        if g and p:
            sc.tp += 1
        elif g:
            sc.fn += 1
            rep.misses.append({"call_id": call.call_id, "category": c,
                               "segments": sorted(x for x in gold[c] if x is not None),
                               "note": lab.get("note", "")})
        elif p:
            sc.fp += 1
            for f in pred[c]:
                rep.false_alarms.append({"call_id": call.call_id, "category": c, "rule": f.rule,
                                         "segment": f.segment, "evidence": f.evidence,
                                         "explanation": f.explanation})
        if g:
            segs = {x for x in gold[c] if x is not None}
            hit_segs = {f.segment for f in pred.get(c, [])}
            sc.seg_gold += len(segs)
            sc.seg_hit += len(segs & hit_segs)
