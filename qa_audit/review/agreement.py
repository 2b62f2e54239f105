"""Agreement between auditors: Cohen's κ (two raters) and Fleiss' κ (more), per category.

    cohen_kappa([("yes", "yes"), ("yes", "no"), ...])          # pairs of labels of the same items
    fleiss_kappa([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], ...])      # items × categories: raters per category
    calibration_report(store, set_id)                           # κ per category + the disagreements

κ = (p_o − p_e) / (1 − p_e); it is undefined (None) when chance agreement is already perfect
(every rater gave every item the same label), where observed agreement alone is reported.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable, Optional, Sequence

from qa_audit.review.store import VERDICT_CATEGORIES, ensure_schema, latest_verdicts
from qa_audit.store.db import Store


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> Optional[float]:
    """Cohen's κ of two raters over the same items; None when undefined (p_e == 1) or no items."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return None
    po = sum(1 for a, b in pairs if a == b) / n
    ca = Counter(a for a, _ in pairs)
    cb = Counter(b for _, b in pairs)
    pe = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    if pe >= 1.0:
        return None
    return (po - pe) / (1 - pe)


def fleiss_kappa(table: Sequence[Sequence[int]]) -> Optional[float]:
    """Fleiss' κ; ``table[i][j]`` = raters who put item i in category j (the same number of raters
    for every item, at least two).  None when undefined (p_e == 1) or no items."""
    rows = [list(map(int, r)) for r in table]
    if not rows:
        return None
    n = sum(rows[0])
    if n < 2 or any(sum(r) != n for r in rows):
        raise ValueError("Fleiss' kappa needs the same number (>= 2) of ratings for every item")
    N = len(rows)
    k = len(rows[0])
    p_j = [sum(r[j] for r in rows) / (N * n) for j in range(k)]
    P_i = [(sum(x * x for x in r) - n) / (n * (n - 1)) for r in rows]
    P_bar = sum(P_i) / N
    P_e = sum(p * p for p in p_j)
    if P_e >= 1.0:
        return None
    return (P_bar - P_e) / (1 - P_e)


@dataclass
class CategoryAgreement:
    category: str
    method: str                 # "Cohen" | "Fleiss" | ""
    items: int                  # calls with the ratings the statistic uses
    raters: int
    observed: Optional[float]   # share of items on which every rater agrees
    kappa: Optional[float]
    positives: int              # ratings "violated"


@dataclass
class Disagreement:
    call_id: str
    category: str
    yes: list[str] = field(default_factory=list)   # reviewers who found the violation
    no: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class CalibrationReport:
    set_id: str
    reviewers: list[str]
    calls: list[str]
    complete: int                # calls every assigned reviewer has judged
    categories: list[CategoryAgreement] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # calls left out (fewer ratings than the others)


def agreement(ratings: dict[str, dict[str, bool]], category: str) -> CategoryAgreement:
    """``ratings``: call -> reviewer -> violated?  Cohen when the same two reviewers rated every call,
    else Fleiss over the calls with the most common number of ratings (>= 2)."""
    items = {c: r for c, r in ratings.items() if len(r) >= 2}
    if not items:
        return CategoryAgreement(category, "", 0, 0, None, None, 0)
    raters = sorted({x for r in items.values() for x in r})
    counts = Counter(len(r) for r in items.values())
    if len(raters) == 2 and all(len(r) == 2 for r in items.values()):
        a, b = raters
        pairs = [(r[a], r[b]) for r in items.values()]
        kappa = cohen_kappa(pairs)
        obs = sum(1 for x, y in pairs if x == y) / len(pairs)
        pos = sum(int(x) + int(y) for x, y in pairs)
        return CategoryAgreement(category, "Cohen", len(pairs), 2, obs, kappa, pos)
    n = max(counts, key=lambda k: (counts[k], k))
    use = [r for r in items.values() if len(r) == n]
    table = [[sum(1 for v in r.values() if not v), sum(1 for v in r.values() if v)] for r in use]
    kappa = fleiss_kappa(table)
    obs = sum(1 for t in table if 0 in t) / len(table)
    return CategoryAgreement(category, "Fleiss", len(use), n, obs, kappa, sum(t[1] for t in table))


def calibration_report(store: Store, set_id: str, categories: Sequence[str] = VERDICT_CATEGORIES) -> CalibrationReport:
    """κ per category and the disagreements of one calibration set (latest verdict per reviewer)."""
    ensure_schema(store)
    assigned = store.conn.execute("SELECT call_id, reviewer FROM assignments WHERE set_id=?", (set_id,)).fetchall()
    want: dict[str, set[str]] = {}
    for r in assigned:
        want.setdefault(r["call_id"], set()).add(r["reviewer"])
    got: dict[str, dict[str, Any]] = {}
    for v in latest_verdicts(store, "calibration", set_id, per_reviewer=True):
        if v["reviewer"] in want.get(v["call_id"], set()):
            got.setdefault(v["call_id"], {})[v["reviewer"]] = v
    rep = CalibrationReport(set_id, sorted({r["reviewer"] for r in assigned}), sorted(want),
                            sum(1 for c, rs in want.items() if set(got.get(c, {})) >= rs))
    for cat in categories:
        ratings = {c: {rv: cat in v["categories"] for rv, v in rs.items()} for c, rs in got.items()}
        ag = agreement(ratings, cat)
        rep.categories.append(ag)
        for c in sorted(ratings):
            r = ratings[c]
            if len(r) >= 2 and len(set(r.values())) > 1:
                rep.disagreements.append(Disagreement(
                    c, cat, sorted(x for x, v in r.items() if v), sorted(x for x, v in r.items() if not v),
                    {x: got[c][x].get("note") or "" for x in r if got[c][x].get("note")}))
    counts = Counter(len(rs) for rs in got.values() if len(rs) >= 2)
    if counts:
        n = max(counts, key=lambda k: (counts[k], k))
        two_raters = len({x for rs in got.values() for x in rs}) == 2
        if not two_raters:
            rep.excluded = sorted(c for c, rs in got.items() if len(rs) != n)
    return rep
