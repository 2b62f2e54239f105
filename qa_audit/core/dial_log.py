"""The dialer's call log: load it, join it to recordings, and keep the callee number out of outputs.

A dial log is a CSV file with one row per dial attempt (answered or not)::

    call_id,file,agent_id,team,case_id,callee_number,callee_relation,started_at,connected,duration
    D0004,D0004.wav,A026,T1,C1001,13812348000,debtor,2026-11-08T14:22:31+08:00,yes,44.6
    X0101,,A026,T1,C1001,13812348000,debtor,2026-11-08T15:02:00+08:00,no,0

- ``call_id`` or ``file`` (at least one) identify the row; ``file`` names the recording (base name),
  empty for attempts without a recording.
- ``case_id`` (aliases ``debtor_id``, ``case``) groups the calls of one debt case.
- ``callee_number`` (aliases ``phone``, ``number``, ``callee``) is read into memory only: what is
  kept is a keyed hash (HMAC-SHA256, the key lives in the history database or ``QA_AUDIT_NUMBER_KEY``)
  and a mask such as ``138****8000``.  The clear number never reaches a Call, a finding or a file.
- ``started_at`` ISO 8601 with time zone (a time without zone is read as ``default_tz`` with a
  warning); ``connected`` yes/no (1/0, true/false, 是/否, 接通/未接通); ``duration`` seconds.
- ``caller_line`` (optional; aliases ``caller_number``, ``主叫号码``, ``外显号码``) the company line the
  attempt was dialled from, checked against ``designated_lines`` (DIAL-006).  A company number, kept
  as written; ``None`` on every record when the log has no such column.

A row that cannot be read (bad timestamp, bad ``connected`` value, no id) is reported as one error
line naming the file and line; the rest of the log is used.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Optional

from qa_audit.core.model import RELATIONS, Call

DEFAULT_TZ = timezone(timedelta(hours=8))  # China Standard Time

_ALIASES = {
    "call_id": ("call_id", "callid", "id", "通话id", "通话编号"),
    "file": ("file", "recording", "audio", "filename", "录音", "录音文件"),
    "agent_id": ("agent_id", "agent", "坐席", "坐席工号"),
    "team": ("team", "group", "小组", "团队"),
    "case_id": ("case_id", "debtor_id", "case", "debtor", "案件号", "案件编号"),
    "callee_number": ("callee_number", "phone", "number", "callee", "phone_number", "被叫号码"),
    "callee_relation": ("callee_relation", "relation", "关系"),
    "started_at": ("started_at", "start", "time", "start_time", "拨打时间"),
    "connected": ("connected", "answered", "是否接通", "接通"),
    "duration": ("duration", "duration_s", "seconds", "通话时长"),
    # the company line the call was made from (专用电话; DIAL-006); optional
    "caller_line": ("caller_line", "caller_number", "caller", "line_number", "主叫号码", "外呼号码", "外显号码", "主叫"),
    "institution": ("institution", "institutions", "lender", "机构", "委托机构", "所属机构"),
}
_YES = {"yes", "y", "1", "true", "t", "connected", "answered", "是", "接通", "已接通"}
_NO = {"no", "n", "0", "false", "f", "", "unanswered", "missed", "否", "未接通", "未接"}
_RELATION_ALIASES = {"debtor": "debtor", "本人": "debtor", "债务人": "debtor", "self": "debtor",
                     "contact": "contact", "联系人": "contact", "third_party": "contact",
                     "family": "contact", "家属": "contact", "unknown": "unknown", "": "unknown"}


class DialLogError(ValueError):
    """A dial log that cannot be used at all (missing file, no header, no id column)."""


@dataclass
class DialRecord:
    """One dial attempt.  ``callee_number`` is never set here: only its hash and mask."""

    line: int
    call_id: str
    file: str
    agent_id: str
    team: str
    case_id: str
    callee_hash: str
    callee_masked: str
    callee_relation: str
    started_at: datetime  # aware, in the call's own time zone
    connected: bool
    duration: Optional[float]
    source: str = ""
    warnings: list[str] = field(default_factory=list)
    caller_line: Optional[str] = None  # None: the log has no caller_line column
    institution: str = ""  # the institutions the call is for, |-separated (华远银行|诚泰资产)

    @property
    def started_at_iso(self) -> str:
        return self.started_at.isoformat()

    @property
    def local_date(self) -> str:
        return self.started_at.date().isoformat()

    @property
    def iso_week(self) -> str:
        y, w, _ = self.started_at.isocalendar()
        return f"{y}-W{w:02d}"

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    def describe(self) -> str:
        """Short Chinese line used as evidence: time, masked number, relation, outcome."""
        rel = {"debtor": "债务人", "contact": "联系人"}.get(self.callee_relation, "未知关系")
        outcome = "接通" if self.connected else "未接通"
        return (f"{self.started_at.strftime('%Y-%m-%d %H:%M:%S%z')} 拨打 {self.callee_masked}"
                f"（{rel}，{outcome}，案件 {self.case_id or '-'}）")

    def call_fields(self) -> dict[str, Any]:
        """What the dial log contributes to a Call (no clear number)."""
        return {
            "case_id": self.case_id,
            "callee_hash": self.callee_hash,
            "callee_masked": self.callee_masked,
            "connected": self.connected,
            "dial_duration": self.duration,
            "dial_log_line": self.line,
            **({"caller_line": self.caller_line} if self.caller_line else {}),
            **({"institution": self.institution} if self.institution else {}),
        }


# --- institutions -------------------------------------------------------------------------
def split_institutions(value: Any) -> list[str]:
    """The institution names of a metadata value: a list, or one string separated by | (also ｜,
    、, ; and ,): ``"华远银行|诚泰资产"`` -> ``["华远银行", "诚泰资产"]``."""
    if value in (None, ""):
        return []
    items = value if isinstance(value, (list, tuple)) else re.split(r"[|｜、;；,，]", str(value))
    return list(dict.fromkeys(str(x).strip() for x in items if str(x).strip()))


def join_institutions(names: Iterable[str]) -> str:
    return "|".join(names)


def call_institutions(call: Call) -> list[str]:
    """The institutions a call is for (``Call.metadata["institution"]``), [] when not given."""
    return split_institutions(call.metadata.get("institution") or call.metadata.get("institutions"))


# --- callee numbers -------------------------------------------------------------------------
_DIGITS = re.compile(r"\d")


def normalize_number(number: str) -> str:
    """Digits only, without a +86 / 0086 country prefix."""
    d = "".join(_DIGITS.findall(str(number or "")))
    for prefix in ("0086", "86"):
        if d.startswith(prefix) and len(d) - len(prefix) == 11:
            d = d[len(prefix):]
    return d


def mask_number(number: str) -> str:
    """``13812348000`` -> ``138****8000``; short numbers keep at most their last 2 digits."""
    d = normalize_number(number)
    if not d:
        return ""
    if len(d) >= 11:
        return d[:3] + "****" + d[-4:]
    if len(d) >= 7:
        return d[:2] + "*" * (len(d) - 4) + d[-2:]
    return "*" * max(len(d) - 2, 1) + d[-2:] if len(d) > 2 else "*" * len(d)


def hash_number(number: str, key: bytes) -> str:
    """Keyed hash (HMAC-SHA256, 16 hex digits) of the normalized number: joins calls, reveals nothing."""
    d = normalize_number(number)
    if not d:
        return ""
    return hmac.new(key, d.encode("ascii"), hashlib.sha256).hexdigest()[:16]


def number_key(store: Any = None) -> bytes:
    """The hashing key: ``QA_AUDIT_NUMBER_KEY``, else one random key kept in the history database
    (``meta.callee_hash_key``) so successive weekly runs hash a number the same way."""
    env = os.environ.get("QA_AUDIT_NUMBER_KEY")
    if env:
        return env.encode("utf-8")
    if store is None:
        raise DialLogError("no key for hashing callee numbers: pass a Store or set QA_AUDIT_NUMBER_KEY")
    con = store.conn
    con.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('callee_hash_key', ?)",
                (secrets.token_hex(32),))
    row = con.execute("SELECT value FROM meta WHERE key='callee_hash_key'").fetchone()
    return str(row[0]).encode("utf-8")


# --- parsing --------------------------------------------------------------------------------
def parse_time(value: str, default_tz: timezone = DEFAULT_TZ) -> tuple[datetime, list[str]]:
    """ISO 8601 (``T`` or space) -> aware datetime; a naive time gets ``default_tz`` and a warning."""
    s = str(value or "").strip()
    if not s:
        raise ValueError("empty started_at")
    s2 = s.replace("Z", "+00:00") if s.endswith("Z") else s
    try:
        dt = datetime.fromisoformat(s2)
    except ValueError:
        raise ValueError(f"bad started_at {s!r} (expected ISO 8601 with time zone, "
                         f"e.g. 2026-11-08T14:22:31+08:00)") from None
    warnings = []
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=default_tz)
        warnings.append(f"started_at {s!r} has no time zone; read as {dt.strftime('%z')}")
    return dt, warnings


def parse_connected(value: str) -> bool:
    v = str(value or "").strip().lower()
    if v in _YES:
        return True
    if v in _NO:
        return False
    raise ValueError(f"bad connected value {value!r} (expected yes/no)")


def parse_relation(value: str) -> str:
    v = str(value or "").strip().lower()
    r = _RELATION_ALIASES.get(v, v)
    return r if r in RELATIONS else "unknown"


def _header_map(header: list[str]) -> dict[str, int]:
    norm = [h.strip().lstrip("\ufeff").lower() for h in header]
    out: dict[str, int] = {}
    for name, aliases in _ALIASES.items():
        for a in aliases:
            if a in norm:
                out[name] = norm.index(a)
                break
    return out


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")  # Excel on Chinese Windows saves CSV as GBK


def load_dial_log(path: str | Path, key: bytes, default_tz: timezone = DEFAULT_TZ
                  ) -> tuple[list[DialRecord], list[tuple[str, str]]]:
    """Read a dial log.  Returns ``(records, errors)``; each error is ``(where, reason)`` with
    ``where`` = ``file:line``.  Raises DialLogError only when the file is unusable as a whole."""
    path = Path(path)
    try:
        text = _read_text(path)
    except OSError as e:
        raise DialLogError(f"{path}: cannot read dial log: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise DialLogError(f"{path}: dial log is neither UTF-8 nor GBK text") from e
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(c.strip() for c in rows[0]):
        raise DialLogError(f"{path}: empty dial log (no header row)")
    cols = _header_map(rows[0])
    if "call_id" not in cols and "file" not in cols:
        raise DialLogError(f"{path}:1: dial log needs a call_id or file column; header is {rows[0]}")
    if "started_at" not in cols:
        raise DialLogError(f"{path}:1: dial log needs a started_at column; header is {rows[0]}")

    def get(row: list[str], name: str) -> str:
        i = cols.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    records: list[DialRecord] = []
    errors: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        where = f"{path}:{lineno}"
        try:
            file = get(row, "file")
            call_id = get(row, "call_id") or (Path(file).stem if file else "")
            if not call_id:
                raise ValueError("row has neither call_id nor file")
            if call_id in seen:
                raise ValueError(f"duplicate call_id {call_id!r} (first on line {seen[call_id]})")
            started, warns = parse_time(get(row, "started_at"), default_tz)
            connected = parse_connected(get(row, "connected")) if "connected" in cols else True
            dur_s = get(row, "duration")
            try:
                duration = float(dur_s) if dur_s else None
            except ValueError:
                raise ValueError(f"bad duration {dur_s!r} (expected seconds)") from None
            number = get(row, "callee_number")
        except ValueError as e:
            errors.append((where, f"dial-log row skipped: {e}"))
            continue
        seen[call_id] = lineno
        records.append(DialRecord(
            line=lineno, call_id=call_id, file=file, agent_id=get(row, "agent_id"),
            team=get(row, "team"), case_id=get(row, "case_id"),
            callee_hash=hash_number(number, key), callee_masked=mask_number(number),
            callee_relation=parse_relation(get(row, "callee_relation")), started_at=started,
            connected=connected, duration=duration, source=str(path), warnings=warns,
            caller_line=get(row, "caller_line") if "caller_line" in cols else None,
            institution=join_institutions(split_institutions(get(row, "institution"))),
        ))
    return records, errors


# --- joining --------------------------------------------------------------------------------
@dataclass
class DialIndex:
    """Look-up of dial records by call id and by recording file name."""

    records: list[DialRecord]
    by_call: dict[str, DialRecord] = field(default_factory=dict)
    by_file: dict[str, DialRecord] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for r in self.records:
            self.by_call.setdefault(r.call_id, r)
            if r.file:
                self.by_file.setdefault(Path(r.file).name, r)

    def match(self, path: str | Path | None = None, call_id: str | None = None) -> Optional[DialRecord]:
        if path is not None:
            r = self.by_file.get(Path(path).name)
            if r is not None:
                return r
        if call_id:
            return self.by_call.get(call_id)
        if path is not None:
            return self.by_call.get(Path(path).stem)
        return None

    def missing_recordings(self, matched: Iterable[DialRecord]) -> list[DialRecord]:
        """Rows naming a recording file that no input matched."""
        got = {id(r) for r in matched}
        return [r for r in self.records if r.file and id(r) not in got]


def overlay(record: DialRecord) -> dict[str, Any]:
    """Fields a dial record sets on a Call: agent, team, time, relation and the masked callee."""
    return {
        "call_id": record.call_id,
        "agent_id": record.agent_id,
        "started_at": record.started_at_iso,
        "callee_relation": record.callee_relation,
        "metadata": {"team": record.team, **record.call_fields()} if record.team else record.call_fields(),
    }


def apply_overlay(call: Call, fields_: dict[str, Any], keep_call_id: bool = True) -> Call:
    """Fill a Call from metadata/dial-log fields: empty call fields are filled, metadata merged."""
    for name in ("agent_id", "started_at"):
        v = fields_.get(name)
        if v and not getattr(call, name):
            setattr(call, name, v)
    rel = fields_.get("callee_relation")
    if rel and rel != "unknown" and call.callee_relation == "unknown":
        call.callee_relation = rel
    if not keep_call_id and fields_.get("call_id"):
        call.call_id = fields_["call_id"]
    md = fields_.get("metadata") or {}
    for k, v in md.items():
        if v not in (None, "") and not call.metadata.get(k):
            call.metadata[k] = v
    return call


def dial_only_call(record: DialRecord) -> Call:
    """A Call without recording for a dial attempt that carries a finding (e.g. unanswered at 23:00)."""
    md = {"team": record.team, **record.call_fields(), "pseudo": "dial_attempt"}
    return Call(call_id=record.call_id, agent_id=record.agent_id, started_at=record.started_at_iso,
                callee_relation=record.callee_relation, duration=record.duration or 0.0,
                kind="call", segments=[], metadata={k: v for k, v in md.items() if v not in (None, "")})


def case_week_call_id(case_id: str, week: str) -> str:
    return f"CASE-{case_id}-{week}"


def case_week_call(case_id: str, week: str, records: list[DialRecord]) -> Call:
    """Pseudo-call of a case's week (weekly minimum contact frequency); agent = the case's most
    frequent caller that week, time = its first attempt."""
    records = sorted(records, key=lambda r: r.started_at)
    agents: dict[str, int] = {}
    for r in records:
        if r.agent_id:
            agents[r.agent_id] = agents.get(r.agent_id, 0) + 1
    agent = max(sorted(agents), key=lambda a: agents[a]) if agents else ""
    team = next((r.team for r in records if r.agent_id == agent and r.team), "")
    md = {"team": team, "case_id": case_id, "week": week, "pseudo": "case_week",
          "attempts": len(records)}
    return Call(call_id=case_week_call_id(case_id, week), agent_id=agent,
                started_at=records[0].started_at_iso if records else "", callee_relation="debtor",
                duration=0.0, kind="call", segments=[],
                metadata={k: v for k, v in md.items() if v not in (None, "")})


# --- generic metadata CSV (calls.csv) --------------------------------------------------------
_NUMBER_COLS = {"callee_number", "phone", "number", "callee", "phone_number", "被叫号码"}


def load_metadata(path: str | Path, key: bytes | None = None) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """Read a per-call metadata CSV (``file``/``call_id``, agent_id, started_at, callee_relation,
    team, any extra columns -> metadata).  Returns ``({file-name or call_id: overlay}, errors)``.
    A phone-number column is replaced by its hash and mask."""
    path = Path(path)
    try:
        text = _read_text(path)
    except (OSError, UnicodeDecodeError) as e:
        raise DialLogError(f"{path}: cannot read metadata CSV: {e}") from e
    reader = csv.DictReader(io.StringIO(text))
    out: dict[str, dict[str, Any]] = {}
    errors: list[tuple[str, str]] = []
    for lineno, row in enumerate(reader, start=2):
        row = {(k or "").strip().lstrip("\ufeff").lower(): (v or "").strip() for k, v in row.items()}
        file, cid = row.pop("file", ""), row.pop("call_id", "")
        if not file and not cid:
            errors.append((f"{path}:{lineno}", "metadata row has neither file nor call_id"))
            continue
        ov: dict[str, Any] = {"call_id": cid or Path(file).stem}
        for name in ("agent_id", "started_at"):
            if row.get(name):
                ov[name] = row.pop(name)
        if ov.get("started_at"):
            try:
                parse_time(ov["started_at"])
            except ValueError as e:
                errors.append((f"{path}:{lineno}", f"metadata started_at ignored: {e}"))
                ov.pop("started_at")
        ov["callee_relation"] = parse_relation(row.pop("callee_relation", ""))
        md: dict[str, Any] = {}
        for k, v in row.items():
            if not k or v == "":
                continue
            if k in _NUMBER_COLS:
                md["callee_masked"] = mask_number(v)
                if key is not None:
                    md["callee_hash"] = hash_number(v, key)
                continue
            md[k] = v
        if md.get("institution") or md.get("institutions"):
            md["institution"] = join_institutions(split_institutions(md.pop("institutions", None) or md["institution"]))
        ov["metadata"] = md
        if file:
            out[Path(file).name] = ov
        if cid:
            out.setdefault(cid, ov)
    return out, errors
