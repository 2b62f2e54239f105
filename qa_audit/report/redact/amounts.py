"""Money amounts (23,456元, 两万三千四百五十六元, 三千五): bucketed (2万-3万元), masked or kept."""
from __future__ import annotations

import re
from typing import Optional

from qa_audit.report.redact.base import Recognizer

_CN_AMOUNT = r"[零一二三四五六七八九十百千万亿两]+"
_AMOUNT = re.compile(
    rf"(?:(?<![\d.])\d{{1,3}}(?:[,，]\d{{3}})+(?:\.\d+)?|(?<![\d.])\d+(?:\.\d+)?|{_CN_AMOUNT})(万)?(元|块钱|块[一二三四五六七八九]?)(整)?"
    # no unit: a number with a magnitude (千/万): 三千五, 两万三, 2.3万, 一万四千三
    rf"|(?<![\d.零一二三四五六七八九十百千万两])(?:\d+(?:\.\d+)?万|[零一二三四五六七八九十百两]*[一二三四五六七八九两][千万][零一二三四五六七八九十百千万两]*)"
    r"(?:多|余)?(?!多?[\d个天号人次期年月日周分秒点倍家米里岁名位张笔条])")


def parse_amount(s: str) -> Optional[float]:
    s = s.replace(",", "").replace("，", "")
    s = re.sub(r"(整|多|余)$", "", s)
    m = re.search(r"块([一二三四五六七八九])$", s)
    jiao = "一二三四五六七八九".index(m.group(1)) + 1 if m else 0
    s = re.sub(r"(元|块钱|块[一二三四五六七八九]?)$", "", s)
    try:
        if re.fullmatch(r"\d+(?:\.\d+)?万?", s):
            return float(s.rstrip("万")) * (10000 if s.endswith("万") else 1) + jiao / 10
        import cn2an

        return float(cn2an.cn2an(s.replace("两", "二"), "smart")) + jiao / 10
    except Exception:
        return None


def bucket_amount(v: float) -> str:
    """23456 → '2万-3万元'; 2350 → '2千-3千元'; 486 → '1千元以下'."""
    if v >= 10000:
        lo = int(v // 10000)
        return f"{lo}万-{lo + 1}万元"
    if v >= 1000:
        lo = int(v // 1000)
        return f"{lo}千-{lo + 1}千元" if lo < 9 else "9千-1万元"
    return "1千元以下"


class AmountRecognizer(Recognizer):
    """Exact money amounts ending in 元/块: digits (with thousands commas) or Chinese numerals."""

    name = "amount"
    entity_type = "AMOUNT"

    def analyze(self, text, view, ctx):
        out = []
        if ctx.amounts == "keep":
            return out
        for m in _AMOUNT.finditer(text):
            v = parse_amount(m.group(0))
            if v is None or v <= 0:
                continue
            r = self.result(text, m.start(), m.end(), 0.6, _AMOUNT.pattern,
                            f"money amount {v:g} 元" + (f" → bucket {bucket_amount(v)}" if ctx.amounts == "bucket" else ""))
            r.replacement = bucket_amount(v) if ctx.amounts == "bucket" else "[金额]"
            out.append(r)
        return out
