"""Training the second opinion (``qa-audit train``): labelled agent turns → ``model.npz``.

Where the labels come from:

- labelled folders (``CALLID.json`` / ``.txt`` + ``labels.jsonl``, ``samples/dev/SCHEMA.md``): every
  judged turn of every labelled call, positive for a category when the label names that segment;
- ``items.jsonl`` of ``samples/real`` (one-utterance items): **only** ``split == "tune"``; the
  ``aside`` items are never read;
- supervisors' decisions from a review database (``--db``, read by
  :mod:`qa_audit.review.decisions`): a finding a supervisor confirmed is a positive turn of its
  category, one dismissed a negative; a 抽检 verdict on a whole call labels all its agent turns
  (the named segment positive for the named categories, the rest negative).
- COLD (``--cold``, :mod:`qa_audit.detect.learned.cold`): offensive / safe social-media comments
  addressed to one person, train split only, labelled for ``abuse`` only and weighted < 1; read
  from a local checkout at training time, never shipped.

Sets kept for measuring (``blind4``, ``blind5``) are refused unless ``allow_holdout``.

Per category a logistic regression (scikit-learn, ``liblinear``, balanced class weights) is fitted
on the turns whose label for that category is known, each turn also once with its lexicon features
masked; its threshold maximises the F0.5 of out-of-fold predictions (5-fold cross-validation
grouped by call), never below 0.5 (see :func:`fit`).  Only the weights are
saved (numpy ``.npz``, see ``model.py``), so scoring never imports scikit-learn.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

import numpy as np

from qa_audit.core.model import Call, Segment
from qa_audit.detect.learned.features import DENSE, MODEL_CATEGORIES, TurnFeatures, turn_features
from qa_audit.detect.learned.model import LinearModel

HOLDOUT_SETS = ("blind4", "blind5")


class TrainError(ValueError):
    """Training input that cannot be used; the message names the file and the problem."""


@dataclass
class Turn:
    source: str                 # "blind2/C0012#5" (set/call#segment), "real/R0001", "db/CALL#3"
    group: str                  # the author set (own, blind, …) for leave-one-set-out
    call_key: str               # cross-validation folds never split a call
    text: str                   # the segment text as spoken
    feats: TurnFeatures
    y: dict[str, int] = field(default_factory=dict)  # category -> 1/0; absent = unknown
    shareable: bool = True      # may be shipped as a nearest example (not real quotations)
    weight: float = 1.0         # sample weight in the fit (COLD comments < 1, see cold.py)


def set_name(folder: Path) -> str:
    """samples/own/tune -> "own/tune"; any other folder -> its name."""
    folder = Path(folder)
    if folder.parent.name == "own":
        return f"own/{folder.name}"
    return folder.name


def author_group(name: str) -> str:
    return name.split("/")[0]


def _check_holdout(path: Path, allow: bool) -> None:
    parts = {p.lower() for p in Path(path).resolve().parts}
    bad = [h for h in HOLDOUT_SETS if h in parts]
    if bad and not allow:
        raise TrainError(f"{path}: {bad[0]} is kept for measuring generalization; it is not trained on "
                         f"(allow_holdout / --allow-holdout overrides)")


def lexicon_fingerprint(det: Any) -> str:
    """sha1 of the lexicon files the features were computed with (a retrain is due when it changes)."""
    h = hashlib.sha1()
    for lx in sorted(det.lexset.lexicons, key=lambda x: Path(x.file).name):
        h.update(Path(lx.file).name.encode())
        try:
            h.update(Path(lx.file).read_bytes())
        except OSError:
            pass
    return h.hexdigest()[:16]


def _call_turns(det: Any, call: Call, source: str, group: str, gold: dict[tuple[int, str], int] | None,
                all_known: bool, shareable: bool = True) -> list[Turn]:
    ctx = det.context(call)
    out = []
    for i, seg in enumerate(call.segments):
        if not det._judged(seg.speaker) or not ctx.text(i).strip():
            continue
        y: dict[str, int] = {}
        for c in MODEL_CATEGORIES:
            v = (gold or {}).get((i, c))
            if v is not None:
                y[c] = v
            elif all_known:
                y[c] = 0
        if not y:
            continue
        out.append(Turn(f"{source}#{i}", group, f"{group}|{call.call_id}", seg.text, turn_features(ctx, i), y,
                        shareable))
    return out


def turns_from_dir(det: Any, folder: str | Path, allow_holdout: bool = False) -> list[Turn]:
    """Every judged turn of the labelled calls in ``folder`` (labels.jsonl beside them)."""
    from qa_audit.detect.detector import iter_transcripts, load_input
    from qa_audit.detect.evaluate import LabelError, load_labels

    folder = Path(folder)
    _check_holdout(folder, allow_holdout)
    lab_path = folder / "labels.jsonl"
    if not lab_path.is_file():
        raise TrainError(f"{folder}: no labels.jsonl")
    try:
        labels = load_labels(lab_path)
    except LabelError as e:
        raise TrainError(str(e)) from e
    name = set_name(folder)
    out: list[Turn] = []
    for path in iter_transcripts([folder]):
        if path.parent != folder:  # src/ folders beside a set
            continue
        try:
            call = load_input(path)
        except Exception as e:  # noqa: BLE001 - name the file
            raise TrainError(f"{path}: {e}") from e
        lab = labels.get(call.call_id)
        if lab is None:
            continue
        gold = {(int(v["segment"]), v["category"]): 1 for v in lab.get("violations", [])
                if v.get("segment") is not None and v["category"] in MODEL_CATEGORIES}
        out += _call_turns(det, call, f"{name}/{call.call_id}", author_group(name), gold, all_known=True)
    return out


def turns_from_real(det: Any, path: str | Path, split: str = "tune") -> list[Turn]:
    """One-utterance items of ``samples/real/items.jsonl`` with ``split == "tune"`` (never aside)."""
    if split != "tune":
        raise TrainError(f"{path}: only the tune split of the real items may be trained on")
    path = Path(path)
    out: list[Turn] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            it = json.loads(line)
        except json.JSONDecodeError as e:
            raise TrainError(f"{path}:{n}: invalid JSON: {e.msg}") from e
        if it.get("split") != "tune":
            continue
        cat = it.get("category")
        if cat not in MODEL_CATEGORIES and cat != "compliant":
            continue  # a category the model does not learn (contact_pressure …)
        call = Call(call_id=str(it["id"]), kind="text" if it.get("kind") == "sms" else "call",
                    callee_relation="contact" if cat == "third_party_disclosure" else "debtor",
                    segments=[Segment(0.0, 5.0, "agent", str(it["text"]))])
        gold = {(0, cat): 1} if cat in MODEL_CATEGORIES else {}
        out += _call_turns(det, call, f"real/{call.call_id}", "real", gold, all_known=True, shareable=False)
    return out


def turns_from_cold(det: Any, path: str | Path, *, weight: float = 0.3, neg_ratio: float = 1.0,
                    max_len: int = 80, seed: int = 0, split: str = "train") -> tuple[list[Turn], dict[str, Any]]:
    """COLD comments (``cold.py``) as one-turn agent utterances to the debtor, labelled for ``abuse``
    only, weighted ``weight``; never shipped as examples.  Returns the turns and a note for the model's
    metadata (path, split, version, counts, settings) so that the model can be rebuilt."""
    from qa_audit.detect.learned import cold as K

    if not 0.0 < weight <= 1.0:
        raise TrainError(f"--cold-weight must be in (0, 1], not {weight}")
    try:
        src = K.read_split(path, split)
    except K.ColdError as e:
        raise TrainError(str(e)) from e
    pos, neg = K.select(K.rows(src.text), neg_ratio=neg_ratio, max_len=max_len, seed=seed)
    out: list[Turn] = []
    for k, (x, v) in enumerate([(x, 1) for x in pos] + [(x, 0) for x in neg]):
        call = Call(call_id=f"cold{k}", kind="call", callee_relation="debtor",
                    segments=[Segment(0.0, 5.0, "agent", x["text"])])
        for t in _call_turns(det, call, f"cold/{split}/{k}", "cold", {(0, "abuse"): v}, all_known=False,
                             shareable=False):
            t.weight = weight
            out.append(t)
    note = {"dataset": "thu-coai/COLDataset (Apache-2.0)", "split": split, "version": src.version, "positive": len(pos),
            "negative": len(neg), "weight": weight, "neg_ratio": neg_ratio, "max_len": max_len, "seed": seed}
    return out, note


def turns_from_decisions(det: Any, decisions: Iterable[dict[str, Any]]) -> list[Turn]:
    """Turns labelled by supervisors: ``decisions`` as given by
    :func:`qa_audit.review.decisions.training_decisions` — per call ``{"call": Call, "gold":
    {(segment, category): 1/0}, "complete": bool}`` (complete: a verdict on the whole call, so every
    other turn is negative for every category)."""
    out: list[Turn] = []
    for d in decisions:
        call = d["call"]
        out += _call_turns(det, call, f"db/{call.call_id}", "db", dict(d.get("gold") or {}),
                           all_known=bool(d.get("complete")))
    return out


def collect(det: Any, labels: Iterable[str | Path], decisions: Optional[Iterable[dict[str, Any]]] = None,
            allow_holdout: bool = False) -> list[Turn]:
    """Turns of every source: folders with labels.jsonl, real items.jsonl files (tune split),
    supervisors' decisions (see :func:`turns_from_decisions`)."""
    turns: list[Turn] = []
    for src in labels:
        p = Path(src)
        if p.is_file() and re.fullmatch(r"items(_round\d+)?\.jsonl", p.name):
            turns += turns_from_real(det, p)
        elif p.is_dir() and (p / "items.jsonl").is_file() and not (p / "labels.jsonl").is_file():
            turns += turns_from_real(det, p / "items.jsonl")
        elif p.is_dir():
            turns += turns_from_dir(det, p, allow_holdout=allow_holdout)
        else:
            raise TrainError(f"{p}: not a labelled folder (labels.jsonl) or a real items.jsonl")
    if decisions is not None:
        turns += turns_from_decisions(det, decisions)
    return turns


