"""The report tables: one pandas frame per sheet of ``audit.xlsx`` (通话, 违规明细, 评分, 处罚建议), the
same frames as CSV (UTF-8 with BOM), formula-looking cells defused.

The 违规明细 sheet leads with 原因 (the plain-Chinese reason of the finding) and keeps the technical
trace in 技术详情.
"""
from __future__ import annotations

import io
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from qa_audit.core.labels import (KIND_LABELS, RELATION_LABELS, SPEAKER_LABELS, category_label, reason_of,
                                  severity_label, status_label)
from qa_audit.score.penalty import Referral, fmt_time
from qa_audit.score.rubric import rule_info

if TYPE_CHECKING:  # pragma: no cover
    from qa_audit.report.writer import CallView


def calls_frame(views: Sequence[CallView]):
    import pandas as pd

    rows = []
    for v in views:
        c, k = v.call, v.card
        rows.append({"通话编号": c.call_id, "坐席": c.agent_id, "团队": c.team, "开始时间": c.started_at,
                     "周次": v.week, "类型": KIND_LABELS.get(c.kind, c.kind),
                     "接听人(拨号器)": RELATION_LABELS.get(c.callee_relation, c.callee_relation),
                     "时长(秒)": c.duration, "得分": k.total if k else None, "等级": k.grade if k else "",
                     "是否合格": ("合格" if k.passed else "不合格") if k else "",
                     "一票否决": ("是" if k.fatal else "否") if k else "",
                     "违规数": len(v.counted), "已撤销": len(v.findings) - len(v.counted),
                     "录音文件": c.audio or ""})
    return pd.DataFrame(rows, columns=["通话编号", "坐席", "团队", "开始时间", "周次", "类型", "接听人(拨号器)",
                                       "时长(秒)", "得分", "等级", "是否合格", "一票否决", "违规数", "已撤销",
                                       "录音文件"])


def findings_frame(views: Sequence[CallView]):
    """违规明细: 原因 first (what a supervisor reads), the technical trace last in 技术详情."""
    import pandas as pd

    cols = ["原因", "违规编号", "通话编号", "坐席", "团队", "规则", "类别", "严重程度", "复核状态", "段落",
            "开始(秒)", "结束(秒)", "录音位置", "说话人", "证据", "说明", "依据", "技术详情"]
    rows = []
    for v in views:
        for f, st in v.findings:
            sev = st.get("severity") or f.severity
            rows.append({"原因": reason_of(f), "违规编号": f.finding_id, "通话编号": f.call_id,
                         "坐席": v.call.agent_id, "团队": v.call.team, "规则": f.rule,
                         "类别": category_label(f.category), "严重程度": severity_label(sev),
                         "复核状态": status_label(st["status"]), "段落": f.segment, "开始(秒)": f.start,
                         "结束(秒)": f.end, "录音位置": fmt_time(f.start),
                         "说话人": SPEAKER_LABELS.get(f.speaker, f.speaker), "证据": f.evidence,
                         "说明": f.message, "依据": rule_info(f.rule).get("basis", ""),
                         "技术详情": f.explanation})
    return pd.DataFrame(rows, columns=cols)


def scores_frame(views: Sequence[CallView]):
    import pandas as pd

    sections: list[str] = []
    for v in views:
        for it in (v.card.items if v.card else []):
            if it.section not in sections:
                sections.append(it.section)
    rows = []
    for v in views:
        k = v.card
        if k is None:
            continue
        row = {"通话编号": k.call_id, "坐席": k.agent_id, "团队": k.team, "周次": k.week,
               "评分表": f"{k.rubric} v{k.rubric_version}"}
        sub: dict[str, float] = defaultdict(float)
        for it in k.items:
            sub[it.section] += it.score
        for s in sections:
            row[s] = round(sub[s], 2) if s in sub else None
        row.update({"扣分合计": round(k.max_points - k.raw_total, 2), "原始分": k.raw_total, "总分": k.total,
                    "等级": k.grade, "是否合格": "合格" if k.passed else "不合格",
                    "一票否决": "是" if k.fatal else "否", "否决原因": "；".join(k.fatal_reasons)})
        rows.append(row)
    cols = ["通话编号", "坐席", "团队", "周次", "评分表", *sections, "扣分合计", "原始分", "总分", "等级",
            "是否合格", "一票否决", "否决原因"]
    return pd.DataFrame(rows, columns=cols)


def referrals_frame(refs: Sequence[Referral]):
    import pandas as pd

    cols = ["处罚单号", "坐席", "团队", "期间", "档位", "处理措施", "具体措施", "判定理由", "违规通话数", "违规数",
            "窗口内此前违规", "复核人", "复核意见", "复核日期"]
    rows = [{"处罚单号": r.referral_id, "坐席": r.agent_id, "团队": r.team, "期间": r.period, "档位": r.tier,
             "处理措施": r.tier_name, "具体措施": r.action, "判定理由": r.reason,
             "违规通话数": len(r.violation_calls), "违规数": len(r.violations), "窗口内此前违规": r.prior_count,
             "复核人": "", "复核意见": "", "复核日期": ""} for r in refs]
    return pd.DataFrame(rows, columns=cols)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(df):
    """Text cells that Excel would run as a formula get a leading apostrophe (CSV/formula injection)."""
    def fix(x: Any) -> Any:
        if isinstance(x, str) and x.startswith(_FORMULA_START):
            return "'" + x
        return x

    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(fix)
    return out


def _display_width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def excel_bytes(frames: Mapping[str, Any]) -> bytes:
    """An .xlsx with one sheet per frame: bold shaded header, frozen first row, autofilter, widths."""
    import pandas as pd
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, df in frames.items():
            df = _defuse(df)
            df.to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = ws.dimensions
            for cell in ws[1]:
                cell.font = Font(bold=True, color="FFFFFF")
                cell.fill = PatternFill("solid", fgColor="1F3A5F")
                cell.alignment = Alignment(vertical="center", wrap_text=False)
            for i, col in enumerate(df.columns, start=1):
                sample = [str(col)] + ["" if x is None else str(x) for x in df[col].head(300).tolist()]
                width = min(60, max(8, max(_display_width(s) for s in sample) + 2))
                ws.column_dimensions[get_column_letter(i)].width = width
    return buf.getvalue()


def csv_text(df) -> str:
    return _defuse(df).to_csv(index=False, lineterminator="\r\n")


SHEETS = {"通话": "calls.csv", "违规明细": "findings.csv", "评分": "scores.csv", "处罚建议": "referrals.csv"}


def frames(views: Sequence[CallView], refs: Sequence[Referral]) -> dict[str, Any]:
    """The four sheets of ``audit.xlsx`` (names are the keys of ``SHEETS``)."""
    return {"通话": calls_frame(views), "违规明细": findings_frame(views), "评分": scores_frame(views),
            "处罚建议": referrals_frame(refs)}
