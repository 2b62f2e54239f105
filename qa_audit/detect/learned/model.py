"""The learned second opinion at run time: a linear model scored with numpy (no scikit-learn).

``model.npz`` (written by :mod:`qa_audit.detect.learned.train`, loaded with ``allow_pickle=False``):

- ``vocab`` (V,) n-gram strings, ``W`` (V, C) their weights, ``D`` (N_DENSE, C) the dense
  features' weights, ``b`` (C,) the intercepts, for the categories ``categories`` (C,);
- ``threshold`` (C,) the probability from which a turn is proposed, ``weak_threshold`` (C,) the
  lower one used when the lexicons had a weak hit of the category on that turn;
- ``ex_text`` / ``ex_cat`` / ``ex_source``: labelled violating turns, for "the nearest labelled
  example" of an explanation;
- ``meta``: one JSON string (training sets, counts, cross-validated figures, lexicon fingerprint).

``p = sigmoid(b + Σ_{g in grams} W[g] / sqrt(len(grams)) + dense · D)``, the same scaling the
trainer used (binary n-gram vector of unit length).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import numpy as np

from qa_audit.core.labels import CATEGORY_LABELS, shorten, speaker_label
from qa_audit.core.model import Finding
from qa_audit.detect.learned.features import DENSE, MODEL_CATEGORIES, TurnFeatures, ngrams, turn_features

PACKAGED = Path(__file__).resolve().parent / "model.npz"

CATEGORY_ZH = CATEGORY_LABELS  # the one table of Chinese labels (qa_audit.core.labels)
SUGGESTED_CODES = {"threat": "ML-THREAT", "abuse": "ML-ABUSE", "third_party_disclosure": "ML-DISCLOSE",
                   "unauthorized_waiver": "ML-WAIVER", "impersonation": "ML-IMPERSON"}


class ModelError(ValueError):
    """A model file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class SuggestedRule:
    """The pseudo-rule of a model suggestion (not in the registry: never selected, never a lexicon rule)."""

    code: str
    category: str
    severity: str = "medium"

    @property
    def message(self) -> str:
        return f"模型建议：疑似{CATEGORY_ZH.get(self.category, self.category)}（待主管确认，确认前不计分、不处罚）"

    def meaning(self, f: Finding) -> str:
        return f"与{CATEGORY_ZH.get(self.category, self.category)}表述相似"

    def reason_for(self, f: Finding, meaning: Optional[str] = None,
                   keep: Optional[tuple[int, int]] = None) -> str:
        """The plain-Chinese reason of a suggestion (as ``Rule.reason_for``):
        模型建议复核：坐席说“…”，与威胁恐吓表述相似（ML-THREAT）."""
        text = (meaning or self.meaning(f)).rstrip("。；; ")
        q = shorten(f.evidence, keep=keep) if f.segment is not None else ""
        if not q:
            return f"模型建议复核：{text}（{self.code}）"
        who = "未识别的说话人" if f.speaker == "unknown" else speaker_label(f.speaker or "agent")
        return f"模型建议复核：{who}说“{q}”，{text}（{self.code}）"


def is_suggested(f: Finding) -> bool:
    """A model suggestion (``details["suggested"]``), which counts only once a supervisor confirms it."""
    return bool((f.details or {}).get("suggested"))