def default_sources(samples: str | Path) -> list[Path]:
    """The labelled sets trained on by default (everything except blind4, blind5, the real items'
    aside split; blind6 and blind7 once their first contact was measured; real rounds 2 and 3 tune)."""
    s = Path(samples)
    names = ["dev", "own/tune", "own/holdout", "blind", "blind2", "blind3", "blind6", "blind7", "notices"]
    out = [s / n for n in names if (s / n / "labels.jsonl").is_file()]
    out += [p for p in (s / "real" / f for f in ("items.jsonl", "items_round2.jsonl", "items_round3.jsonl"))
            if p.is_file()]
    return out


# --- fitting ----------------------------------------------------------------------------------------
def _matrix(turns: list[Turn], index: dict[str, int]):
    from scipy import sparse

    rows, cols, vals = [], [], []
    for r, t in enumerate(turns):
        g = t.feats.grams
        if not g:
            continue
        w = 1.0 / math.sqrt(len(g))
        for x in g:
            k = index.get(x)
            if k is not None:
                rows.append(r)
                cols.append(k)
                vals.append(w)
    Xg = sparse.csr_matrix((vals, (rows, cols)), shape=(len(turns), len(index)), dtype=np.float64)
    Xd = sparse.csr_matrix(np.stack([t.feats.dense for t in turns]).astype(np.float64)) if turns else \
        sparse.csr_matrix((0, len(DENSE)))
    return sparse.hstack([Xg, Xd], format="csr")


