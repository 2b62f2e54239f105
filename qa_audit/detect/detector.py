"""The detection engine: ``Detector.load(config)`` once, then ``.scan(call) -> list[Finding]``.

Per call:

1. every segment is normalized (``textnorm.normalize``: simplified, half width, 您→你, numerals);
2. agent segments are matched against all lexicons at once (Aho-Corasick over characters, plus a
   pinyin automaton for homophones) — characters first, no tokenizer on the hot path;
3. each hit is scored: lexicon base score, negation scope (a cue before it in the clause; its token
   boundaries checked on a spaCy ``Doc`` built only for that segment), quotation / reported speech,
   the lexicon's context cues (clause, segment or whole call);
4. the dialogue state says who is on the line at each turn (``dialogue.py``);
5. the selected rules (``rules/``) turn scored hits and dialogue state into findings; a weak hit is
   only reported when the call already has a strong finding of the same category.

``scan_paths(inputs, out_dir)`` is the batch entry point behind ``qa-audit scan``.
"""
from __future__ import annotations

import bisect
import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from qa_audit.core.config import Config
from qa_audit.detect.dialogue import DialogueTracker
from qa_audit.detect.lexicon import Hit, LexiconSet, load_lexicons
from qa_audit.core.model import Call, Finding, TranscriptError, load_call, read_text
from qa_audit.detect.rules.base import RuleContext
from qa_audit.text.normalize import NormText, normalize

CSV_COLUMNS = ["finding_id", "call_id", "rule", "category", "severity", "segment", "start", "end",
               "speaker", "reason", "evidence", "char_start", "char_end", "score", "message", "explanation"]

_CLAUSE_END = set(",.?!;:，。？！；：…\n")
_QUOTE_OPEN = "“「『‘\""
_COND_IF = re.compile("要是|如果|假如|万一|只要|若是|倘若")
_COND_THEN = re.compile("就|的话|那么|那就")
_QUOTE_CLOSE = "”」』’\""


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    a = start
    while a > 0 and text[a - 1] not in _CLAUSE_END:
        a -= 1
    b = end
    while b < len(text) and text[b] not in _CLAUSE_END:
        b += 1
    return a, b


@dataclass
class _Negation:
    cues: list[tuple[str, int]]
    rhetorical: list[re.Pattern]
    reported: list[tuple[str, str, re.Pattern]]


JIEBA_TERM_FREQ = 200000  # lexicon terms registered with jieba: segmentation never splits them