def _cosine(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


class LinearModel:
    """Weights of a one-vs-rest logistic regression over n-grams and dense features."""

    def __init__(self, vocab: list[str], W: np.ndarray, D: np.ndarray, b: np.ndarray,
                 categories: list[str], threshold: np.ndarray, weak_threshold: np.ndarray,
                 examples: list[dict[str, str]] | None = None, meta: dict[str, Any] | None = None,
                 path: str = ""):
        self.vocab = list(vocab)
        self.index = {g: k for k, g in enumerate(self.vocab)}
        self.W = np.asarray(W, dtype=np.float32)
        self.D = np.asarray(D, dtype=np.float32)
        self.b = np.asarray(b, dtype=np.float32)
        self.categories = list(categories)
        self.cat_index = {c: k for k, c in enumerate(self.categories)}
        self.threshold = np.asarray(threshold, dtype=np.float32)
        self.weak_threshold = np.asarray(weak_threshold, dtype=np.float32)
        self.examples = list(examples or [])
        self.meta = dict(meta or {})
        self.path = path
        self._ex_sets: Optional[list[set]] = None
        if self.W.shape != (len(self.vocab), len(self.categories)) or self.D.shape != (len(DENSE), len(self.categories)):
            raise ModelError(f"{path or 'model'}: weight shapes {self.W.shape} / {self.D.shape} do not fit "
                             f"{len(self.vocab)} n-grams, {len(DENSE)} dense features, {len(self.categories)} categories")

    # --- files ------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        ex = self.examples
        np.savez_compressed(
            tmp, vocab=np.array(self.vocab, dtype=str), W=self.W.astype(np.float16), D=self.D, b=self.b,
            categories=np.array(self.categories, dtype=str), threshold=self.threshold,
            weak_threshold=self.weak_threshold, dense_names=np.array([n for n, _ in DENSE], dtype=str),
            ex_text=np.array([e["text"] for e in ex], dtype=str), ex_cat=np.array([e["category"] for e in ex], dtype=str),
            ex_source=np.array([e["source"] for e in ex], dtype=str),
            meta=np.array(json.dumps(self.meta, ensure_ascii=False)))
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path | None = None) -> "LinearModel":
        path = Path(path) if path else PACKAGED
        try:
            z = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise ModelError(f"{path}: cannot read the model: {e}") from e
        with z:
            names = [str(x) for x in z["dense_names"]]
            if names != [n for n, _ in DENSE]:
                raise ModelError(f"{path}: trained with other dense features ({len(names)}) than this version "
                                 f"({len(DENSE)}): retrain with `qa-audit train`")
            ex = [{"text": str(t), "category": str(c), "source": str(s)}
                  for t, c, s in zip(z["ex_text"], z["ex_cat"], z["ex_source"])]
            return cls([str(x) for x in z["vocab"]], z["W"].astype(np.float32), z["D"], z["b"],
                       [str(x) for x in z["categories"]], z["threshold"], z["weak_threshold"], ex,
                       json.loads(str(z["meta"])), str(path))

    # --- scoring ----------------------------------------------------------------------------
    def logits(self, feats: TurnFeatures) -> np.ndarray:
        z = self.b + feats.dense @ self.D
        grams = feats.grams
        if grams:
            idx = [k for k in map(self.index.get, grams) if k is not None]
            if idx:
                z = z + self.W[idx].sum(axis=0) / math.sqrt(len(grams))
        return z

    def proba(self, feats: TurnFeatures) -> np.ndarray:
        """Probability per category (order ``self.categories``)."""
        return 1.0 / (1.0 + np.exp(-self.logits(feats)))

    def contributions(self, feats: TurnFeatures, category: str, top: int = 4) -> list[dict[str, Any]]:
        """The features that raise the category's logit most: ``{"feature", "label", "weight"}``."""
        c = self.cat_index[category]
        out = []
        scale = 1.0 / math.sqrt(len(feats.grams)) if feats.grams else 0.0
        for g in feats.grams:
            k = self.index.get(g)
            if k is not None:
                w = float(self.W[k, c]) * scale
                if w > 0:
                    third = g.startswith("T|")
                    out.append({"feature": g, "weight": w,
                                "label": f"「{g[2:] if third else g}」" + ("（对第三人说）" if third else "")})
        for j, (name, zh) in enumerate(DENSE):
            w = float(feats.dense[j]) * float(self.D[j, c])
            if w > 0:
                out.append({"feature": name, "weight": w, "label": zh})
        out.sort(key=lambda d: -d["weight"])
        # an n-gram inside a stronger one shown already adds nothing for a reader
        shown: list[dict[str, Any]] = []
        for d in out:
            g = d["feature"]
            if not g.startswith(("lex:", "party:")) and any(g in s["feature"] for s in shown):
                continue
            shown.append(d)
            if len(shown) >= top:
                break
        return [{**d, "weight": round(d["weight"], 3)} for d in shown]

    def nearest(self, text: str, category: str) -> Optional[dict[str, Any]]:
        """The labelled violating turn of ``category`` closest to ``text`` (cosine of n-gram sets)."""
        if self._ex_sets is None:
            self._ex_sets = [{g for g in ngrams(e["text"]) if len(g) >= 2} for e in self.examples]
        mine = {g for g in ngrams(text) if len(g) >= 2}
        best, best_s = None, 0.0
        for e, s in zip(self.examples, self._ex_sets):
            if e["category"] != category:
                continue
            sim = _cosine(mine, s)
            if sim > best_s:
                best, best_s = e, sim
        return {**best, "similarity": round(best_s, 3)} if best else None


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float) -> LinearModel:
    return LinearModel.load(path)


def load_model(path: str | Path | None = None) -> LinearModel:
    """The model at ``path`` (default: the packaged ``model.npz``), loaded once per process."""
    p = Path(path) if path else PACKAGED
    try:
        mtime = p.stat().st_mtime
    except OSError as e:
        raise ModelError(f"{p}: model file not found") from e
    return _load_cached(str(p.resolve()), mtime)


