"""Lexicons in YAML (one file per category), validated on load, matched with Aho-Corasick.

A category file (``lexicons/threat.yaml``)::

    version: 3
    kind: category
    category: threat
    threshold: 0.6            # a hit scoring at least this is a finding
    entries:
      - id: visit-home
        rule: THREAT-001       # the rule code this entry feeds
        score: 0.85
        terms: [上门, 去你家]    # exact (after normalization), Aho-Corasick over characters
        pinyin: true           # also match homophones (逾期 ≈ 预期) — terms of 2 chars need the same
                               # toneless syllables, longer terms tolerate zh/z, j/q/x, n/l, -ng
        near:                  # gap patterns: A within N characters of B (A before B)
          - {a: [去, 到], b: [你家, 你单位], within: 6}
        regex:                 # run only when a trigger term occurs in the segment
          - {pattern: '还\\d+就行', trigger: [就行]}
        weak: false            # weak: only reported when the call has a strong hit of the category
        negatable: true        # a negation cue before it in the clause cancels it (不会上门)
    context:                   # cues that raise or lower the score of hits
      - {id: second-person, pattern: '你|您', delta: 0.1, scope: clause, entries: [visit-home]}
    allow: [上门服务]           # a hit inside one of these phrases is dropped

Support files have ``kind: negation`` (negation cues, rhetorical patterns, reported-speech cues),
``kind: dialogue`` and ``kind: institution`` (read by ``dialogue.py`` / the self-identification rule).

Every mistake is reported as ``file:line: what is wrong`` (``LexiconError``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

from qa_audit.text.normalize import exact_syllables_match, normalize, pinyin_key, pinyin_readings, read_dialect

__all__ = ["LexiconError", "Entry", "Near", "Rx", "Cue", "Lexicon", "LexiconSet", "Hit",
           "load_yaml", "load_lexicons"]

KINDS = ("category", "negation", "dialogue", "institution")
SCOPES = ("clause", "segment", "call")


class LexiconError(ValueError):
    """A lexicon file with a mistake; the message is ``file:line: what is wrong``."""


# --- YAML with line numbers -----------------------------------------------------------------
class LStr(str):
    line: int = 0


class LDict(dict):
    line: int = 0
    key_lines: dict


class LList(list):
    line: int = 0


def _build(node: yaml.Node) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        d = LDict()
        d.line = line
        d.key_lines = {}
        for k, v in node.value:
            key = _build(k)
            d[str(key)] = _build(v)
            d.key_lines[str(key)] = k.start_mark.line + 1
        return d
    if isinstance(node, yaml.SequenceNode):
        lst = LList(_build(v) for v in node.value)
        lst.line = line
        return lst
    # scalar: resolve to python type with the safe constructor
    tag = node.tag
    if tag.endswith(":int"):
        return int(node.value)
    if tag.endswith(":float"):
        return float(node.value)
    if tag.endswith(":bool"):
        return node.value.lower() in ("true", "yes", "on")
    if tag.endswith(":null"):
        return None
    s = LStr(node.value)
    s.line = line
    return s


def load_yaml(path: Path) -> Any:
    """Parse a YAML file keeping line numbers (LDict/LList/LStr carry ``.line``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LexiconError(f"{path}:1: cannot read: {e}") from e
    try:
        node = yaml.compose(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise LexiconError(f"{path}:{line}: invalid YAML: {getattr(e, 'problem', e)}") from e
    if node is None:
        raise LexiconError(f"{path}:1: empty file")
    return _build(node)


def _line(obj: Any, default: int = 1) -> int:
    return getattr(obj, "line", default) or default


class _V:
    """Validation helpers bound to one file."""

    def __init__(self, path: Path):
        self.path = path

    def err(self, obj: Any, msg: str, line: Optional[int] = None) -> LexiconError:
        return LexiconError(f"{self.path}:{line or _line(obj)}: {msg}")

    def key_line(self, d: LDict, key: str) -> int:
        return getattr(d, "key_lines", {}).get(key, _line(d))

    def mapping(self, obj: Any, what: str) -> LDict:
        if not isinstance(obj, dict):
            raise self.err(obj, f"{what} must be a mapping")
        return obj  # type: ignore[return-value]

    def str_list(self, d: LDict, key: str, what: str, required: bool = False) -> list[LStr]:
        v = d.get(key)
        if v is None:
            if required:
                raise self.err(d, f"{what}: '{key}' is required")
            return []
        if isinstance(v, str):
            v = LList([v])
            v.line = self.key_line(d, key)
        if not isinstance(v, list):
            raise self.err(v, f"{what}: '{key}' must be a list of strings", self.key_line(d, key))
        out = []
        for x in v:
            if not isinstance(x, str) or not x.strip():
                raise self.err(x, f"{what}: '{key}' has an empty or non-string item {x!r}",
                               _line(x, self.key_line(d, key)))
            out.append(x)
        return out

    def number(self, d: LDict, key: str, what: str, default: float, lo: float, hi: float) -> float:
        v = d.get(key, default)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.err(v, f"{what}: '{key}' must be a number, got {v!r}", self.key_line(d, key))
        if not lo <= float(v) <= hi:
            raise self.err(v, f"{what}: '{key}' must be between {lo} and {hi}, got {v}",
                           self.key_line(d, key))
        return float(v)

    def boolean(self, d: LDict, key: str, what: str, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            raise self.err(v, f"{what}: '{key}' must be true or false, got {v!r}", self.key_line(d, key))
        return v

    def regex(self, s: Any, what: str, line: int) -> re.Pattern:
        if not isinstance(s, str) or not s:
            raise self.err(s, f"{what}: pattern must be a non-empty string", line)
        try:  # read like the text it runs on: 喺 / 我哋 in a pattern mean 在 / 我们 (normalize.read_dialect)
            return re.compile(read_dialect(s))
        except re.error as e:
            raise self.err(s, f"{what}: bad regular expression {s!r}: {e}", _line(s, line)) from e

    def unknown_keys(self, d: LDict, allowed: Iterable[str], what: str) -> None:
        for k in d:
            if k not in allowed:
                raise self.err(d, f"{what}: unknown key '{k}' (allowed: {', '.join(allowed)})",
                               self.key_line(d, k))


# --- lexicon objects ------------------------------------------------------------------------
@dataclass
class Near:
    a: list[str]
    b: list[str]
    within: int
    line: int = 0

    def describe(self) -> str:
        return f"{'|'.join(self.a)} within {self.within} chars of {'|'.join(self.b)}"


@dataclass
class Rx:
    pattern: re.Pattern
    trigger: list[str]
    line: int = 0


@dataclass
class Entry:
    id: str
    category: str
    rule: str
    score: float
    terms: list[str]
    pinyin: bool = False
    near: list[Near] = field(default_factory=list)
    regex: list[Rx] = field(default_factory=list)
    weak: bool = False
    negatable: bool = True
    note: str = ""
    file: str = ""
    line: int = 0

    def __post_init__(self) -> None:
        self.where = f"{Path(self.file).name}:{self.line}" if self.file else f"?:{self.line}"


@dataclass
class Cue:
    """A context cue: a regex whose presence near a hit raises (delta > 0) or lowers the score."""

    id: str
    pattern: re.Pattern
    delta: float
    scope: str = "clause"
    entries: Optional[set[str]] = None  # None = every entry of the file
    where: str = ""  # before | after | any (within the scope)
    speaker: str = "agent"  # for scope call: whose segments (agent | any)
    line: int = 0

    def applies(self, entry_id: str) -> bool:
        return self.entries is None or entry_id in self.entries


@dataclass
class Lexicon:
    file: str
    kind: str
    version: str
    category: str = ""
    threshold: float = 0.6
    support: float = 0.3
    entries: list[Entry] = field(default_factory=list)
    context: list[Cue] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)
    data: Any = None  # raw mapping for support files


@dataclass
class Hit:
    entry: Entry
    start: int  # offsets in the normalized text
    end: int
    matched: str  # the normalized text matched
    how: str  # exact | pinyin | near | regex
    pattern: str  # the term / pattern that matched
    score: float = 0.0
    notes: list[str] = field(default_factory=list)
    negated: bool = False

    @property
    def category(self) -> str:
        return self.entry.category

    @property
    def rule(self) -> str:
        return self.entry.rule


# a number followed by one of these is a quantity (250斤, 250块, 250元), never the insult 250
_QUANTITY_UNITS = frozenset("斤块元圆个米分万千百亿岁号天期次年月日周人件张笔单台辆套%％.点")


def whole_number_match(text: str, start: int, end: int) -> bool:
    """A term that begins or ends with a digit matches only a whole number: 1250 (一千二百五十) does
    not contain the insult 250, and neither does 250斤 or 250块 (a quantity).  Other terms: True."""
    key = text[start:end]
    if not key:
        return True
    if key[0].isdigit() and start > 0 and (text[start - 1].isdigit() or text[start - 1] in ".．"):
        return False
    if key[-1].isdigit() and end < len(text) and (text[end].isdigit() or text[end] in _QUANTITY_UNITS):
        return False
    return True


def _norm_term(t: str) -> str:
    return normalize(str(t).strip()).text


def _parse_category(v: _V, doc: LDict, version: str) -> Lexicon:
    cat = doc.get("category")
    if not isinstance(cat, str) or not cat:
        raise v.err(doc, "'category' is required in a category lexicon")
    v.unknown_keys(doc, ("version", "kind", "category", "description", "threshold", "support",
                         "entries", "context", "allow"), "file")
    lex = Lexicon(file=str(v.path), kind="category", version=version, category=str(cat))
    lex.threshold = v.number(doc, "threshold", "file", 0.6, 0.0, 1.0)
    lex.support = v.number(doc, "support", "file", 0.3, 0.0, 1.0)
    entries = doc.get("entries")
    if not isinstance(entries, list) or not entries:
        raise v.err(doc, "'entries' must be a non-empty list", v.key_line(doc, "entries") if "entries" in doc else None)
    seen: dict[str, int] = {}
    for e in entries:
        e = v.mapping(e, "entry")
        eid = e.get("id")
        if not isinstance(eid, str) or not eid:
            raise v.err(e, "entry without an 'id'")
        what = f"entry '{eid}'"
        if eid in seen:
            raise v.err(e, f"{what}: duplicate id (first at line {seen[eid]})")
        seen[eid] = _line(e)
        v.unknown_keys(e, ("id", "rule", "score", "terms", "pinyin", "near", "regex", "weak",
                           "negatable", "note"), what)
        rule = e.get("rule")
        if not isinstance(rule, str) or not re.fullmatch(r"[A-Z]+-\d{3}", rule):
            raise v.err(e, f"{what}: 'rule' must be a rule code like THREAT-001, got {rule!r}",
                        v.key_line(e, "rule") if "rule" in e else None)
        terms = v.str_list(e, "terms", what)
        near_list: list[Near] = []
        for n in e.get("near") or []:
            n = v.mapping(n, f"{what}: near")
            v.unknown_keys(n, ("a", "b", "within"), f"{what}: near")
            a = v.str_list(n, "a", f"{what}: near", required=True)
            b = v.str_list(n, "b", f"{what}: near", required=True)
            within = v.number(n, "within", f"{what}: near", 6, 0, 60)
            near_list.append(Near([_norm_term(x) for x in a], [_norm_term(x) for x in b],
                                  int(within), _line(n)))
        rx_list: list[Rx] = []
        for r in e.get("regex") or []:
            r = v.mapping(r, f"{what}: regex")
            v.unknown_keys(r, ("pattern", "trigger"), f"{what}: regex")
            pat = v.regex(r.get("pattern"), f"{what}: regex", _line(r))
            trig = v.str_list(r, "trigger", f"{what}: regex", required=True)
            rx_list.append(Rx(pat, [_norm_term(x) for x in trig], _line(r)))
        if not terms and not near_list and not rx_list:
            raise v.err(e, f"{what}: needs at least one of 'terms', 'near', 'regex'")
        for t in terms:
            if len(_norm_term(t)) < 2 and not e.get("weak"):
                raise v.err(t, f"{what}: term {str(t)!r} is too short (one character matches everywhere)",
                            _line(t))
        lex.entries.append(Entry(
            id=eid, category=lex.category, rule=rule,
            score=v.number(e, "score", what, 0.8, 0.0, 1.0),
            terms=list(dict.fromkeys(_norm_term(t) for t in terms)),
            pinyin=v.boolean(e, "pinyin", what, False), near=near_list, regex=rx_list,
            weak=v.boolean(e, "weak", what, False), negatable=v.boolean(e, "negatable", what, True),
            note=str(e.get("note") or ""), file=str(v.path), line=_line(e)))
    ids = set(seen)
    for c in doc.get("context") or []:
        c = v.mapping(c, "context cue")
        cid = c.get("id")
        if not isinstance(cid, str) or not cid:
            raise v.err(c, "context cue without an 'id'")
        what = f"context '{cid}'"
        v.unknown_keys(c, ("id", "pattern", "delta", "scope", "entries", "where", "speaker"), what)
        pat = v.regex(c.get("pattern"), what, v.key_line(c, "pattern"))
        delta = v.number(c, "delta", what, 0.0, -1.0, 1.0)
        scope = c.get("scope", "clause")
        if scope not in SCOPES:
            raise v.err(c, f"{what}: scope must be one of {SCOPES}, got {scope!r}", v.key_line(c, "scope"))
        where = c.get("where", "any")
        if where not in ("before", "after", "any"):
            raise v.err(c, f"{what}: where must be before, after or any, got {where!r}", v.key_line(c, "where"))
        speaker = c.get("speaker", "agent")
        if speaker not in ("agent", "any", "customer"):
            raise v.err(c, f"{what}: speaker must be agent, customer or any", v.key_line(c, "speaker"))
        ents = None
        if "entries" in c:
            ents = set(v.str_list(c, "entries", what))
            for x in ents:
                if x not in ids:
                    raise v.err(x, f"{what}: unknown entry id '{x}'", _line(x, v.key_line(c, "entries")))
        lex.context.append(Cue(cid, pat, delta, scope, ents, where, speaker, _line(c)))
    lex.allow = [_norm_term(x) for x in v.str_list(doc, "allow", "file")]
    return lex


def load_lexicon(path: str | Path) -> Lexicon:
    """Load and validate one lexicon file."""
    path = Path(path)
    v = _V(path)
    doc = load_yaml(path)
    doc = v.mapping(doc, "the file")
    if "version" not in doc:
        raise v.err(doc, "'version' is required")
    version = str(doc["version"])
    kind = doc.get("kind", "category")
    if kind not in KINDS:
        raise v.err(doc, f"'kind' must be one of {KINDS}, got {kind!r}", v.key_line(doc, "kind"))
    if kind == "category":
        return _parse_category(v, doc, version)
    lex = Lexicon(file=str(path), kind=str(kind), version=version, data=doc)
    # support files: every value under 'patterns' is a regex; validate them here
    for key, val in doc.items():
        if key in ("version", "kind", "description"):
            continue
        if isinstance(val, list):
            for item in val:
                if isinstance(item, dict) and "pattern" in item:
                    v.regex(item["pattern"], f"{key}", _line(item))
    return lex


# --- the matcher ----------------------------------------------------------------------------
class LexiconSet:
    """All lexicons of a folder; one Aho-Corasick automaton over characters, one over pinyin."""

    def __init__(self, lexicons: list[Lexicon]):
        import ahocorasick

        self.lexicons = lexicons
        self.by_category = {lx.category: lx for lx in lexicons if lx.kind == "category"}
        self.support = {lx.kind: lx for lx in lexicons if lx.kind != "category"}
        self.entries = [e for lx in lexicons for e in lx.entries]
        A = ahocorasick.Automaton()
        P = ahocorasick.Automaton()
        table: dict[str, list[tuple]] = {}
        ptable: dict[str, list[tuple]] = {}
        for e in self.entries:
            for t in e.terms:
                table.setdefault(t, []).append(("term", e, t))
                if e.pinyin and len(t) >= 2:
                    for key in pinyin_readings(t):
                        ptable.setdefault(key, []).append(("pinyin", e, t))
            for ni, n in enumerate(e.near):
                for t in n.a:
                    table.setdefault(t, []).append(("near_a", e, ni))
                for t in n.b:
                    table.setdefault(t, []).append(("near_b", e, ni))
            for ri, r in enumerate(e.regex):
                for t in r.trigger:
                    table.setdefault(t, []).append(("trigger", e, ri))
        for lx in lexicons:
            for t in lx.allow:
                table.setdefault(t, []).append(("allow", lx.category, t))
        for k, v in table.items():
            A.add_word(k, (k, v))
        for k, v in ptable.items():
            P.add_word(k, (k, v))
        A.make_automaton()
        self._A = A
        self._P = P
        self._has_pinyin = bool(ptable)
        if self._has_pinyin:
            P.make_automaton()
        self.terms = sorted({t for t in table if len(t) >= 2 and not t.isascii()})
        self._index()

    def _index(self) -> None:
        self._by_id = {id(e): e for e in self.entries}
        self._order = {id(e): i for i, e in enumerate(self.entries)}

    def __getstate__(self) -> dict:  # pickled by the lexicon cache; ids change on loading
        return {k: v for k, v in self.__dict__.items() if k not in ("_by_id", "_order")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._index()

    def category(self, name: str) -> Optional[Lexicon]:
        return self.by_category.get(name)

    def match(self, text: str) -> list[Hit]:
        """Raw hits in a normalized text (no scoring, no negation), allow-listed hits removed."""
        hits: list[Hit] = []
        near_a: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
        near_b: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
        triggers: set[tuple[int, int]] = set()
        allows: list[tuple[int, int, str]] = []
        exact_spans: set[tuple[int, int, int]] = set()
        for end, (key, vals) in self._A.iter(text):
            s, e_ = end - len(key) + 1, end + 1
            if not whole_number_match(text, s, e_):
                continue
            for kind, obj, x in vals:
                if kind == "term":
                    hits.append(Hit(obj, s, e_, key, "exact", x))
                    exact_spans.add((id(obj), s, e_))
                elif kind == "near_a":
                    near_a.setdefault((id(obj), x), []).append((s, e_, key))
                elif kind == "near_b":
                    near_b.setdefault((id(obj), x), []).append((s, e_, key))
                elif kind == "trigger":
                    triggers.add((id(obj), x))
                else:
                    allows.append((s, e_, obj))
        if self._has_pinyin:
            pk = pinyin_key(text)
            for end, (key, vals) in self._P.iter(pk):
                s, e_ = end - len(key) + 1, end + 1
                seg = text[s:e_]
                for _, entry, term in vals:
                    if (id(entry), s, e_) in exact_spans or seg == term:
                        continue
                    if len(term) <= 2 and not exact_syllables_match(seg, term):
                        continue
                    if any(not ("\u4e00" <= ch <= "\u9fff") for ch in seg):
                        continue
                    hits.append(Hit(entry, s, e_, seg, "pinyin", term))
                    exact_spans.add((id(entry), s, e_))
        if near_a:
            by_id = self._by_id
            for (eid, ni), alist in near_a.items():
                blist = near_b.get((eid, ni))
                if not blist:
                    continue
                entry = by_id[eid]
                n = entry.near[ni]
                best = None
                for sa, ea, ka in alist:
                    for sb, eb, kb in blist:
                        if sb >= ea and sb - ea <= n.within:
                            if best is None or eb - sa < best[1] - best[0]:
                                best = (sa, eb, ka, kb)
                if best:
                    sa, eb, ka, kb = best
                    hits.append(Hit(entry, sa, eb, text[sa:eb], "near",
                                    f"{ka} … {kb} (within {n.within})"))
        if triggers:
            by_id = self._by_id
            for eid, ri in triggers:
                entry = by_id[eid]
                rx = entry.regex[ri]
                for m in rx.pattern.finditer(text):
                    if m.end() > m.start():
                        hits.append(Hit(entry, m.start(), m.end(), m.group(), "regex", rx.pattern.pattern))
        if allows and hits:
            def allowed(h: Hit) -> Optional[str]:
                for s, e_, cat in allows:
                    if cat == h.category and s <= h.start and h.end <= e_:
                        return text[s:e_]
                return None
            kept = []
            for h in hits:
                if allowed(h) is None:
                    kept.append(h)
            hits = kept
        # deterministic order whatever the process (sets above are keyed by id())
        order = self._order
        hits.sort(key=lambda h: (h.start, h.end, order[id(h.entry)], h.how, h.pattern))
        return hits


def load_lexicons(folder: str | Path | None = None, cache: bool = True) -> LexiconSet:
    """Load every ``*.yaml`` in ``folder`` (default: the project's lexicons/), validated.

    The compiled set (validated entries, both automata, regexes) is cached in the user cache dir
    (:func:`qa_audit.detect.lexicon_cache.cached`), keyed by the content of the lexicon files and
    of the code that compiles them; an unreadable cache is rebuilt."""
    from qa_audit.core.resources import lexicons_dir

    folder = Path(folder) if folder else lexicons_dir()
    if not folder.is_dir():
        raise LexiconError(f"{folder}:0: lexicon folder not found")
    files = sorted(folder.glob("*.yaml"))
    if cache:
        from qa_audit.detect.lexicon_cache import cached

        return cached(files, lambda: _compile_lexicons(folder, files))
    return _compile_lexicons(folder, files)


def _compile_lexicons(folder: Path, files: list[Path]) -> LexiconSet:
    lexicons = [load_lexicon(p) for p in files]
    cats: dict[str, str] = {}
    for lx in lexicons:
        if lx.kind == "category":
            if lx.category in cats:
                raise LexiconError(f"{lx.file}:1: category '{lx.category}' is also defined in {cats[lx.category]}")
            cats[lx.category] = lx.file
    if not cats:
        raise LexiconError(f"{folder}:0: no category lexicon (*.yaml with kind: category)")
    return LexiconSet(lexicons)
