"""Chinese labels for the codes users read, and the plain-Chinese reason line of a finding.

One table for the reports, the review web app, the excerpts and the scorecards, so a category, a
severity or a review status reads the same everywhere::

    category_label("threat")      -> "威胁恐吓"
    severity_label("high")        -> "严重"
    status_label("unreviewed")    -> "待复核"
    seconds_label(26.24)          -> "26.2 秒"
    reason_line("以到单位找人相威胁", "THREAT-001", "agent", "明天上午我们的人就去你们单位")
        -> '坐席说“明天上午我们的人就去你们单位”：以到单位找人相威胁（THREAT-001）'
"""
from __future__ import annotations

from typing import Any, Optional

CATEGORY_LABELS = {
    "threat": "威胁恐吓",
    "abuse": "辱骂贬低",
    "third_party_disclosure": "向第三方透露债务",
    "unauthorized_waiver": "擅自承诺减免",
    "impersonation": "冒充公检法/律师",
    "no_self_identification": "未表明身份及机构",
    "false_legal_claim": "虚构法律后果",
    "harassment": "骚扰/频繁催收",
    "privacy_probing": "打探无关隐私",
    "dial_frequency": "拨打时段/频次",
    "audio_quality": "通话质量指标",
    "good_practice": "良好示范",
}
SEVERITY_LABELS = {"low": "轻微", "medium": "一般", "high": "严重", "critical": "特别严重"}
STATUS_LABELS = {"unreviewed": "待复核", "confirmed": "已确认", "dismissed": "已驳回", "appealed": "申诉中"}
SPEAKER_LABELS = {"agent": "坐席", "customer": "客户", "unknown": "未知"}
RELATION_LABELS = {"debtor": "债务人", "contact": "联系人", "unknown": "未知"}
KIND_LABELS = {"call": "电话", "text": "短信/信函"}

QUOTE_LIMIT = 40  # characters of evidence quoted in a reason


def category_label(cat: str) -> str:
    return CATEGORY_LABELS.get(cat, cat)


def severity_label(sev: str) -> str:
    return SEVERITY_LABELS.get(sev, sev)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def speaker_label(speaker: str) -> str:
    return SPEAKER_LABELS.get(speaker, speaker)


def why_label(why: str) -> str:
    """A scorecard hit's ``why`` ("code THREAT-001", "glob DIAL-*", "category threat") in Chinese."""
    kind, _, value = (why or "").partition(" ")
    if kind == "code":
        return f"按规则 {value} 扣分"
    if kind == "glob":
        return f"按规则组 {value} 扣分"
    if kind == "category":
        return f"按类别“{category_label(value)}”扣分"
    return why


def seconds_label(t: Optional[float]) -> str:
    """26.24 -> "26.2 秒"; None -> ""."""
    return "" if t is None else f"{float(t):.1f} 秒"


def shorten(text: str, limit: int = QUOTE_LIMIT, keep: Optional[tuple[int, int]] = None) -> str:
    """``text`` cut to about ``limit`` characters with "…" where it was cut; the span ``keep``
    (offsets in ``text``, e.g. the matched words) stays visible."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    a, b = keep if keep and 0 <= keep[0] < keep[1] <= len(text) else (0, 0)
    lo = max(0, min(a - (limit - (b - a)) // 2, len(text) - limit))
    hi = min(len(text), lo + limit)
    return ("…" if lo > 0 else "") + text[lo:hi] + ("…" if hi < len(text) else "")


def reason_line(meaning: str, code: str, speaker: str = "", quote: str = "",
                keep: Optional[tuple[int, int]] = None) -> str:
    """``坐席说“…”：<meaning>（CODE）`` when there is a quote, else ``<meaning>（CODE）``."""
    meaning = (meaning or "").rstrip("。；; ")
    tail = f"（{code}）" if code else ""
    q = shorten(quote, keep=keep)
    if not q:
        return f"{meaning}{tail}"
    who = "未识别的说话人" if speaker == "unknown" else speaker_label(speaker or "agent")
    return f"{who}说“{q}”：{meaning}{tail}"


def reason_of(f: Any) -> str:
    """The finding's reason, or one built from its message for findings stored without one (rows
    written before the reason existed, hand-made findings)."""
    if getattr(f, "reason", ""):
        return f.reason
    quote = f.evidence if f.segment is not None else ""
    return reason_line(f.message or category_label(f.category), f.rule, f.speaker, quote)