class Detector:
    """Lexicons, rules and tokenizer loaded once; ``scan(call)`` is cheap."""

    def __init__(self, lexset: LexiconSet, config: Config, rules: list[type], second_opinion: Any = None):
        self.lexset = lexset
        self.config = config
        self.rule_classes = rules
        self.rules = [r() for r in rules]
        # the learned second opinion (qa_audit.detect.learned.SecondOpinion) or None
        self.second_opinion = second_opinion
        neg = lexset.support.get("negation")
        nd = neg.data if neg else {}
        cues = [(str(c["cue"]), int(c.get("within", 8))) for c in (nd.get("cues") or [])]
        cues.sort(key=lambda x: -len(x[0]))
        self._cue_within = dict(cues)
        self._cue_re = re.compile("|".join(re.escape(c) for c, _ in cues)) if cues else None
        self.negation = _Negation(
            cues=cues,
            rhetorical=[re.compile(str(r["pattern"])) for r in (nd.get("rhetorical") or [])],
            reported=[(str(r.get("id", "reported")), str(r.get("where", "before")), re.compile(str(r["pattern"])))
                      for r in (nd.get("reported") or [])],
        )
        dl = lexset.support.get("dialogue")
        self.tracker = DialogueTracker(dl.data if dl else {})
        inst = lexset.support.get("institution")
        self.institution = inst.data if inst else {}
        self._nlp = None
        # categories whose words only count while a third party is on the line
        self.listener_gated = {"third_party_disclosure"}
        # jieba (its dictionary costs a second to load) is loaded and given the lexicon terms on
        # first use: most segments never need a tokenizer

    # --- loading ------------------------------------------------------------------------
    @classmethod
    def load(cls, config: Config | str | Path | None = None, lexicons: str | Path | None = None,
             select: Optional[list[str]] = None, ignore: Optional[list[str]] = None,
             second_opinion: Any = None) -> "Detector":
        """Load lexicons (validated), the selected rules and register lexicon terms with jieba.
        ``second_opinion`` (default: the config's): True / a model path adds the learned model's
        suggestions (``qa_audit.detect.learned``)."""
        from qa_audit.detect.rules import registry

        if not isinstance(config, Config):
            config = Config.load(config)
        # `config` is the configuration in effect: without a lexicons key, QA_AUDIT_HOME / shipped
        from qa_audit.core.resources import default_dir
        lexset = load_lexicons(lexicons or config.lexicons or default_dir("lexicons"))
        rules = registry.select(select=(select if select is not None else config.select),
                                ignore=(config.ignore + list(ignore or [])),
                                scopes=("segment", "call"))
        from qa_audit.detect.learned import second_opinion as _learned

        so = _learned(config.second_opinion if second_opinion is None else second_opinion)
        return cls(lexset, config, rules, second_opinion=so)

    def with_rules(self, rules: list[type]) -> "Detector":
        """The same lexicons, config and second opinion with other rules (no reload)."""
        return Detector(self.lexset, self.config, rules, second_opinion=self.second_opinion)

    def _register_terms(self) -> None:
        """Every lexicon term becomes a jieba word, so segmentation never splits it (done before
        the first tokenization)."""
        import jieba

        if getattr(jieba, "_qa_audit_terms", None) is self.lexset:
            return
        jieba.setLogLevel(60)
        for t in self._jieba_terms():
            jieba.add_word(t, freq=JIEBA_TERM_FREQ)
        jieba._qa_audit_terms = self.lexset  # type: ignore[attr-defined]

    def _jieba_terms(self) -> list[str]:
        return [t for t in self.lexset.terms if 2 <= len(t) <= 12 and not any(c.isdigit() for c in t)]

    def _lazy_tokens(self, text: str) -> list[tuple[str, int, int]]:
        """jieba's tokens of ``text`` without loading its whole dictionary (:mod:`.segment`);
        jieba itself when that is not possible."""
        seg = self.__dict__.get("_segmenter")
        if seg is None:
            from qa_audit.detect.segment import LazySegmenter

            seg = self._segmenter = LazySegmenter(self._jieba_terms(), JIEBA_TERM_FREQ)
        got = seg.tokenize(text)
        return got if got is not None else self.tokens(text)

    # --- tokens -------------------------------------------------------------------------
    def tokens(self, text: str) -> list[tuple[str, int, int]]:
        import jieba

        self._register_terms()
        return [(w, s, e) for w, s, e in jieba.tokenize(text)]

    @property
    def nlp(self):
        """spaCy blank ``zh`` pipeline with the jieba segmenter (loaded on first use)."""
        if self._nlp is None:
            import spacy

            self._register_terms()
            self._nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        return self._nlp

    def doc(self, text: str):
        return self.nlp(text)

    # --- scoring ------------------------------------------------------------------------
    def _negated(self, text: str, hit: Hit, doc_cache: dict) -> Optional[str]:
        a, _ = clause_bounds(text, hit.start, hit.end)
        before = text[a:hit.start]
        # a near hit (A … B) is also negated by a cue between its two words (我们的人不会去你家)
        inside, ins = "", hit.start
        if hit.how == "near" and " … " in hit.pattern:
            ka, kb = hit.pattern.split(" … ", 1)
            kb = kb.rsplit(" (within", 1)[0]
            ins = hit.start + len(ka)
            inside = text[ins:max(ins, hit.end - len(kb))]
        if not before and not inside:
            return None
        _, b = clause_bounds(text, hit.start, hit.end)
        clause = text[a:b]
        if self._cue_re is None:
            return None
        found = [(a + m.start(), a + m.end(), m.group()) for m in self._cue_re.finditer(before)
                 if hit.start - (a + m.end()) <= self._cue_within[m.group()]]
        if inside:
            found += [(ins + m.start(), ins + m.end(), m.group()) for m in self._cue_re.finditer(inside)
                      if len(m.group()) > 1 and len(inside) - m.end() <= 3  # right before the B word
                      and not (ins + m.start() > 0 and text[ins + m.start() - 1] == m.group()[-1])]  # not 是不是
        if not found:
            return None
        rhet = [(m.start() + a, m.end() + a) for p in self.negation.rhetorical for m in p.finditer(clause)]
        for cs, ce, cue in sorted(found, key=lambda x: -x[0]):  # nearest cue first
            if any(rs <= cs and ce <= re_ for rs, re_ in rhet):
                continue
            if cs < hit.start and _COND_IF.search(text[a:cs]) and _COND_THEN.search(text[ce:hit.start]):
                continue  # 要是没有收到钱就去你家: the cue negates the condition, not what follows 就
            if cs >= hit.start:
                return f"'{cue}' between the two words of the near match"
            if self._cue_is_token(text, cs, ce, hit, doc_cache):
                return f"'{cue}' {hit.start - ce} chars before, same clause"
        return None

    def _cue_is_token(self, text: str, cs: int, ce: int, hit: Hit, doc_cache: dict) -> bool:
        """The negation cue must start a jieba token (不会 in 我们不会上门, not the 不 inside 对不起);
        the same segmentation as spaCy's zh tokenizer with the jieba segmenter, without spaCy."""
        toks = doc_cache.get("tokens")
        if toks is None:
            toks = doc_cache["tokens"] = [(s, e) for _w, s, e in self._lazy_tokens(text) if e > s]
            doc_cache["starts"] = [s for s, _e in toks]
        k = bisect.bisect_right(doc_cache["starts"], cs) - 1
        if k < 0 or toks[k][1] <= cs:  # no token holds the cue's first character
            k += 1
            if k >= len(toks) or toks[k][0] >= ce:
                return True
        start, end = toks[k]
        if start != cs:
            return False
        if ce - cs == 1:
            # a one-character cue must be its own token or the start of the hit's token
            return end - start == 1 or end > hit.start
        return True

    def _reported(self, text: str, hit: Hit) -> Optional[str]:
        # inside quotation marks?
        for i in range(hit.start - 1, max(-1, hit.start - 40), -1):
            ch = text[i]
            if ch in _QUOTE_CLOSE and ch not in _QUOTE_OPEN:
                break
            if ch in _QUOTE_OPEN:
                rest = text[hit.end:hit.end + 40]
                if any(c in rest for c in _QUOTE_CLOSE):
                    return f"inside quotation marks {ch}…"
                break
        a, b = clause_bounds(text, hit.start, hit.end)
        for rid, where, p in self.negation.reported:
            region = text[max(0, a - 12):hit.start] if where == "before" else text[hit.end:min(len(text), b + 12)]
            m = p.search(region)
            if m:
                return f"reported speech ({rid}: '{m.group()}')"
        return None

    def score_hits(self, i: int, norm: NormText, hits: list[Hit], call_cues: dict[str, set[str]]) -> None:
        text = norm.text
        doc_cache: dict = {}
        for h in hits:
            e = h.entry
            lex = self.lexset.category(e.category)
            s = e.score
            notes = [f"{e.where} entry '{e.id}' {h.how} match '{h.pattern}'"
                     + (f" (heard '{h.matched}')" if h.how == "pinyin" else "") + f", base {e.score:.2f}"]
            if e.negatable:
                neg = self._negated(text, h, doc_cache)
                if neg:
                    h.negated = True
                    notes.append(f"negated by {neg} → 0")
                    s = 0.0
            if s > 0:
                rep = self._reported(text, h)
                if rep:
                    notes.append(f"{rep} −0.5")
                    s -= 0.5
            if s > 0 and lex is not None:
                a, b = clause_bounds(text, h.start, h.end)
                masked: dict[tuple[str, str], str] = {}
                for cue in sorted(lex.context, key=lambda c: -c.delta):
                    if not cue.applies(e.id):
                        continue
                    if cue.scope == "call":
                        if cue.id in call_cues.get(e.category, set()):
                            s += cue.delta
                            notes.append(f"context '{cue.id}' in the call {cue.delta:+.2f}")
                        continue
                    if cue.scope == "clause":
                        lo, hi = a, b
                    else:
                        lo, hi = 0, len(text)
                    if cue.where == "before":
                        lo, hi = lo, h.start
                    elif cue.where == "after":
                        lo, hi = h.end, hi
                    key = (cue.scope, cue.where)
                    region = masked.get(key, text)[lo:hi]
                    m = cue.pattern.search(region)
                    if m:
                        s += cue.delta
                        notes.append(f"context '{cue.id}' ('{m.group()}') {cue.delta:+.2f}")
                        if cue.delta > 0:  # a raising cue's words cannot also lower (不用走什么申请)
                            base = masked.get(key, text)
                            ms, me = lo + m.start(), lo + m.end()
                            masked[key] = base[:ms] + "\x00" * (me - ms) + base[me:]
            h.score = max(0.0, min(1.0, round(s, 3)))
            h.notes = notes

    # --- scanning -----------------------------------------------------------------------
    def _judged(self, speaker: str) -> bool:
        return speaker == "agent" or (self.config.include_unknown_speaker and speaker == "unknown")

    def context(self, call: Call) -> RuleContext:
        # spoken calls: misheard debt terms read back for the rules (一七 → 逾期, text/terms.py)
        fix = call.kind != "text"
        norms = [normalize(s.text, correct_terms=fix) for s in call.segments]
        texts = [n.text for n in norms]
        hits: list[list[Hit]] = []
        for seg, n in zip(call.segments, norms):
            hits.append(self.lexset.match(n.text) if self._judged(seg.speaker) and n.text else [])
        # call-scope context cues (e.g. an approval number anywhere in the agent's words)
        call_cues: dict[str, set[str]] = {}
        cats = {h.entry.category for hs in hits for h in hs}
        for cat in cats:
            lex = self.lexset.category(cat)
            for cue in (lex.context if lex else []):
                if cue.scope != "call":
                    continue
                for seg, t in zip(call.segments, texts):
                    if (cue.speaker == "any" or seg.speaker == cue.speaker) and cue.pattern.search(t):
                        call_cues.setdefault(cat, set()).add(cue.id)
                        break
        dialogue = self.tracker.track(call, texts)
        for i, (n, hs) in enumerate(zip(norms, hits)):
            if hs and dialogue.party[i] != "third_party":
                # debt words only matter when a third party listens: drop them unscored
                hs[:] = [h for h in hs if h.entry.category not in self.listener_gated]
            if hs:
                self.score_hits(i, n, hs, call_cues)
        options = {"self_id_window_turns": self.config.self_id_window_turns,
                   "self_id_window_seconds": self.config.self_id_window_seconds,
                   "include_unknown_speaker": self.config.include_unknown_speaker,
                   "institution": self.institution, "institutions": self.config.institutions}
        return RuleContext(call=call, norm=norms, hits=hits, dialogue=dialogue, detector=self,
                           options=options)

    def threshold(self, category: str) -> tuple[float, float]:
        lex = self.lexset.category(category)
        th = self.config.thresholds.get(category, lex.threshold if lex else 0.6)
        return th, (lex.support if lex else 0.3)

    @staticmethod
    def _note_corrections(ctx: RuleContext, f: Finding) -> None:
        """A finding whose evidence holds a term read back from an ASR mishearing says both: what
        was heard and how it was read (explanation and reason: 识别为“一七”，按“逾期”理解)."""
        if f.segment is None or f.char_start is None or f.segment >= len(ctx.norm):
            return
        from qa_audit.text.terms import note_zh

        fixes = [c for c in ctx.norm[f.segment].corrections
                 if c.start < (f.char_end or f.char_start) and c.end > f.char_start]
        if not fixes or f.details.get("asr_terms"):
            return
        f.details["asr_terms"] = [{"heard": c.heard, "term": c.term} for c in fixes]
        f.explanation += " | ASR term read back: " + ", ".join(f"'{c.heard}' as '{c.term}'" for c in fixes)
        if f.reason:
            tail = f"（{f.rule}）"
            if f.reason.endswith(tail):
                f.reason = f"{f.reason[:-len(tail)]}（{note_zh(fixes)}）{tail}"
            else:
                f.reason += f"（{note_zh(fixes)}）"

    def scan(self, call: Call) -> list[Finding]:
        """All findings of one call, sorted by segment and offset."""
        ctx = self.context(call)
        findings: list[Finding] = []
        for rule in self.rules:
            findings.extend(rule.findings(ctx))
        strong = {f.category for f in findings if not f.details.get("weak")}
        kept = [f for f in findings if not f.details.get("weak") or f.category in strong]
        if self.second_opinion is not None:  # model suggestions: details["suggested"], rule ML-…
            ids = {id(f) for f in kept}
            kept += self.second_opinion.suggest(ctx, kept, [f for f in findings if id(f) not in ids])
        findings = kept
        for f in findings:
            self._note_corrections(ctx, f)
        findings.sort(key=lambda f: (-1 if f.segment is None else f.segment, f.char_start or 0, f.rule))
        return findings