def _clause(text: str, s: int, e: int) -> tuple[int, int]:
    """The clause around ``text[s:e]`` (what a reviewer reads): the rules' evidence span."""
    from qa_audit.detect.rules._common import evidence_span

    return evidence_span(text, s, e)


def _evidence_span(text: str, grams: list[str]) -> tuple[int, int]:
    """The clause of ``text`` holding the first of ``grams`` found in it (the whole text when none)."""
    for g in grams:
        g = g[2:] if g.startswith("T|") else g
        pos = text.find(g) if len(g) >= 2 else -1
        if pos >= 0:
            return _clause(text, pos, pos + len(g))
    a, b = 0, len(text)
    while a < b and text[a] in " \t":
        a += 1
    while b > a and text[b - 1] in " \t":
        b -= 1
    return a, b


class SecondOpinion:
    """Annotates lexicon findings with the model's probability and proposes the turns the lexicons
    missed (``details["suggested"] = True``, rule ``ML-…``)."""

    def __init__(self, model: LinearModel):
        self.model = model

    def score_turn(self, ctx: Any, i: int) -> tuple[TurnFeatures, np.ndarray]:
        f = turn_features(ctx, i)
        return f, self.model.proba(f)

    def suggest(self, ctx: Any, kept: list[Finding], dropped: list[Finding]) -> list[Finding]:
        m = self.model
        det = ctx.detector
        out: list[Finding] = []
        by_seg: dict[int, list[Finding]] = {}
        for f in kept:
            if f.segment is not None:
                by_seg.setdefault(f.segment, []).append(f)
        weak_by_seg: dict[int, list[Finding]] = {}
        for f in dropped:
            if f.segment is not None:
                weak_by_seg.setdefault(f.segment, []).append(f)
        for i, seg in enumerate(ctx.call.segments):
            if not det._judged(seg.speaker) or not ctx.text(i).strip():
                continue
            feats, p = self.score_turn(ctx, i)
            for f in by_seg.get(i, ()):
                k = m.cat_index.get(f.category)
                if k is not None:
                    f.details["model_p"] = round(float(p[k]), 3)
            for c, k in m.cat_index.items():
                if any(f.category == c for f in by_seg.get(i, ())):
                    continue
                if c == "third_party_disclosure" and not ctx.dialogue.is_third_party(i):
                    continue  # a debt word is a disclosure only before a third party
                weak = [f for f in weak_by_seg.get(i, ()) if f.category == c]
                th = float(m.weak_threshold[k] if weak else m.threshold[k])
                pk = float(p[k])
                if pk < th:
                    continue
                out.append(self._finding(ctx, i, c, pk, th, feats, weak))
        return out

    def _finding(self, ctx: Any, i: int, category: str, p: float, th: float, feats: TurnFeatures,
                 weak: list[Finding]) -> Finding:
        m = self.model
        top = m.contributions(feats, category)
        grams = [d["feature"] for d in top if not d["feature"].startswith(("lex:", "party:"))
                 and d["feature"] not in dict(DENSE)]
        text = ctx.text(i)
        a, b = _evidence_span(text, grams)
        if weak and weak[0].details.get("hit_start") is not None:
            wa, wb = _clause(text, int(weak[0].details["hit_start"]), int(weak[0].details["hit_end"]))
            if (a, b) == _evidence_span(text, []):  # no n-gram of the model in the text: the weak hit's clause
                a, b = wa, wb
            else:  # the weak hit's clause and the model's strongest n-gram (你等着，今晚我就拿刀过去)
                a, b = min(a, wa), max(b, wb)
        near = m.nearest(text, category)
        zh = CATEGORY_ZH.get(category, category)
        parts = [f"模型建议（规则未判定违规）：{zh}概率 {p:.2f} ≥ 阈值 {th:.2f}"]
        if weak:
            parts.append(f"词库弱命中“{weak[0].details.get('match') or weak[0].evidence}”"
                         f"（{weak[0].rule}，单独不足以判定），模型复评后提出")
        if top:
            parts.append("主要依据：" + "、".join(f"{d['label']} +{d['weight']:.2f}" for d in top))
        if near:
            parts.append(f"最相近的已标注例句（{near['source']}，相似度 {near['similarity']:.2f}）："
                         f"“{near['text'][:60]}”")
        parts.append("确认前不计分、不进入处罚建议")
        rule = SuggestedRule(SUGGESTED_CODES.get(category, "ML-" + category.upper()), category)
        return ctx.finding(rule, i, a, b, explanation=" | ".join(parts), score=p, suggested=True,
                           model_p=round(p, 3), threshold=round(th, 3), top_features=top, nearest=near,
                           from_weak_hit=weak[0].details.get("entry") if weak else None)
