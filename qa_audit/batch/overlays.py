"""Metadata (``calls.csv``) and dial-log joins: loaded once by the driver (:func:`load_overlays`,
never keeping the clear callee number), applied to each Call in the worker (:func:`apply_overlays`)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from qa_audit.core.model import Call, safe_id


@dataclass
class Overlays:
    """What the metadata file and the dial log say about the batch's calls."""

    meta_src: Optional[str | os.PathLike] = None  # the metadata file used (given or found)
    meta: dict[str, dict] = field(default_factory=dict)  # file name or call id -> overlay
    records: list = field(default_factory=list)  # dial-log records
    dial: dict[str, dict] = field(default_factory=dict)  # call id or recording name -> overlay
    failures: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def for_worker(self) -> dict[str, dict]:
        return {"dial": self.dial, "meta": self.meta}


def find_metadata(inputs: Iterable[str]) -> Optional[Path]:
    """A folder's ``calls.csv`` is its metadata (as in samples/audio/): the first input folder's."""
    for inp in inputs:
        cand = Path(inp) / "calls.csv"
        if Path(inp).is_dir() and cand.is_file():
            return cand
    return None


def load_overlays(store, inputs: list[str], metadata: str | os.PathLike | None = None,
                  dial_log: str | os.PathLike | None = None) -> Overlays:
    """Read the metadata file (given, else found among the inputs) and the dial log; a broken file
    is a failure of the run, a bad row a warning (metadata) or failure (dial log)."""
    from qa_audit.core.dial_log import number_key

    key = number_key(store)
    ov = Overlays(meta_src=metadata if metadata is not None else find_metadata(inputs))
    if ov.meta_src is not None:
        _load_metadata(ov, key)
    if dial_log is not None:
        _load_dial_log(ov, dial_log, key)
    for r in ov.records:
        _add_dial_overlay(ov, r)
    return ov


def _load_metadata(ov: Overlays, key: bytes) -> None:
    from qa_audit.core.dial_log import DialLogError, load_metadata

    try:
        ov.meta, errs = load_metadata(ov.meta_src, key)
        ov.warnings += [{"item": w, "error": r} for w, r in errs]
    except DialLogError as e:
        ov.failures.append({"item": str(ov.meta_src), "error": str(e)})


def _load_dial_log(ov: Overlays, dial_log: str | os.PathLike, key: bytes) -> None:
    from qa_audit.core.dial_log import DialLogError, load_dial_log

    try:
        ov.records, errs = load_dial_log(dial_log, key)
        ov.failures += [{"item": w, "error": r} for w, r in errs]
        for r in ov.records:
            for w in r.warnings:
                ov.warnings.append({"item": r.where, "error": w})
    except DialLogError as e:
        ov.failures.append({"item": str(dial_log), "error": str(e)})


def _add_dial_overlay(ov: Overlays, record) -> None:
    from qa_audit.core.dial_log import overlay

    o = overlay(record)
    ov.dial.setdefault(record.call_id, o)
    if record.file:
        ov.dial.setdefault(Path(record.file).name, o)


def assign_call_ids(items: list, ov: Overlays) -> None:
    """Recordings and notices take their call id from the dial log or metadata, else the file stem."""
    for it in items:
        if it.kind != "transcript":
            name = Path(it.path).name
            o = ov.dial.get(name) or ov.meta.get(name)
            it.call_id = (o or {}).get("call_id") or Path(it.path).stem


def apply_overlays(call: Call, item: dict[str, Any], cfg: dict[str, Any]) -> list[str]:
    """Join the dial log and metadata into ``call`` (worker side); returns warnings."""
    from qa_audit.core.dial_log import _NUMBER_COLS, apply_overlay, mask_number

    notes = []
    for k in [k for k in call.metadata if str(k).lower() in _NUMBER_COLS]:  # never keep a clear number
        v = call.metadata.pop(k)
        if v and not call.metadata.get("callee_masked"):
            call.metadata["callee_masked"] = mask_number(str(v))
        notes.append(f"callee number in metadata key {k!r} masked")
    ovs = cfg.get("overlays") or {}
    name = Path(item["path"]).name
    for ov in (ovs.get("dial", {}).get(name) or ovs.get("dial", {}).get(call.call_id),
               ovs.get("meta", {}).get(name) or ovs.get("meta", {}).get(call.call_id)):
        if ov:
            apply_overlay(call, ov)
    if call.call_id != safe_id(call.call_id):
        notes.append(f"call id {call.call_id!r} is not a safe file name; its files use "
                     f"{safe_id(call.call_id)!r}")
    return notes
