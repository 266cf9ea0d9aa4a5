"""A widget's result drawn as SVG on the server, for what has no browser to run ECharts: a PDF asked for
by the API or the CLI, a subscription's e-mail. Pure: the result in (the one tabular shape, with its
`formatted` texts), the SVG text out; colours, axes and number formats as the dashboard draws them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.reports.svg import cartesian, kpi, pie, table

Draw = Callable[[dict[str, Any], float, float], str]
DRAWINGS: dict[str, Draw] = {
    "bar": cartesian.draw, "stacked_bar": cartesian.draw, "horizontal_bar": cartesian.draw,
    "line": cartesian.draw, "area": cartesian.draw,
    "pie": pie.pie, "donut": pie.pie, "funnel": pie.funnel,
    "kpi": kpi.kpi, "gauge": kpi.gauge,
}
"""Chart types by widget type; everything else (table, pivot, map by province, scatter) is a table."""
SIZES = {"kpi": (360.0, 250.0), "gauge": (640.0, 260.0)}
WIDTH, HEIGHT = 720.0, 340.0


def widget_svg(result: dict[str, Any], width: float | None = None, height: float | None = None) -> str:
    """The widget's result as an SVG document (its own size unless given)."""
    w, h = SIZES.get(str(result.get("type")), (WIDTH, HEIGHT))
    return DRAWINGS.get(str(result.get("type")), table.table)(result, width or w, height or h)


def is_chart(widget_type: str) -> bool:
    """Whether the type draws as a chart (a table draws as its own rows)."""
    return widget_type in DRAWINGS


__all__ = ["widget_svg", "is_chart", "DRAWINGS"]