def _vocab(turns: list[Turn], min_df: int) -> list[str]:
    df: dict[str, int] = {}
    for t in turns:
        for g in t.feats.grams:
            df[g] = df.get(g, 0) + 1
    return sorted(g for g, n in df.items() if n >= min_df)


def _fit_one(X, y, C: float, balanced: bool = False, w: Optional[np.ndarray] = None):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, solver="liblinear", max_iter=2000,
                             class_weight="balanced" if balanced else None)
    clf.fit(X, y, sample_weight=w)
    return clf


def _best_threshold(p: np.ndarray, y: np.ndarray, floor: float = 0.5,
                    beta: float = 1.0) -> tuple[float, dict[str, float]]:
    """The threshold (from ``floor`` up) with the best F-beta of the out-of-fold predictions."""
    best = (floor, -1.0, 0.0, 0.0, 0.0)
    for t in np.arange(floor, 0.96, 0.025):
        pred = p >= t
        tp = int((pred & (y == 1)).sum())
        fp = int((pred & (y == 0)).sum())
        fn = int((~pred & (y == 1)).sum())
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        b2 = beta * beta
        fb = (1 + b2) * prec * rec / (b2 * prec + rec) if prec + rec else 0.0
        if fb > best[1] + 1e-9:
            best = (float(t), fb, prec, rec, f1)
    return round(best[0], 3), {"f1": round(best[4], 4), "precision": round(best[2], 4), "recall": round(best[3], 4)}


