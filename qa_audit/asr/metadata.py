"""The calls CSV of a batch: who called whom, when, for which recording.

:func:`read_metadata` reads it (UTF-8 or GB18030) into rows keyed by file name, file path and
call_id; :func:`call_from_metadata` makes the :class:`Call` a recording's transcript starts from.
"""
from __future__ import annotations

import csv
from pathlib import Path

from qa_audit.core.model import RELATIONS, Call


def read_metadata(csv_path: str | Path) -> dict[str, dict[str, str]]:
    """Rows of a calls CSV keyed by file name, file path and call_id (whichever are given)."""
    csv_path = Path(csv_path)
    reader = csv.DictReader(_csv_text(csv_path).splitlines())
    cols = [c.strip() for c in (reader.fieldnames or [])]
    if "file" not in cols and "call_id" not in cols:
        raise ValueError(f"{csv_path}: metadata CSV needs a 'file' or 'call_id' column (has: {', '.join(cols)})")
    rows: dict[str, dict[str, str]] = {}
    for row in reader:
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
        for key in (row.get("file"), Path(row["file"]).name if row.get("file") else None,
                    row.get("call_id")):
            if key:
                rows.setdefault(key, row)
    return rows


def _csv_text(csv_path: Path) -> str:
    """The CSV's text: UTF-8 (with or without BOM), else GB18030."""
    try:
        raw = csv_path.read_bytes()
    except OSError as e:
        raise ValueError(f"{csv_path}: cannot read metadata CSV: {e.strerror or e}") from e
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


CALL_COLUMNS = ("file", "call_id", "agent_id", "started_at", "callee_relation")  # the rest goes to metadata


def call_from_metadata(path: Path, rows: dict[str, dict[str, str]]) -> Call:
    """The Call of a recording from its CSV row (by path, file name or stem), or named by the stem."""
    row = rows.get(str(path)) or rows.get(path.name) or rows.get(path.stem) or {}
    rel = row.get("callee_relation") or "unknown"
    call = Call(call_id=row.get("call_id") or path.stem, agent_id=row.get("agent_id", ""),
                started_at=row.get("started_at", ""), callee_relation=rel if rel in RELATIONS else "unknown")
    for k, v in row.items():
        if k not in CALL_COLUMNS and v != "":
            call.metadata[k] = v
    if rel not in RELATIONS:
        call.metadata["callee_relation_raw"] = rel
    return call
