"""A demo/test database from the labelled sample calls (``samples/audio_truth`` with their recordings,
``samples/dev``): each labelled violation becomes a Finding at its quote, so the web app and the
excerpt export can be exercised without running ASR or the detector.

    python -m qa_audit.web.demo /tmp/demo.sqlite3   # then: qa-audit users add … ; qa-audit serve --db …
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Iterable, Optional

from qa_audit.core.labels import category_label, reason_line
from qa_audit.core.model import Finding, load_call
from qa_audit.core.resources import samples_dir
from qa_audit.store.db import Store

SEVERITY = {"threat": "high", "abuse": "medium", "third_party_disclosure": "high",
            "unauthorized_waiver": "high", "impersonation": "critical", "no_self_identification": "medium"}
MESSAGE = {"threat": "坐席威胁、恐吓债务人", "abuse": "坐席辱骂、贬低债务人",
           "third_party_disclosure": "向非债务人透露债务信息", "unauthorized_waiver": "坐席擅自承诺减免或结清",
           "impersonation": "坐席冒充或假借公检法、政府、律所名义", "no_self_identification": "坐席未表明所属机构"}
RULE = {"threat": "THREAT-LBL", "abuse": "ABUSE-LBL", "third_party_disclosure": "DISCLOSE-LBL",
        "unauthorized_waiver": "WAIVER-LBL", "impersonation": "IMPERSON-LBL", "no_self_identification": "NOID-LBL"}
TEAMS = ("催收一组", "催收二组", "催收三组")


def label_findings(call, violations: Iterable[dict]) -> list[Finding]:
    """Findings at the labelled quotes of ``violations`` (labels.jsonl entries)."""
    out = []
    for v in violations:
        cat = v["category"]
        seg = v.get("segment")
        quote = v.get("quote") or ""
        cs = ce = None
        start = end = None
        if seg is not None and 0 <= seg < len(call.segments):
            s = call.segments[seg]
            k = s.text.find(quote) if quote else -1
            if k >= 0:
                cs, ce = k, k + len(quote)
            start, end = s.start, s.end
        f = Finding(
            call_id=call.call_id, rule=RULE.get(cat, "LABEL-LBL"), category=cat,
            severity=SEVERITY.get(cat, "medium"), segment=seg, start=start, end=end,
            speaker="agent", evidence=quote, char_start=cs, char_end=ce,
            message=MESSAGE.get(cat, cat), explanation=f"人工标注（samples 标签）：类别 {cat}，引文在第 {seg} 句。",
            score=1.0, details={"source": "label"})
        f.reason = reason_line(f"人工标注为“{category_label(cat)}”：{MESSAGE.get(cat, cat)}", f.rule, "agent",
                               quote if seg is not None else "")
        out.append(f)
    return out


_label_findings = label_findings


def _labels(path: Path) -> dict[str, list[dict]]:
    out = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                out[d["call_id"]] = d.get("violations", [])
    return out


def build_demo_store(db: str | Path, samples: Optional[Path] = None, *, dev: bool = True,
                     audio: bool = True, findings: str = "labels") -> Store:
    """``findings``: ``labels`` (each labelled violation at its quote) or ``detector`` (the real
    ``qa_audit.detect.detector.Detector`` scan of each transcript)."""
    samples = Path(samples) if samples else samples_dir()
    store = Store(db)
    detector = None
    if findings == "detector":
        from qa_audit.detect.detector import Detector

        detector = Detector.load()
    elif findings != "labels":
        raise ValueError(f"findings must be 'labels' or 'detector', not {findings!r}")

    def label_findings(call, violations):  # noqa: F811 - the source of findings chosen above
        return detector.scan(call) if detector is not None else _label_findings(call, violations)

    if audio:
        files = {}
        meta = samples / "audio" / "calls.csv"
        if meta.is_file():
            with open(meta, encoding="utf-8") as fh:
                files = {r["call_id"]: r["file"] for r in csv.DictReader(fh)}
        labels = _labels(samples / "audio_truth" / "labels.jsonl")
        for p in sorted((samples / "audio_truth").glob("D*.json")):
            call = load_call(p)
            if call.call_id in files:
                call.audio = str((samples / "audio" / files[call.call_id]).resolve())
            call.metadata.setdefault("team", TEAMS[int(call.agent_id[1:] or 0) % 3] if call.agent_id[1:].isdigit() else "")
            store.save_call(call, label_findings(call, labels.get(call.call_id, [])))
    if dev:
        labels = _labels(samples / "dev" / "labels.jsonl")
        for p in sorted((samples / "dev").glob("D*.json")):
            call = load_call(p)
            if store.get_call(call.call_id) is not None:
                continue  # the recorded version is already in
            call.metadata.setdefault("team", TEAMS[int(call.agent_id[1:] or 0) % 3] if call.agent_id[1:].isdigit() else "")
            store.save_call(call, label_findings(call, labels.get(call.call_id, [])))
    try:
        from qa_audit.score.scoring import score_store

        score_store(store)
    except ImportError:
        pass
    return store


if __name__ == "__main__":  # pragma: no cover
    build_demo_store(sys.argv[1], findings=sys.argv[2] if len(sys.argv) > 2 else "labels")
    print(f"demo database written to {sys.argv[1]}")
