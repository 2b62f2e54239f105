"""Rubrics (质检评分表): sections of items, each watching rule codes, globs or categories.

A rubric file (``rubrics/call.yaml``)::

    name: 电话催收质检评分表
    version: "2026.1"
    kind: call                # call | text (SMS / letter notices)
    floor: 0                  # the total never goes below this
    pass_mark: 60
    grades:                   # highest first; a total gets the first band whose min it reaches
      - {name: 优秀, min: 90}
      - {name: 不合格, min: 0}
    sections:
      - name: 开场与身份表明
        items:
          - id: OPEN-01
            name: 表明身份及机构
            points: 10                     # full marks of the item
            deduction: 10                  # per finding; or {low: 2, medium: 5, high: 10, critical: 10}
            cap: 10                        # most this item can lose (default: points)
            fatal: false                   # 一票否决: any counted finding zeroes the call
            watch: {categories: [no_self_identification], codes: [], globs: []}
            basis: 《…》第…条

A finding counts in every item that watches it (by exact code, glob over codes, or category).

Loading validates the file against the rule registry (``qa_audit.detect.rules``, imported lazily): an unknown
code, a glob that matches no rule, an unknown category, a missing field or a wrong type raises
:class:`RubricError` whose message starts with ``file:line:`` for each problem.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Union

from qa_audit.core.labels import CATEGORY_LABELS, SEVERITY_LABELS, category_label, severity_label  # noqa: F401 - re-exported
from qa_audit.core.model import SEVERITIES, CALL_KINDS, Finding
from qa_audit.core.resources import rubrics_dir
from qa_audit.core.yamlsrc import YDict, YList, YamlError, line_of, load_yaml

CORE_CATEGORIES = ("threat", "abuse", "third_party_disclosure", "unauthorized_waiver",
                   "impersonation", "no_self_identification")


class RubricError(ValueError):
    """A rubric or penalty file that is broken; every line of the message is ``file:line: problem``."""

    def __init__(self, errors: Union[str, list[str]]):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(self.errors))


# --- the registry, seen as {code: category} -------------------------------------------------------
class RuleIndex:
    """What a rubric may refer to: rule codes (with their category) and categories."""

    def __init__(self, rules: Optional[Mapping[str, str]] = None, available: bool = True,
                 extra_categories: Iterable[str] = ()):
        self.rules = {str(k).upper(): str(v) for k, v in (rules or {}).items()}
        self.available = available
        self.categories = set(CORE_CATEGORIES) | set(self.rules.values()) | set(extra_categories)

    def glob(self, pattern: str) -> list[str]:
        p = pattern.upper()
        return [c for c in self.rules if fnmatch.fnmatchcase(c, p)]


def rule_index(registry: Any = None) -> RuleIndex:
    """Build a :class:`RuleIndex` from ``registry``: None = the project's registry (lazy import);
    a mapping ``{code: category}``; or an iterable of rule classes/objects with ``code``/``category``."""
    if registry is None:
        try:
            from qa_audit.detect.rules import registry as reg  # lazy: the detector's registry
            from qa_audit.detect.rules.base import CATEGORIES
        except ImportError:
            return RuleIndex({}, available=False)
        return RuleIndex({r.code: r.category for r in reg.all_rules()}, extra_categories=CATEGORIES)
    if isinstance(registry, RuleIndex):
        return registry
    try:
        from qa_audit.detect.rules.base import CATEGORIES as extra
    except ImportError:
        extra = ()
    if isinstance(registry, Mapping):
        return RuleIndex(dict(registry), extra_categories=extra)
    return RuleIndex({r.code: r.category for r in registry}, extra_categories=extra)


def rule_info(code: str) -> dict[str, str]:
    """name / basis / message of a registered rule, or {} when the registry does not know it."""
    try:
        from qa_audit.detect.rules import registry as reg
        r = reg.get(code)
    except Exception:  # registry missing or unknown code
        return {}
    return {"name": getattr(r, "name", ""), "basis": getattr(r, "basis", ""),
            "message": getattr(r, "message", ""), "category": getattr(r, "category", ""),
            "severity": getattr(r, "severity", "")}


# --- a small validator that knows file and line ---------------------------------------------------
class Checker:
    """Collects ``file:line: problem`` messages while reading a YAML tree."""

    def __init__(self, path: str):
        self.path = path
        self.errors: list[str] = []

    def err(self, line: int, msg: str) -> None:
        self.errors.append(f"{self.path}:{line}: {msg}")

    def raise_if_any(self) -> None:
        if self.errors:
            raise RubricError(self.errors)

    def mapping(self, obj: Any, where: str, line: int) -> Optional[YDict]:
        if not isinstance(obj, dict):
            self.err(line_of(obj, line), f"{where} must be a mapping (key: value), got {_tname(obj)}")
            return None
        return obj  # type: ignore[return-value]

    def keys(self, d: YDict, where: str, required: Iterable[str], optional: Iterable[str]) -> None:
        req, opt = list(required), set(optional)
        for k in req:
            if k not in d:
                self.err(d.line, f"{where}: missing required field '{k}'")
        for k in d:
            if k not in req and k not in opt:
                allowed = ", ".join(sorted(set(req) | opt))
                self.err(d.key_line(k), f"{where}: unknown field '{k}' (allowed: {allowed})")

    def text(self, d: YDict, key: str, where: str, default: Optional[str] = None) -> Optional[str]:
        if key not in d:
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, (str, int, float)) or str(v).strip() == "":
            self.err(d.key_line(key), f"{where}: '{key}' must be non-empty text, got {_tname(v)}")
            return default
        return str(v)

    def number(self, d: YDict, key: str, where: str, default: Optional[float] = None,
               minimum: Optional[float] = None) -> Optional[float]:
        if key not in d:
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.err(d.key_line(key), f"{where}: '{key}' must be a number, got {_tname(v)} {v!r}")
            return default
        if minimum is not None and v < minimum:
            self.err(d.key_line(key), f"{where}: '{key}' must be >= {minimum:g}, got {v:g}")
            return default
        return float(v)

    def integer(self, d: YDict, key: str, where: str, default: Optional[int] = None,
                minimum: Optional[int] = None) -> Optional[int]:
        if key not in d:
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, int):
            self.err(d.key_line(key), f"{where}: '{key}' must be a whole number, got {_tname(v)} {v!r}")
            return default
        if minimum is not None and v < minimum:
            self.err(d.key_line(key), f"{where}: '{key}' must be >= {minimum}, got {v}")
            return default
        return v

    def boolean(self, d: YDict, key: str, where: str, default: bool = False) -> bool:
        if key not in d:
            return default
        v = d[key]
        if not isinstance(v, bool):
            self.err(d.key_line(key), f"{where}: '{key}' must be true or false, got {v!r}")
            return default
        return v

    def str_list(self, d: YDict, key: str, where: str) -> list[tuple[str, int]]:
        """A list of strings (a single string is accepted) with the line of each."""
        if key not in d:
            return []
        v = d[key]
        if isinstance(v, str):
            return [(v, d.key_line(key))]
        if not isinstance(v, list):
            self.err(d.key_line(key), f"{where}: '{key}' must be a list of text, got {_tname(v)}")
            return []
        out = []
        for i, x in enumerate(v):
            ln = v.item_line(i) if isinstance(v, YList) else d.key_line(key)
            if not isinstance(x, str) or not x.strip():
                self.err(ln, f"{where}: '{key}' entries must be non-empty text, got {x!r}")
                continue
            out.append((x.strip(), ln))
        return out

    def list_of(self, d: YDict, key: str, where: str, required: bool = True) -> list[tuple[Any, int]]:
        if key not in d:
            return []
        v = d[key]
        if not isinstance(v, list) or (required and not v):
            self.err(d.key_line(key), f"{where}: '{key}' must be a non-empty list, got {_tname(v)}")
            return []
        return [(x, v.item_line(i) if isinstance(v, YList) else d.key_line(key)) for i, x in enumerate(v)]


def _tname(v: Any) -> str:
    if v is None:
        return "nothing"
    return {dict: "a mapping", YDict: "a mapping", list: "a list", YList: "a list", str: "text",
            bool: "true/false", int: "a number", float: "a number"}.get(type(v), type(v).__name__)


def read_yaml_mapping(path: Union[str, Path], what: str) -> tuple[YDict, Checker]:
    """Load a YAML file that must hold a mapping; RubricError ``file:line`` otherwise."""
    try:
        data = load_yaml(path)
    except YamlError as e:
        raise RubricError(str(e)) from e
    chk = Checker(str(path))
    if not isinstance(data, dict):
        chk.err(line_of(data, 1), f"a {what} file must be a mapping at the top level, got {_tname(data)}")
        chk.raise_if_any()
    return data, chk


# --- the rubric model -----------------------------------------------------------------------------
@dataclass
class Item:
    id: str
    name: str
    section: str
    points: float
    deduction: Union[float, dict[str, float]]
    cap: float
    fatal: bool = False
    codes: tuple[str, ...] = ()
    globs: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    basis: str = ""
    description: str = ""
    line: int = 0

    def watches(self, finding: Finding) -> Optional[str]:
        """Why this item counts the finding ("code THREAT-001", "glob DIAL-*", "category threat"), or None."""
        code = (finding.rule or "").upper()
        if code in self.codes:
            return f"code {code}"
        for g in self.globs:
            if fnmatch.fnmatchcase(code, g.upper()):
                return f"glob {g}"
        if finding.category in self.categories:
            return f"category {finding.category}"
        return None

    def deduction_for(self, severity: str) -> float:
        if isinstance(self.deduction, dict):
            return float(self.deduction.get(severity, max(self.deduction.values(), default=0.0)))
        return float(self.deduction)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "section": self.section, "points": self.points,
                "deduction": self.deduction, "cap": self.cap, "fatal": self.fatal,
                "watch": {"codes": list(self.codes), "globs": list(self.globs),
                          "categories": list(self.categories)},
                "basis": self.basis}


@dataclass
class Section:
    name: str
    items: list[Item]
    description: str = ""


@dataclass
class Grade:
    name: str
    min: float


@dataclass
class Rubric:
    name: str
    version: str
    kind: str
    sections: list[Section]
    grades: list[Grade]
    floor: float = 0.0
    pass_mark: float = 60.0
    description: str = ""
    path: str = ""

    @property
    def items(self) -> list[Item]:
        return [it for s in self.sections for it in s.items]

    @property
    def max_points(self) -> float:
        return sum(it.points for it in self.items)

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    def grade_for(self, total: float) -> str:
        for g in self.grades:
            if total >= g.min:
                return g.name
        return self.grades[-1].name


_RUBRIC_KEYS = ("name", "kind", "sections", "grades")
_RUBRIC_OPT = ("version", "floor", "pass_mark", "description")
_ITEM_KEYS = ("id", "name", "points", "watch")
_ITEM_OPT = ("deduction", "cap", "fatal", "basis", "description")


def load_rubric(path: Union[str, Path], registry: Any = None) -> Rubric:
    """Read and validate a rubric; :class:`RubricError` lists every ``file:line: problem``.

    ``registry``: None = ``qa_audit.detect.rules`` (lazy); or ``{code: category}`` (tests, plug-ins).
    """
    data, chk = read_yaml_mapping(path, "rubric")
    index = rule_index(registry)
    chk.keys(data, "rubric", _RUBRIC_KEYS, _RUBRIC_OPT)
    name = chk.text(data, "name", "rubric", "") or ""
    version = str(data.get("version", "1"))
    kind = chk.text(data, "kind", "rubric", "call") or "call"
    if "kind" in data and kind not in CALL_KINDS:
        chk.err(data.key_line("kind"), f"rubric: kind must be one of {', '.join(CALL_KINDS)}, got {kind!r}")
    floor = chk.number(data, "floor", "rubric", 0.0) or 0.0
    pass_mark = chk.number(data, "pass_mark", "rubric", 60.0, minimum=0)
    description = chk.text(data, "description", "rubric", "") or ""

    grades: list[Grade] = []
    for g, ln in chk.list_of(data, "grades", "rubric"):
        gd = chk.mapping(g, "grade", ln)
        if gd is None:
            continue
        chk.keys(gd, "grade", ("name", "min"), ())
        gname = chk.text(gd, "name", "grade")
        gmin = chk.number(gd, "min", "grade")
        if gname is not None and gmin is not None:
            if grades and gmin >= grades[-1].min:
                chk.err(gd.key_line("min"), f"grade {gname!r}: bands must be listed highest first "
                                            f"(min {gmin:g} is not below {grades[-1].min:g})")
            grades.append(Grade(gname, gmin))
    if grades and grades[-1].min > floor:
        chk.err(data.key_line("grades"), f"rubric: the lowest grade band starts at {grades[-1].min:g}, "
                                         f"above the floor {floor:g}: some totals would have no grade")

    sections: list[Section] = []
    seen_ids: dict[str, int] = {}
    for s, ln in chk.list_of(data, "sections", "rubric"):
        sd = chk.mapping(s, "section", ln)
        if sd is None:
            continue
        chk.keys(sd, "section", ("name", "items"), ("description",))
        sname = chk.text(sd, "name", "section", "") or ""
        items: list[Item] = []
        for it, iln in chk.list_of(sd, "items", f"section {sname!r}"):
            item = _load_item(chk, it, iln, sname, index, seen_ids)
            if item is not None:
                items.append(item)
        sections.append(Section(sname, items, chk.text(sd, "description", "section", "") or ""))
    chk.raise_if_any()
    return Rubric(name=name, version=version, kind=kind, sections=sections, grades=grades,
                  floor=floor, pass_mark=float(pass_mark if pass_mark is not None else 60.0),
                  description=description, path=str(path))


def _load_item(chk: Checker, it: Any, line: int, section: str, index: RuleIndex,
               seen_ids: dict[str, int]) -> Optional[Item]:
    d = chk.mapping(it, "item", line)
    if d is None:
        return None
    n_err = len(chk.errors)
    iid = chk.text(d, "id", "item", "") or ""
    where = f"item {iid}" if iid else "item"
    chk.keys(d, where, _ITEM_KEYS, _ITEM_OPT)
    if iid:
        if iid in seen_ids:
            chk.err(d.key_line("id"), f"{where}: duplicate item id (first at line {seen_ids[iid]})")
        seen_ids[iid] = d.key_line("id")
    name = chk.text(d, "name", where, "") or ""
    points = chk.number(d, "points", where, 0.0, minimum=0) or 0.0
    ded: Union[float, dict[str, float]] = points
    if "deduction" in d:
        v = d["deduction"]
        if isinstance(v, dict):
            ded = {}
            for sev, amount in v.items():
                kl = v.key_line(sev) if isinstance(v, YDict) else d.key_line("deduction")
                if sev not in SEVERITIES:
                    chk.err(kl, f"{where}: deduction severity must be one of {', '.join(SEVERITIES)}, "
                                f"got {sev!r}")
                elif isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
                    chk.err(kl, f"{where}: deduction for {sev} must be a number >= 0, got {amount!r}")
                else:
                    ded[sev] = float(amount)
            if not ded and not v:
                chk.err(d.key_line("deduction"), f"{where}: deduction mapping is empty")
        else:
            num = chk.number(d, "deduction", where, None, minimum=0)
            ded = num if num is not None else points
    cap = chk.number(d, "cap", where, points, minimum=0)
    if cap is not None and cap > points:
        chk.err(d.key_line("cap"), f"{where}: cap {cap:g} exceeds the item's points {points:g}")
    fatal = chk.boolean(d, "fatal", where, False)
    codes: list[str] = []
    globs: list[str] = []
    cats: list[str] = []
    if "watch" in d:
        w = chk.mapping(d["watch"], f"{where}: watch", d.key_line("watch"))
        if w is not None:
            chk.keys(w, f"{where}: watch", (), ("codes", "globs", "categories"))
            for code, ln in chk.str_list(w, "codes", f"{where}: watch"):
                if any(ch in code for ch in "*?["):
                    chk.err(ln, f"{where}: {code!r} is a glob; list it under 'globs'")
                elif index.available and code.upper() not in index.rules:
                    chk.err(ln, f"{where}: unknown rule code {code!r} (not in the rule registry)")
                codes.append(code.upper())
            for g, ln in chk.str_list(w, "globs", f"{where}: watch"):
                if index.available and not index.glob(g):
                    chk.err(ln, f"{where}: glob {g!r} matches no rule in the registry")
                globs.append(g)
            for c, ln in chk.str_list(w, "categories", f"{where}: watch"):
                if c not in index.categories:
                    chk.err(ln, f"{where}: unknown category {c!r} "
                                f"(known: {', '.join(sorted(index.categories))})")
                cats.append(c)
            if not (codes or globs or cats) and len(chk.errors) == n_err:
                chk.err(w.line, f"{where}: watch names no codes, globs or categories")
    if len(chk.errors) > n_err:
        return None
    return Item(id=iid, name=name, section=section, points=points, deduction=ded,
                cap=float(cap if cap is not None else points), fatal=fatal, codes=tuple(codes),
                globs=tuple(globs), categories=tuple(cats), basis=chk.text(d, "basis", where, "") or "",
                description=chk.text(d, "description", where, "") or "", line=d.line)


_DEFAULTS: dict[Path, Rubric] = {}


def default_rubric(kind: str = "call") -> Rubric:
    """The rubric for ``call`` (rubrics/call.yaml) or ``text`` notices (rubrics/text.yaml) from the
    rubrics folder in effect (config → QA_AUDIT_HOME → shipped, see core/resources.py)."""
    if kind not in CALL_KINDS:
        raise ValueError(f"unknown call kind {kind!r}; expected one of {', '.join(CALL_KINDS)}")
    path = rubrics_dir() / f"{kind}.yaml"
    if path not in _DEFAULTS:
        _DEFAULTS[path] = load_rubric(path)
    return _DEFAULTS[path]