# --- batch ------------------------------------------------------------------------------
def iter_transcripts(inputs: Iterable[str | Path]) -> Iterable[Path]:
    """Transcript JSON and ``.txt`` notices named directly or found (recursively) in folders, sorted."""
    for inp in inputs:
        p = Path(inp)
        if p.is_dir():
            yield from sorted(x for x in p.rglob("*") if _is_transcript_file(x, p))
        else:
            yield p


# files a folder of transcripts may hold that are not transcripts: outputs of transcribe/run/scan
_NOT_TRANSCRIPTS = frozenset({"readme.txt", "run_summary.json", "transcribe_summary.json", "errors.jsonl"})


def _is_transcript_file(x: Path, top: Path) -> bool:
    """A transcript JSON or ``.txt`` notice inside ``top``; hidden folders and files (``.asr-cache/``,
    ``.git/``) and the tools' own summary files are not inputs."""
    if not x.is_file() or x.suffix.lower() not in (".json", ".txt"):
        return False
    if any(part.startswith(".") for part in x.relative_to(top).parts):
        return False
    return x.name.lower() not in _NOT_TRANSCRIPTS


def load_input(path: str | Path) -> Call:
    """A transcript JSON file, or a ``.txt`` SMS/letter notice (kind "text": one agent segment per
    non-empty line, the call id is the file name).  Raises TranscriptError naming the file."""
    path = Path(path)
    if path.suffix.lower() != ".txt":
        return load_call(path)
    text, _ = read_text(path)
    from qa_audit.core.model import Segment
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return Call(call_id=path.stem, kind="text", callee_relation="unknown",
                segments=[Segment(0.0, 0.0, "agent", ln) for ln in lines], metadata={"source": path.name})


