"""Charts on axes — bar, stacked bar, horizontal bar, line, area — as the dashboard draws them: one value
axis per unit (left, and right for a second unit; bottom and top when laid sideways), ticks abbreviated
with 万 / 亿, a second dimension as one series each, the first category at the top of a ranking."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.reports.svg.canvas import GRID, LINE, MUTED, Svg, colour, fit, text_width
from engine.reports.svg.values import NONE, dimensions, label, measure_axes, number, short, ticks

TOP, BOTTOM, GAP = 44.0, 34.0, 8.0
"""Room for the legend and axis names above, the category names below, and between labels and plot."""


@dataclass
class Series:
    """One coloured series: its name, the measure column it plots, its axis and a value per category."""

    name: str
    column: dict[str, Any]
    axis: int
    values: list[float | None]


def series_of(result: dict[str, Any]) -> tuple[list[str], list[Series]]:
    """The categories and the series: one per measure, or one per value of a second dimension."""
    rows, measures = result.get("rows") or [], measure_axes(result)
    if not measures:
        return [], []
    if dimensions(result) >= 2:
        j, column, axis = measures[0]
        categories = list(dict.fromkeys(label(result, i) for i in range(len(rows))))
        groups = list(dict.fromkeys(label(result, i, 2).split(" / ", 1)[-1] for i in range(len(rows))))
        by_point = {(label(result, i), label(result, i, 2).split(" / ", 1)[-1]): number(rows[i][j])
                    for i in range(len(rows))}
        return categories, [Series(g, column, axis, [by_point.get((c, g)) for c in categories]) for g in groups]
    categories = [label(result, i) if dimensions(result) else str(result.get("name") or "") for i in range(len(rows))]
    return categories, [Series(str(c.get("label") or c.get("key")), c, axis, [number(r[j]) for r in rows])
                        for j, c, axis in measures]


def _extent(series: list[Series], axis: int, stacked: bool, count: int) -> tuple[float, float]:
    mine = [s for s in series if s.axis == axis]
    if stacked:
        highs = [sum(max(s.values[k] or 0, 0) for s in mine) for k in range(count)]
        lows = [sum(min(s.values[k] or 0, 0) for s in mine) for k in range(count)]
        return min(lows, default=0.0), max(highs, default=0.0)
    found = [v for s in mine for v in s.values if v is not None]
    return min(found, default=0.0), max(found, default=0.0)


def _legend(svg: Svg, series: list[Series], x: float) -> None:
    for k, s in enumerate(series):
        name = fit(s.name, 11, 140)
        svg.rect(x, 6, 12, 10, colour(k))
        svg.text(x + 16, 15, name, size=11, fill=MUTED)
        x += 16 + text_width(name, 11) + 14
        if x > svg.width - 60:
            break


def draw(result: dict[str, Any], width: float, height: float) -> str:
    """A bar, stacked bar, horizontal bar, line or area chart of the result."""
    kind = str(result.get("type"))
    svg = Svg(width, height, str(result.get("name") or result.get("key") or ""))
    categories, series = series_of(result)
    horizontal, stacked = kind == "horizontal_bar", kind == "stacked_bar" or bool(result.get("stack"))
    axes = sorted({s.axis for s in series}) or [0]
    columns = {a: next((s.column for s in series if s.axis == a), {}) for a in axes}
    # no rows: the axis shows only its 0, the plot a —
    scales = {a: ticks(*_extent(series, a, stacked, len(categories)), whole=columns[a].get("format") == "count") if categories else [Decimal(0)] for a in axes}
    tick_text = {a: ["0" if t == 0 else short(t, columns[a]) for t in scales[a]] for a in axes}
    names = {a: " / ".join(dict.fromkeys(s.column.get("label") or "" for s in series if s.axis == a)) for a in axes}
    if horizontal:
        left = min(max((text_width(c, 11) for c in categories), default=20) + GAP * 2, width * 0.3)
        top, bottom, right = TOP + (16 if 1 in axes else 0), 30.0, 24.0
    else:
        left = max(text_width(t, 11) for t in tick_text[0]) + GAP * 2
        right = max(text_width(t, 11) for t in tick_text[1]) + GAP * 2 if 1 in axes else 16.0
        top, bottom = TOP, BOTTOM
    plot_w, plot_h = width - left - right, height - top - bottom
    _legend(svg, series, left)

    def value_at(axis: int, v: float) -> float:
        """Position along the value direction, 0 at the plot's start."""
        lo, hi = float(scales[axis][0]), float(scales[axis][-1])
        span = plot_w if horizontal else plot_h
        return (v - lo) / (hi - lo) * span if hi > lo else 0.0

    # grid and value axes
    for a in axes:
        for t, shown in zip(scales[a], tick_text[a], strict=True):
            p = value_at(a, float(t))
            if horizontal:
                x = left + p
                if a == 0:
                    svg.line(x, top, x, top + plot_h, GRID)
                svg.text(x, top + plot_h + 16 if a == 0 else top - 6, shown, size=11, anchor="middle", fill=MUTED)
            else:
                y = top + plot_h - p
                if a == 0:
                    svg.line(left, y, left + plot_w, y, GRID)
                svg.text(left - GAP if a == 0 else left + plot_w + GAP, y + 4, shown, size=11,
                         anchor="end" if a == 0 else "start", fill=MUTED)
        if horizontal:
            svg.text(left + (plot_w if a == 0 else 0), top + plot_h + 28 if a == 0 else top - 22, names[a], size=11,
                     anchor="end" if a == 0 else "start", fill=MUTED)
        else:
            svg.text(left if a == 0 else left + plot_w, top - 10, names[a], size=11,
                     anchor="start" if a == 0 else "end", fill=MUTED)
    band = (plot_h if horizontal else plot_w) / max(len(categories), 1)
    for k, name in enumerate(categories):
        mid = k * band + band / 2
        shown = fit(name, 11, (left - GAP * 2) if horizontal else max(band - 4, 24))
        if horizontal:
            svg.text(left - GAP, top + mid + 4, shown, size=11, anchor="end", fill=LINE)
        else:
            svg.text(left + mid, top + plot_h + 16, shown, size=11, anchor="middle", fill=LINE)
    if horizontal:
        svg.line(left, top, left, top + plot_h)
    else:
        svg.line(left, top + plot_h, left + plot_w, top + plot_h)
    if not categories:
        svg.text(left + plot_w / 2, top + plot_h / 2, NONE, size=16, anchor="middle", fill=MUTED)
    elif kind in ("line", "area"):
        _lines(svg, series, value_at, left, top, plot_h, band, kind == "area", stacked)
    else:
        _bars(svg, series, value_at, left, top, plot_h, band, horizontal, stacked)
    return svg.render()


