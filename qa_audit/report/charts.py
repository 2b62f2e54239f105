"""SVG chart geometry for the summary report: plain numbers and labels, drawn by the templates
(``reports/_charts.j2``), so no label ever becomes markup."""
from __future__ import annotations

from typing import Any, Optional, Sequence


def hbar_chart(rows: Sequence[tuple[str, float]], title: str, width: int = 560, label_w: int = 170,
               bar_h: int = 20, gap: int = 8, color: str = "#2c6fbb",
               colors: Optional[Sequence[str]] = None, unit: str = "") -> dict[str, Any]:
    top = 8
    vmax = max([v for _, v in rows] + [1])
    span = width - label_w - 60
    bars = []
    for i, (label, v) in enumerate(rows):
        y = top + i * (bar_h + gap)
        bars.append({"label": label, "value": v, "y": y, "ty": y + bar_h * 0.72, "x": label_w,
                     "w": max(1.0, span * v / vmax) if v else 0.0, "h": bar_h,
                     "color": (colors[i] if colors else color),
                     "vx": label_w + (span * v / vmax if v else 0) + 6,
                     "vlabel": (f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}") + unit})
    height = top * 2 + max(1, len(rows)) * (bar_h + gap)
    return {"kind": "hbar", "title": title, "width": width, "height": height, "bars": bars,
            "label_w": label_w, "empty": not rows}


def nice_step(vmax: float, ticks: int = 4) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) so that ``ticks`` steps cover ``vmax``."""
    import math

    raw = max(vmax, 1e-9) / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            step = m * mag
            break
    return max(step, 1.0)


def column_chart(rows: Sequence[tuple[str, float]], title: str, width: int = 560, height: int = 240,
                 color: str = "#2c6fbb", colors: Optional[Sequence[str]] = None) -> dict[str, Any]:
    left, right, top, bottom = 40, 10, 16, 36
    import math

    top_v = max([v for _, v in rows] + [1])
    step = nice_step(top_v)
    nt = max(1, math.ceil(top_v / step))
    vmax = step * nt
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(rows))
    slot = plot_w / n
    bw = slot * 0.7
    cols = []
    for i, (label, v) in enumerate(rows):
        h = plot_h * v / vmax if v else 0
        x = left + i * slot + (slot - bw) / 2
        cols.append({"label": label, "value": v, "x": x, "w": bw, "y": top + plot_h - h, "h": h,
                     "cx": x + bw / 2, "ly": height - bottom + 16, "vy": top + plot_h - h - 4,
                     "color": colors[i] if colors else color})
    ticks = [{"y": top + plot_h - plot_h * k / nt, "label": f"{step * k:g}"} for k in range(nt + 1)]
    return {"kind": "column", "title": title, "width": width, "height": height, "cols": cols,
            "ticks": ticks, "left": left, "right": width - right, "base": top + plot_h,
            "empty": not rows}


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Optional[float]], str]],
               title: str, width: int = 560, height: int = 240, ymax: float = 100.0) -> dict[str, Any]:
    left, right, top, bottom = 40, 10, 16, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(labels)
    xs = [left + (plot_w * (i + 0.5) / n) for i in range(n)] if n else []
    out_series = []
    for name, values, color in series:
        pts = [{"x": xs[i], "y": top + plot_h - plot_h * min(v, ymax) / ymax, "v": v}
               for i, v in enumerate(values) if v is not None]
        out_series.append({"name": name, "color": color, "points": pts,
                           "path": " ".join(f"{p['x']:.1f},{p['y']:.1f}" for p in pts)})
    ticks = [{"y": top + plot_h - plot_h * k / 4, "label": f"{ymax * k / 4:.0f}"} for k in range(5)]
    xl = [{"x": x, "label": lab} for x, lab in zip(xs, labels)]
    return {"kind": "line", "title": title, "width": width, "height": height, "series": out_series,
            "ticks": ticks, "xlabels": xl, "left": left, "right": width - right, "base": top + plot_h,
            "ly": height - bottom + 16, "legend_y": height - 10, "empty": not labels}
