"""Detector configuration: which rules run, and rule options.

Read from (first found): the ``--config`` path, ``qa-audit.yaml`` / ``.qa-audit.yaml`` in the current
folder, or ``[tool.qa-audit]`` in ``pyproject.toml``::

    # qa-audit.yaml
    select: ["THREAT-*", "abuse", "DISCLOSE-001"]   # code globs, names or categories; empty = all
    ignore: ["THREAT-005"]
    lexicons: ./my-lexicons        # data folders, relative to this file; default: $QA_AUDIT_HOME/<name>,
    rubrics: ./my-rubrics          #   else the shipped copies (qa_audit/core/resources.py);
    reports: ./my-templates        #   `qa-audit init DIR` writes editable copies of lexicons/ and rubrics/
    self_id_window_turns: 0        # name the institution within this many agent turns (0 = whole call)
    self_id_window_seconds: 0      # ... or within this many seconds (whichever is later); both 0 = whole call
    # Default: the whole call, as the labelled definition reads ("never names the institution").
    # A department whose procedure demands it in the opening sets e.g. 6 turns / 90 s.
    include_unknown_speaker: false # also judge segments whose speaker is "unknown"
    thresholds: {threat: 0.6}      # per-category override of the lexicon threshold
    designated_lines: ["021-61234567", "4008001234"]   # 专用电话: the lines collection calls may use
    # designated_lines: {file: lines.txt}   # ... or one per line in a file (relative to this config;
    #                                       #     blank lines and '#' comments ignored)
    # Not set: DIAL-006 is skipped (with a note in the run summary).
    institutions:                  # the lenders, agencies and products/apps the agents call for
      - name: 华远银行             #   (SELFID-001 hears these names, pinyin-tolerant; ASR hotwords)
        aliases: [华远, 华远银行信用卡中心]
        kind: lender               #   lender | agency | product
      - 诚泰资产                   #   a bare name: no aliases
    # A call's own institutions come from the `institution` column of the metadata CSV or the dial
    # log (names separated by |, e.g. 华远银行|诚泰资产); a call without one is matched against all.
    second_opinion: false          # true: add the learned model's suggestions (ML-…, never counted
                                   #   until a supervisor confirms); or the path of a model.npz
    sample_rate: 0                 # qa-audit run: share of unflagged calls drawn each week for 抽检
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

CONFIG_FILES = ("qa-audit.yaml", ".qa-audit.yaml")


class ConfigError(ValueError):
    """A config file with a mistake; the message names the file and the problem."""


INSTITUTION_KINDS = ("lender", "agency", "product")


def parse_institutions(value: Any, source: str = "") -> list[dict[str, Any]]:
    """The ``institutions`` list as ``[{"name", "aliases", "kind"}]``: each item a name or a mapping
    with ``name``, optional ``aliases`` (list or |-separated) and ``kind`` (lender/agency/product)."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{source}: 'institutions' must be a list of names or {{name, aliases, kind}}")
    out = []
    for n, item in enumerate(value, 1):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            raise ConfigError(f"{source}: institutions item {n} needs a name")
        unknown = set(item) - {"name", "aliases", "kind"}
        if unknown:
            raise ConfigError(f"{source}: institutions item {n} ({item['name']}): unknown key "
                              f"'{sorted(unknown)[0]}' (known: aliases, kind, name)")
        aliases = item.get("aliases") or []
        if isinstance(aliases, str):
            aliases = aliases.split("|")
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ConfigError(f"{source}: institutions item {n} ({item['name']}): 'aliases' must be a list of names")
        kind = str(item.get("kind") or "lender")
        if kind not in INSTITUTION_KINDS:
            raise ConfigError(f"{source}: institutions item {n} ({item['name']}): kind must be one of "
                              f"{', '.join(INSTITUTION_KINDS)}, got {kind!r}")
        out.append({"name": str(item["name"]).strip(), "kind": kind,
                    "aliases": [a.strip() for a in aliases if a.strip()]})
    return out


