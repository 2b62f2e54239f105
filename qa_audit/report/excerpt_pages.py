"""Rendering of trainer excerpts: Markdown and HTML fragments, every piece of text escaped.

The reason (plain Chinese) is shown first; the technical trace sits behind 详情 (HTML) or under
技术详情 (Markdown).
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Optional

from qa_audit.core.labels import category_label, severity_label, speaker_label, status_label

if TYPE_CHECKING:  # pragma: no cover
    from qa_audit.report.excerpts import Excerpt

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:960px;margin:2em auto;color:#1f2933;line-height:1.6}}
.excerpt{{border:1px solid #d9e2ec;border-radius:8px;padding:1em 1.4em;margin:1em 0}}
dl.meta{{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}}dt{{color:#627d98}}dd{{margin:0}}
.reason{{font-weight:600}}details summary{{cursor:pointer;color:#627d98}}.explanation{{color:#486581;font-size:.9em}}
ol.dialogue{{list-style:none;padding:0}}.turn{{padding:.3em .5em}}.turn.focus{{background:#fffbea}}
.spk{{font-weight:bold;margin-right:.4em}}.t{{color:#829ab1;font-family:monospace}}
.redacted{{background:#334e68;color:#fff;border-radius:3px;padding:0 .2em}}mark{{background:#ffe066}}</style>
</head><body>{body}</body></html>"""


def fmt_t(t: float) -> str:
    t = max(0.0, float(t))
    return f"{int(t // 60):02d}:{t % 60:04.1f}"


def esc(s: Any) -> str:
    return html.escape(str(s), quote=True)


def _meta(ex: "Excerpt") -> list[tuple[str, str]]:
    return [(k, v) for k, v in (
        ("类别", category_label(ex.category)), ("规则", ex.rule), ("严重度", severity_label(ex.severity)),
        ("复核状态", status_label(ex.status)), ("周次", ex.week),
        ("评分", f"{ex.score:g}" if ex.score is not None else "")) if v]


def render_markdown(ex: "Excerpt", clip_name: Optional[str] = None) -> str:
    lines = [f"# {ex.title}", ""]
    lines += [f"- **{k}**：{v}" for k, v in _meta(ex)]
    if ex.reason:
        lines += ["", f"**原因**：{ex.reason}"]
    if ex.message:
        lines += ["", f"> {ex.message}"]
    if ex.explanation:
        lines += ["", f"**技术详情**：{ex.explanation}"]
    lines += ["", "## 对话", ""]
    for t in ex.turns:
        body = ""
        for p in t.pieces:
            s = p.text.replace("*", "\\*")
            body += f"**{s}**" if p.evidence else s
        mark = " ◀" if t.focus else ""
        lines.append(f"- `{fmt_t(t.start)}` **{speaker_label(t.speaker)}**：{body}{mark}")
    if clip_name:
        lines += ["", f"录音片段：[{clip_name}]({clip_name})（个人信息处已用提示音遮盖）"]
    lines += ["", f"_已隐去 {len(ex.redactions)} 处个人信息。_", ""]
    return "\n".join(lines)


def _turn_html(t: Any) -> str:
    cls = f"turn {t.speaker}" + (" focus" if t.focus else "")
    body = []
    for p in t.pieces:
        s = esc(p.text)
        if p.kind == "redacted":
            s = f'<span class="redacted" title="{esc(p.note)}">{s}</span>'
        if p.evidence:
            s = f"<mark>{s}</mark>"
        body.append(s)
    return (f'<li class="{esc(cls)}"><span class="t">{esc(fmt_t(t.start))}</span> '
            f'<span class="spk">{esc(speaker_label(t.speaker))}</span> '
            f'<span class="txt">{"".join(body)}</span></li>')


def render_html_body(ex: "Excerpt", clip_url: Optional[str] = None) -> str:
    """The excerpt as an HTML fragment (every piece escaped; used by the export and the web page)."""
    h = [f'<article class="excerpt" id="{esc(ex.excerpt_id)}"><h2>{esc(ex.title)}</h2><dl class="meta">']
    h += [f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in _meta(ex)]
    h.append("</dl>")
    if ex.reason:
        h.append(f'<p class="reason">{esc(ex.reason)}</p>')
    if ex.message:
        h.append(f'<p class="message">{esc(ex.message)}</p>')
    if ex.explanation:
        h.append(f'<details><summary>详情</summary><p class="explanation">{esc(ex.explanation)}</p></details>')
    h.append('<ol class="dialogue">')
    h += [_turn_html(t) for t in ex.turns]
    h.append("</ol>")
    if clip_url:
        h.append(f'<audio controls preload="none" src="{esc(clip_url)}"></audio>')
    h.append(f'<p class="note">已隐去 {len(ex.redactions)} 处个人信息。</p></article>')
    return "".join(h)