def fit(turns: list[Turn], *, C: float = 16.0, min_df: int = 2, folds: int = 5, seed: int = 0,
        dense_only: bool = False, ngrams_only: bool = False, balanced: bool = True,
        mask_lexicon: bool = True, beta: float = 0.5, sources: Optional[list[str]] = None,
        fingerprint: str = "", extra_meta: Optional[dict[str, Any]] = None, log=None) -> LinearModel:
    """Fit one logistic regression per category; thresholds from grouped out-of-fold predictions.

    - ``balanced``: class weights inverse to the class sizes (violating turns are rare);
    - ``mask_lexicon``: every turn is also trained on once with its lexicon features zeroed, so the
      n-grams learn to carry a decision where the lexicons are silent (the lexicons were tuned on
      these very sets, so without this the model would learn little beyond "the lexicon fired");
    - the threshold maximises F-``beta`` (0.5: precision weighs more, a suggestion costs a
      supervisor's time) of out-of-fold predictions, ``folds`` folds grouped by call;
    - ``ngrams_only`` zeroes the lexicon features altogether (to measure the n-grams alone)."""
    if not turns:
        raise TrainError("no labelled turns to train on")
    t0 = time.perf_counter()
    n_turns = len(turns)
    if ngrams_only:
        lex = [k for k, (n, _) in enumerate(DENSE) if n.startswith("lex:")]
        for t in turns:
            t.feats.dense = t.feats.dense.copy()
            t.feats.dense[lex] = 0.0
    if mask_lexicon:  # every turn once more with the lexicon features zeroed: the n-grams must carry it
        lex = [k for k, (n, _) in enumerate(DENSE) if n.startswith("lex:")]
        masked = []
        for t in turns:
            f = TurnFeatures(t.feats.text, t.feats.grams, t.feats.dense.copy())
            f.dense[lex] = 0.0
            masked.append(Turn(t.source + "~", t.group, t.call_key, t.text, f, t.y, False, t.weight))
        turns = list(turns) + masked
    vocab = [] if dense_only else _vocab(turns, min_df)
    index = {g: k for k, g in enumerate(vocab)}
    X = _matrix(turns, index)
    V, C_ = len(vocab), len(MODEL_CATEGORIES)
    W = np.zeros((V, C_), dtype=np.float32)
    D = np.zeros((len(DENSE), C_), dtype=np.float32)
    b = np.zeros(C_, dtype=np.float32)
    th = np.full(C_, 0.5, dtype=np.float32)
    weak = np.full(C_, 0.5, dtype=np.float32)
    cv: dict[str, Any] = {}
    rng = np.random.default_rng(seed)
    calls = sorted({t.call_key for t in turns if t.group != "cold"})
    fold_of = {c: int(f) for c, f in zip(calls, rng.permutation(len(calls)) % folds)}
    extra_keys = sorted({t.call_key for t in turns if t.group == "cold"})  # own draw: the calls' folds stay
    fold_of.update({c: int(f) for c, f in zip(extra_keys, np.random.default_rng(seed + 1).permutation(
        len(extra_keys)) % folds)})
    for k, cat in enumerate(MODEL_CATEGORIES):
        rows = np.array([r for r, t in enumerate(turns) if cat in turns[r].y])
        if len(rows) == 0:
            continue
        y = np.array([turns[r].y[cat] for r in rows])
        sw = np.array([turns[r].weight for r in rows], dtype=np.float64)
        sw = None if np.all(sw == 1.0) else sw
        npos = int(y.sum())
        if npos < 2 or npos == len(y):
            cv[cat] = {"turns": int(len(y)), "positive": npos, "note": "too few labels: not learned"}
            b[k] = -10.0 if npos < 2 else 10.0
            th[k] = weak[k] = 0.99
            continue
        Xc = X[rows]
        oof = np.zeros(len(rows))
        fr = np.array([fold_of[turns[r].call_key] for r in rows])
        for f in range(folds):
            tr, te = fr != f, fr == f
            if te.sum() == 0 or len(set(y[tr])) < 2:
                continue
            oof[te] = _fit_one(Xc[tr], y[tr], C, balanced, None if sw is None else sw[tr]).predict_proba(Xc[te])[:, 1]
        # the threshold is chosen on the labelled calls' turns (full weight), not on extra text (COLD)
        full = np.ones(len(y), dtype=bool) if sw is None else sw >= 1.0
        th[k], stats = _best_threshold(oof[full], y[full], beta=beta)
        weak[k] = round(max(0.35, float(th[k]) - 0.2), 3)
        clf = _fit_one(Xc, y, C, balanced, sw)
        coef = clf.coef_[0]
        W[:, k] = coef[:V]
        D[:, k] = coef[V:]
        b[k] = clf.intercept_[0]
        cv[cat] = {"turns": int(len(y)), "positive": npos, "threshold": float(th[k]), **stats}
        if log:
            log(f"{cat}: {len(y)} turns, {npos} positive, threshold {th[k]:.3f}, "
                f"out-of-fold F1 {stats['f1']:.3f} (P {stats['precision']:.3f}, R {stats['recall']:.3f})")
    # drop n-grams whose weights are negligible in every category (a smaller file, same scores ±1e-3)
    keep = np.abs(W).max(axis=1) >= 1e-3 if V else np.zeros(0, dtype=bool)
    vocab = [g for g, k in zip(vocab, keep) if k]
    W = W[keep]
    examples = []
    for t in turns:
        if not t.shareable:
            continue
        for c, v in t.y.items():
            if v == 1:
                examples.append({"text": t.text, "category": c, "source": t.source})
    meta = {"trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "sources": sources or [],
            "turns": n_turns, "calls": len(calls) + len(extra_keys), "C": C, "min_df": min_df, "folds": folds,
            "balanced": balanced, "mask_lexicon": mask_lexicon, "beta": beta,
            "ngrams": len(vocab), "cross_validated": cv, "lexicon_fingerprint": fingerprint,
            "ngrams_only": ngrams_only, "seconds": round(time.perf_counter() - t0, 1), **(extra_meta or {})}
    return LinearModel(vocab, W, D, b, list(MODEL_CATEGORIES), th, weak, examples, meta)