def _bars(svg: Svg, series: list[Series], value_at: Any, left: float, top: float, plot_h: float, band: float,
          horizontal: bool, stacked: bool) -> None:
    slots = sorted({s.axis for s in series}) if stacked else list(range(len(series)))
    width = band * 0.7 / max(len(slots), 1)
    labelled = len(series) * len(series[0].values) <= 24  # a printed chart has no tooltips: few bars say their value
    ends: dict[tuple[int, int, bool], float] = {}
    for n, s in enumerate(series):
        slot = slots.index(s.axis) if stacked else n
        zero = value_at(s.axis, 0.0)
        for k, v in enumerate(s.values):
            if v is None:
                continue
            start = ends.get((s.axis, k, v < 0), zero) if stacked else zero
            end = start + value_at(s.axis, v) - zero
            ends[(s.axis, k, v < 0)] = end
            offset = k * band + band * 0.15 + slot * width
            low, high = min(start, end), max(start, end)
            shown = short(v, s.column)
            if horizontal:
                svg.rect(left + low, top + offset, high - low, width * 0.9, colour(n))
                if labelled and stacked and high - low > text_width(shown, 10) + 4:  # inside its segment
                    svg.text(left + (low + high) / 2, top + offset + width * 0.45 + 4, shown, size=10, anchor="middle",
                             fill="#fff")
                elif labelled and not stacked:
                    svg.text(left + end + 4, top + offset + width * 0.45 + 4, shown, size=10, fill=MUTED)
            else:
                svg.rect(left + offset, top + plot_h - high, width * 0.9, high - low, colour(n))
                if labelled and stacked and high - low > 14:
                    svg.text(left + offset + width * 0.45, top + plot_h - (low + high) / 2 + 4, shown, size=10,
                             anchor="middle", fill="#fff")
                elif labelled and not stacked:
                    svg.text(left + offset + width * 0.45, top + plot_h - end - 4, shown, size=10, anchor="middle",
                             fill=MUTED)


def _lines(svg: Svg, series: list[Series], value_at: Any, left: float, top: float, plot_h: float, band: float,
           area: bool, stacked: bool) -> None:
    base: dict[tuple[int, int], float] = {}
    labelled = len(series) * len(series[0].values) <= 24  # a printed chart has no tooltips: few points say their value
    for n, s in enumerate(series):
        zero = value_at(s.axis, 0.0)
        marks: list[tuple[float, float, float]] = []
        runs: list[list[tuple[float, float]]] = [[]]
        for k, v in enumerate(s.values):
            if v is None:  # a blank (an average over no rows) breaks the line, as in ECharts
                runs.append([])
                continue
            under = base.get((s.axis, k), zero) if stacked else zero
            y = under + value_at(s.axis, v) - zero
            base[(s.axis, k)] = y
            point = (left + k * band + band / 2, top + plot_h - y)
            runs[-1].append(point)
            marks.append((*point, v))
        for run in (r for r in runs if r):
            if area:
                floor = top + plot_h - zero
                svg.polygon([(run[0][0], floor), *run, (run[-1][0], floor)], colour(n), opacity=0.25)
            svg.polyline(run, colour(n))
        for x, y, v in marks:
            svg.circle(x, y, 3, colour(n))
            if labelled:
                svg.text(x, y - 8, short(v, s.column), size=10, anchor="middle", fill=MUTED)


__all__ = ["draw", "series_of", "Series"]