@dataclass
class Config:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    lexicons: Optional[str] = None
    rubrics: Optional[str] = None
    reports: Optional[str] = None
    self_id_window_turns: int = 0
    self_id_window_seconds: float = 0.0
    include_unknown_speaker: bool = False
    thresholds: dict[str, float] = field(default_factory=dict)
    designated_lines: Optional[list[str]] = None  # None = not configured (DIAL-006 skipped)
    institutions: list[dict[str, Any]] = field(default_factory=list)
    second_opinion: Any = False
    sample_rate: float = 0.0
    source: str = ""

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str = "") -> "Config":
        if not isinstance(d, dict):
            raise ConfigError(f"{source}: configuration must be a mapping")
        known = {"select", "ignore", "lexicons", "rubrics", "reports", "self_id_window_turns", "self_id_window_seconds",
                 "include_unknown_speaker", "thresholds", "designated_lines", "institutions", "second_opinion",
                 "sample_rate"}
        for k in d:
            if k not in known:
                raise ConfigError(f"{source}: unknown key '{k}' (known: {', '.join(sorted(known))})")
        cfg = cls(source=source)
        for k in ("select", "ignore"):
            v = d.get(k, [])
            if isinstance(v, str):
                v = [x.strip() for x in v.split(",") if x.strip()]
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise ConfigError(f"{source}: '{k}' must be a list of rule codes/globs")
            setattr(cfg, k, v)
        for k in ("lexicons", "rubrics", "reports"):  # data folders, relative to the config file
            if d.get(k) is None:
                continue
            if not isinstance(d[k], str) or not d[k].strip():
                raise ConfigError(f"{source}: '{k}' must be a folder path, got {d[k]!r}")
            p = Path(d[k]).expanduser()
            if not p.is_absolute() and source:
                p = Path(source).resolve().parent / p
            if not p.is_dir():
                raise ConfigError(f"{source}: '{k}' folder {p} not found")
            setattr(cfg, k, str(p))
        for k, typ in (("self_id_window_turns", int), ("self_id_window_seconds", float)):
            if k in d:
                try:
                    setattr(cfg, k, typ(d[k]))
                except (TypeError, ValueError) as e:
                    raise ConfigError(f"{source}: '{k}' must be a number, got {d[k]!r}") from e
        if "include_unknown_speaker" in d:
            if not isinstance(d["include_unknown_speaker"], bool):
                raise ConfigError(f"{source}: 'include_unknown_speaker' must be true or false")
            cfg.include_unknown_speaker = d["include_unknown_speaker"]
        so = d.get("second_opinion", False)
        if isinstance(so, str) and so.strip() and so.strip().lower() not in ("true", "false", "packaged"):
            p = Path(so).expanduser()
            if not p.is_absolute() and source:
                p = Path(source).resolve().parent / p
            if not p.is_file():
                raise ConfigError(f"{source}: 'second_opinion' model file {p} not found")
            so = str(p)
        elif not isinstance(so, (bool, str)) and so is not None:
            raise ConfigError(f"{source}: 'second_opinion' must be true, false or a model file path")
        cfg.second_opinion = so
        if "sample_rate" in d:
            sr = d["sample_rate"]
            if isinstance(sr, bool) or not isinstance(sr, (int, float)) or not 0 <= float(sr) <= 1:
                raise ConfigError(f"{source}: 'sample_rate' must be a share between 0 and 1, got {sr!r}")
            cfg.sample_rate = float(sr)
        th = d.get("thresholds") or {}
        if not isinstance(th, dict):
            raise ConfigError(f"{source}: 'thresholds' must be a mapping category -> number")
        for k, v in th.items():
            if not isinstance(v, (int, float)) or not 0 <= float(v) <= 1:
                raise ConfigError(f"{source}: threshold for '{k}' must be between 0 and 1")
            cfg.thresholds[str(k)] = float(v)
        if d.get("designated_lines") is not None:
            cfg.designated_lines = _designated_lines(d["designated_lines"], source)
        cfg.institutions = parse_institutions(d.get("institutions"), source)
        return cfg

    @classmethod
    def load(cls, path: str | Path | None = None, start: str | Path | None = None) -> "Config":
        """Load ``path``, or search ``start`` (default: current folder); defaults when none found."""
        if path is not None:
            p = Path(path)
            if not p.is_file():
                raise ConfigError(f"{p}: config file not found")
            return cls._read(p)
        folder = Path(start) if start else Path.cwd()
        for name in CONFIG_FILES:
            p = folder / name
            if p.is_file():
                return cls._read(p)
        pp = folder / "pyproject.toml"
        if pp.is_file():
            import tomllib

            try:
                data = tomllib.loads(pp.read_text(encoding="utf-8"))
            except Exception as e:
                raise ConfigError(f"{pp}: invalid TOML: {e}") from e
            sect = data.get("tool", {}).get("qa-audit")
            if sect is not None:
                return cls.from_dict(sect, str(pp))
        return cls()

    @classmethod
    def _read(cls, p: Path) -> "Config":
        if p.suffix == ".toml":
            import tomllib

            try:
                data = tomllib.loads(p.read_text(encoding="utf-8"))
            except Exception as e:
                raise ConfigError(f"{p}: invalid TOML: {e}") from e
            return cls.from_dict(data.get("tool", {}).get("qa-audit", data), str(p))
        import yaml

        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            raise ConfigError(f"{p}{line}: invalid YAML: {e}") from e
        return cls.from_dict(data, str(p))


def _designated_lines(v: Any, source: str) -> list[str]:
    """``designated_lines``: a list of line numbers, or ``{file: lines.txt}`` (one per line, relative to
    the config file; blank lines and ``#`` comments ignored)."""
    if isinstance(v, dict):
        if set(v) != {"file"} or not isinstance(v["file"], str) or not v["file"].strip():
            raise ConfigError(f"{source}: 'designated_lines' must be a list of lines or {{file: lines.txt}}")
        p = Path(v["file"])
        if not p.is_absolute() and source:
            p = Path(source).resolve().parent / p
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"{source}: designated_lines file {p}: cannot read: "
                              f"{getattr(e, 'strerror', None) or e}") from e
        lines = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
        out = [ln for ln in lines if ln]
        if not out:
            raise ConfigError(f"{source}: designated_lines file {p} lists no line")
        return out
    if isinstance(v, (str, int)) and not isinstance(v, bool):
        v = [v]
    if not isinstance(v, list) or not v or not all(isinstance(x, (str, int)) and not isinstance(x, bool)
                                                  and str(x).strip() for x in v):
        raise ConfigError(f"{source}: 'designated_lines' must be a non-empty list of line numbers "
                          f"or {{file: lines.txt}}")
    return [str(x).strip() for x in v]