def train(labels: Iterable[str | Path], out: str | Path, decisions: Optional[list[dict[str, Any]]] = None, *,
          detector: Any = None, allow_holdout: bool = False, C: float = 16.0, source_note: str = "",
          cold: str | Path | None = None, cold_weight: float = 0.3, cold_neg_ratio: float = 1.0,
          log=None) -> LinearModel:
    """Collect the turns, fit, save to ``out``; returns the model (``model.meta`` has the figures).
    ``decisions``: supervisors' decisions (:func:`qa_audit.review.decisions.training_decisions`);
    ``cold``: a local COLD checkout whose train split adds weighted abuse text (:func:`turns_from_cold`)."""
    from qa_audit.detect.detector import Detector

    det = detector or Detector.load(second_opinion=False)
    labels = [Path(x) for x in labels]
    turns = collect(det, labels, decisions=decisions, allow_holdout=allow_holdout)
    srcs = [str(x) for x in labels] + ([source_note or f"{len(decisions)} reviewed calls"] if decisions else [])
    extra: dict[str, Any] = {}
    if cold is not None:
        cturns, extra["cold"] = turns_from_cold(det, cold, weight=cold_weight, neg_ratio=cold_neg_ratio)
        turns += cturns
        srcs.append(f"COLD train ({extra['cold']['version'][:12]})")
        if log:
            log(f"COLD {cold}: {extra['cold']['positive']} offensive + {extra['cold']['negative']} safe comments "
                f"to one person, weight {cold_weight}")
    model = fit(turns, C=C, sources=srcs, fingerprint=lexicon_fingerprint(det), extra_meta=extra, log=log)
    model.save(out)
    model.path = str(out)
    return model
