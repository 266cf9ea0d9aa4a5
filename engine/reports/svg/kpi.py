"""A KPI card and a gauge: the value abbreviated (¥568.5万), then the facts its row carries — target and
completion, 上期 with 环比 and 去年同期 with 同比, each growth with ▲ green or ▼ red as on the dashboard."""

from __future__ import annotations

import math
from typing import Any

from engine.reports.svg.canvas import DANGER, FG, MUTED, OK, TRACK, Svg, colour
from engine.reports.svg.values import NONE, cell, number, short

FACTS = (("target", "目标"), ("completion", "完成率"), ("previous", "上期"), ("previous_growth", "环比"),
         ("last_year", "去年同期"), ("last_year_growth", "同比"))


def _row(result: dict[str, Any]) -> list[Any]:
    rows = result.get("rows") or []
    return list(rows[0]) if rows else []


def headline(result: dict[str, Any]) -> str:
    """The value as the card shows it: abbreviated, — when blank or when there is no row."""
    row, columns = _row(result), result.get("columns") or []
    if not row or row[0] is None:
        return NONE
    sent = result.get("formatted_short") or []
    return str(sent[0][0]) if sent and sent[0] and sent[0][0] is not None else short(row[0], columns[0])


def facts(svg: Svg, result: dict[str, Any], x: float, y: float) -> None:
    """The row's facts, one per line from (x, y): a label, its value, growth marked up or down."""
    row, columns = _row(result), result.get("columns") or []
    keys = [c.get("key") for c in columns]
    for key, name in FACTS:
        if key not in keys or not row:
            continue
        j = keys.index(key)
        value = row[j]
        if key in ("target", "completion") and row[keys.index("target")] is None:
            continue  # no target set: neither it nor a completion to show
        shown, fill = (NONE, FG) if value is None else (cell(result, 0, j), FG)
        if key.endswith("_growth") and value is not None:
            rate = number(value) or 0.0
            arrow, fill = ("▲ ", OK) if rate > 0 else ("▼ ", DANGER) if rate < 0 else ("– ", MUTED)
            shown = arrow + shown
        svg.text(x, y, name, size=13, fill=MUTED)
        svg.text(x + 72, y, shown, size=13, fill=fill, css=f"fact-{key}")
        y += 22


def kpi(result: dict[str, Any], width: float, height: float) -> str:
    """The card: the measure's name, the value large, the period, then the facts."""
    svg = Svg(width, height, str(result.get("name") or result.get("key") or ""))
    columns = result.get("columns") or [{}]
    svg.text(16, 24, str(columns[0].get("label") or ""), size=13, fill=MUTED)
    svg.text(16, 68, headline(result), size=36, bold=True)
    period = result.get("period") or columns[0].get("period")
    if isinstance(period, dict) and period.get("start"):
        svg.text(16, 90, f"统计期 {period['start']} 起", size=11, fill=MUTED)
    facts(svg, result, 16, 116)
    return svg.render()


def gauge(result: dict[str, Any], width: float, height: float) -> str:
    """A dial from 0 to the target (ECharts' default 225° to -45°), filled to the value, the facts beside it."""
    svg = Svg(width, height, str(result.get("name") or result.get("key") or ""))
    row, columns = _row(result), result.get("columns") or [{}]
    value = number(row[0]) if row else None
    keys = [c.get("key") for c in columns]
    target = number(row[keys.index("target")]) if "target" in keys and row else None
    scale = target or 1.0
    r = min(height * 0.42, width * 0.25)
    cx, cy = 24 + r, height * 0.5 + 8

    def at(radius: float, fraction: float) -> tuple[float, float]:
        a = math.radians(225 - 270 * fraction)
        return cx + radius * math.cos(a), cy - radius * math.sin(a)

    def band(fraction: float, fill: str) -> None:
        if fraction <= 0:
            return
        (x0, y0), (x1, y1) = at(r, 0), at(r, min(fraction, 1.0))
        big = 1 if min(fraction, 1.0) * 270 > 180 else 0
        svg.path(f"M{x0:.1f},{y0:.1f} A{r:.1f},{r:.1f} 0 {big} 1 {x1:.1f},{y1:.1f}", stroke=fill, width=14)

    band(1.0, TRACK)
    band((value or 0.0) / scale, colour(0))
    for k in range(5):
        x, y = at(r - 26, k / 4)
        svg.text(x, y + 4, "0" if k == 0 else short(scale * k / 4, columns[0]), size=10, anchor="middle", fill=MUTED)
    svg.text(cx, cy - 6, str(columns[0].get("label") or ""), size=12, anchor="middle", fill=MUTED)
    svg.text(cx, cy + 22, headline(result), size=22, anchor="middle", bold=True)
    facts(svg, result, cx + r + 40, 40)
    return svg.render()


__all__ = ["kpi", "gauge", "headline", "FACTS"]
