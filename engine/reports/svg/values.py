"""A widget result's numbers and texts as the charts read them: cells as the dashboard writes them (the
API's `formatted`, else the same rules), axis ticks abbreviated with 万 / 亿, and round tick steps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.reports.formats import assign_axes, format_short, format_value

BLANK, NONE = "（空）", "—"
RATES = {"completion", "previous_growth", "last_year_growth", "conversion"}
"""Columns that are rates whatever their format says (as widgets.js and the PDF tables show them)."""


def number(value: Any) -> float | None:
    """A cell's number for geometry; None for blanks and non-numbers."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return float(value)


def cell(result: dict[str, Any], i: int, j: int) -> str:
    """Row i, column j as the dashboard writes it."""
    sent = (result.get("formatted") or [])
    if i < len(sent) and j < len(sent[i]) and sent[i][j] is not None:
        return str(sent[i][j])
    return shown(result["rows"][i][j], result["columns"][j])


def shown(value: Any, column: dict[str, Any]) -> str:
    """A value in its column's format: blanks as （空） (a dimension) or — (a measure)."""
    if value is None:
        return BLANK if column.get("role") == "dimension" else NONE
    if number(value) is None:
        return str(value)
    style = column.get("format") or ("percent" if column.get("key") in RATES else "number")
    return format_value(value, style, column.get("decimals"), bool(column.get("signed"))) or NONE


def short(value: Any, column: dict[str, Any]) -> str:
    """A value abbreviated for an axis, a label or a KPI card (¥568.5万); 0 is plain 0, a blank —."""
    if value is None:
        return NONE
    if number(value) == 0 and column.get("format") != "percent":
        return "0"
    style = column.get("format") or ("percent" if column.get("key") in RATES else "number")
    return format_short(value, style, column.get("decimals"), bool(column.get("signed"))) or NONE


def dimensions(result: dict[str, Any]) -> int:
    return sum(1 for c in result.get("columns") or [] if c.get("role") == "dimension")


def label(result: dict[str, Any], i: int, upto: int = 1) -> str:
    """Row i's first `upto` dimension values, as the dashboard joins them."""
    return " / ".join(cell(result, i, j) for j in range(upto))


def measure_axes(result: dict[str, Any]) -> list[tuple[int, dict[str, Any], int]]:
    """(column index, column, axis) of each drawn measure: one axis per unit (formats.assign_axes); a
    measure of a third unit (axis None) stays off the chart, in the table beside it."""
    columns = [dict(c) for c in result.get("columns") or []]
    if not any("axis" in c for c in columns):
        assign_axes(columns)
    return [(j, c, int(c.get("axis") or 0)) for j, c in enumerate(columns)
            if c.get("role") == "measure" and ("axis" not in c or c["axis"] is not None)]


def ticks(low: float, high: float, count: int = 5, whole: bool = False) -> list[Decimal]:
    """Round ticks from at most `low` to at least `high` (1, 2 or 5 × 10ⁿ apart), 0 always among them;
    `whole` (counts) never less than 1 apart: no 0.5 customer ticks."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = 1.0
    raw = Decimal(repr((high - low) / count))
    exponent = raw.adjusted()
    base = Decimal(1).scaleb(exponent)
    step = next(s * base for s in (1, 2, 5, 10) if s * base >= raw)
    step = max(step, Decimal(1)) if whole else step
    start = (Decimal(repr(low)) / step).to_integral_value(rounding="ROUND_FLOOR") * step
    out = [start]
    while float(out[-1]) < high:
        out.append(out[-1] + step)
    return out


__all__ = ["cell", "shown", "short", "number", "dimensions", "label", "measure_axes", "ticks", "BLANK", "NONE", "RATES"]
