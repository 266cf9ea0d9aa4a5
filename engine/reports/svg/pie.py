"""Pie and donut (a donut with its total in the middle, as the dashboard shows it) and the funnel: shares of
one measure, each slice or stage named with its value beside it."""

from __future__ import annotations

import math
from typing import Any

from engine.reports.svg.canvas import FG, MUTED, Svg, colour, fit
from engine.reports.svg.values import NONE, cell, dimensions, label, number, short


def _slices(result: dict[str, Any]) -> tuple[int, dict[str, Any], list[tuple[str, float, str]]]:
    """The measure column, and (name, value, value as text) per row."""
    n = dimensions(result)
    rows, columns = result.get("rows") or [], result.get("columns") or []
    if n >= len(columns):
        return n, {}, []
    return n, columns[n], [(label(result, i) if n else "", number(r[n]) or 0.0, cell(result, i, n))
                           for i, r in enumerate(rows)]


def _arc(cx: float, cy: float, r: float, inner: float, a0: float, a1: float) -> str:
    """A slice (or a ring's segment) from angle a0 to a1, clockwise from 12 o'clock."""
    def at(radius: float, a: float) -> tuple[float, float]:
        return cx + radius * math.sin(a), cy - radius * math.cos(a)

    big = 1 if a1 - a0 > math.pi else 0
    (x0, y0), (x1, y1) = at(r, a0), at(r, a1)
    if inner <= 0:
        return f"M{cx:.1f},{cy:.1f} L{x0:.1f},{y0:.1f} A{r:.1f},{r:.1f} 0 {big} 1 {x1:.1f},{y1:.1f} Z"
    (x2, y2), (x3, y3) = at(inner, a1), at(inner, a0)
    return (f"M{x0:.1f},{y0:.1f} A{r:.1f},{r:.1f} 0 {big} 1 {x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f} "
            f"A{inner:.1f},{inner:.1f} 0 {big} 0 {x3:.1f},{y3:.1f} Z")


def pie(result: dict[str, Any], width: float, height: float) -> str:
    """A pie, or a donut with the total in its middle; the legend lists each slice's value and share."""
    svg = Svg(width, height, str(result.get("name") or result.get("key") or ""))
    _, column, slices = _slices(result)
    donut = result.get("type") == "donut"
    r = min(height / 2 - 16, width * 0.22)
    cx, cy = 16 + r, height / 2
    total = sum(v for _, v, _ in slices if v > 0)
    angle = 0.0
    for k, (_, value, _) in enumerate(slices):
        if value <= 0 or total <= 0:
            continue
        sweep = value / total * 2 * math.pi
        if sweep >= 2 * math.pi - 1e-9:  # one slice is the whole: an arc cannot close on itself
            svg.circle(cx, cy, r, colour(k))
        else:
            svg.path(_arc(cx, cy, r, r * 0.62 if donut else 0, angle, angle + sweep), fill=colour(k), stroke="#fff")
        angle += sweep
    if total <= 0:
        svg.circle(cx, cy, r, "#e5e7eb")
    if donut or total <= 0:
        if donut:
            svg.circle(cx, cy, r * 0.62, "#fff")
        totals = result.get("totals") or []
        whole = totals[0] if totals else sum(v for _, v, _ in slices)
        middle = short(whole, column) if slices else NONE
        svg.text(cx, cy + 4, middle, size=18, anchor="middle", bold=True)
        if donut:
            svg.text(cx, cy + 24, "合计", size=11, anchor="middle", fill=MUTED)
    x, y = cx + r + 32, max(24.0, cy - len(slices) * 11)
    for k, (name, value, shown) in enumerate(slices[:16]):
        share = f"（{value / total * 100:.1f}%）" if total > 0 and value > 0 else ""
        svg.rect(x, y - 9, 12, 10, colour(k))
        svg.text(x + 18, y, fit(f"{name}  {shown}{share}", 12, width - x - 24), size=12, fill=FG)
        y += 22
    return svg.render()


def funnel(result: dict[str, Any], width: float, height: float) -> str:
    """Stages from the widest down, each as wide as its value against the first, with its conversion."""
    svg = Svg(width, height, str(result.get("name") or result.get("key") or ""))
    n, _, stages = _slices(result)
    columns = result.get("columns") or []
    conversion = next((j for j, c in enumerate(columns) if c.get("key") == "conversion"), None)
    widest = max((v for _, v, _ in stages), default=0.0)
    if not stages:
        svg.text(width / 2, height / 2, NONE, size=16, anchor="middle", fill=MUTED)
        return svg.render()
    step = (height - 16) / len(stages)
    full, cx = width * 0.5, width * 0.35
    for k, (name, value, shown) in enumerate(stages):
        w = full * (value / widest if widest > 0 else 0)
        below = full * (stages[k + 1][1] / widest) if k + 1 < len(stages) and widest > 0 else w * 0.6
        y = 8 + k * step
        svg.polygon([(cx - w / 2, y), (cx + w / 2, y), (cx + below / 2, y + step - 4), (cx - below / 2, y + step - 4)],
                    colour(k))
        svg.text(cx, y + step / 2 + 4, fit(f"{name} {shown}", 12, full), size=12, anchor="middle", fill=FG)
        if conversion is not None and k > 0:
            svg.text(cx + full / 2 + 16, y + 4, f"转化率 {cell(result, k, conversion)}", size=11, fill=MUTED)
    del n
    return svg.render()


__all__ = ["pie", "funnel"]