@dataclass
class ScanSummary:
    calls: int = 0
    findings: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    out_dir: str = ""


def findings_to_csv(findings: list[Finding]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for f in findings:
        d = f.to_dict()
        w.writerow({k: ("" if d.get(k) is None else d.get(k)) for k in CSV_COLUMNS})
    return buf.getvalue()


def scan_paths(inputs: Iterable[str | Path], out_dir: str | Path, detector: Optional[Detector] = None,
               config: Config | str | Path | None = None, log=None) -> ScanSummary:
    """Scan transcript files; write ``findings.jsonl`` and ``findings.csv`` (UTF-8 with BOM for Excel)
    atomically into ``out_dir``.  A bad file is reported (``errors.jsonl``) and the batch goes on."""
    from qa_audit.core.atomic import write_text

    det = detector or Detector.load(config)
    out = Path(out_dir)
    summary = ScanSummary(out_dir=str(out))
    all_findings: list[Finding] = []
    for path in iter_transcripts(inputs):
        try:
            call = load_input(path)
            fs = det.scan(call)
        except TranscriptError as e:
            summary.failures.append((str(path), str(e)))
            if log:
                log(f"error: {e}")
            continue
        except Exception as e:  # a bug must not stop the batch; say which file
            summary.failures.append((str(path), f"{path}: {type(e).__name__}: {e}"))
            if log:
                log(f"error: {path}: {type(e).__name__}: {e}")
            continue
        summary.calls += 1
        all_findings.extend(fs)
    summary.findings = len(all_findings)
    write_text(out / "findings.jsonl",
               "".join(json.dumps(f.to_dict(), ensure_ascii=False) + "\n" for f in all_findings))
    write_text(out / "findings.csv", findings_to_csv(all_findings), encoding="utf-8-sig")
    write_text(out / "errors.jsonl",
               "".join(json.dumps({"file": p, "error": e}, ensure_ascii=False) + "\n"
                       for p, e in summary.failures))
    return summary


def render_spans(call: Call, findings: list[Finding], segment: int) -> str:
    """displaCy "span" HTML of one segment with its findings marked (for reports and the review app).

    Tokens are characters (spaCy blank ``zh``, char segmenter), so every finding's exact character
    span can be shown whatever the word segmentation."""
    import spacy
    from spacy import displacy

    text = call.segments[segment].text
    doc = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})(text)
    spans = []
    for f in findings:
        if f.segment != segment or f.char_start is None:
            continue
        sp = doc.char_span(f.char_start, f.char_end, alignment_mode="expand")
        if sp is not None:
            spans.append({"start_token": sp.start, "end_token": sp.end, "label": f.rule})
    data = {"text": text, "tokens": [t.text for t in doc], "spans": spans}
    return displacy.render(data, style="span", manual=True, page=False)
