"""How a measure's value is shown: `"format": "percent" | "money" | "number"` with `decimals`.

A result keeps its raw numbers (rows, totals) and carries the text beside them (`formatted`,
`formatted_totals`), so an integrator shows 57.0 % and ¥1,234.50 exactly as the dashboard does. The
dashboard script formats with the same rules (builder_ui/static/js/widgets.js): grouping by thousands,
half away from zero, a percent as value × 100, money in yuan."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

Style = Literal["number", "percent", "money"]
DECIMALS: dict[str, int] = {"percent": 1, "money": 2}
"""Decimals when a measure names a style but no `decimals` (a plain number keeps up to 4)."""


def format_value(value: Any, style: str, decimals: int | None = None) -> str | None:
    """`value` as text in `style`; None for blanks and for what is not a number (a date's MIN)."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    places = decimals if decimals is not None else DECIMALS.get(style)
    if style == "percent":
        number *= 100
    if places is None:  # a number without decimals: as many as it has, up to 4
        text = f"{number.quantize(Decimal('1e-4'), ROUND_HALF_UP).normalize():,f}"
    else:
        text = f"{number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,.{places}f}"
    negative = text.startswith("-")
    digits = text.removeprefix("-")
    if style == "money":
        digits = "¥" + digits
    elif style == "percent":
        digits += "%"
    return ("-" if negative and any(c in "123456789" for c in digits) else "") + digits


def column_format(column: dict[str, Any]) -> tuple[str, int | None] | None:
    """A result column's (style, decimals), when it has a format."""
    style = column.get("format")
    return (style, column.get("decimals")) if style else None


def with_formatted(result: dict[str, Any]) -> dict[str, Any]:
    """The result with `formatted` (one text per cell of `rows`, None where the column has no format)
    and `formatted_totals` (the same for `totals`, which hold the measure columns only)."""
    columns = result.get("columns") or []
    formats = [column_format(c) for c in columns]
    measure_formats = [f for f, c in zip(formats, columns, strict=True) if c.get("role") == "measure"]

    def cells(values: list[Any], wanted: list[tuple[str, int | None] | None]) -> list[str | None]:
        return [format_value(v, *f) if f else None for v, f in zip(values, wanted, strict=False)]

    result["formatted"] = [cells(row, formats) for row in result.get("rows") or []]
    result["formatted_totals"] = cells(result.get("totals") or [], measure_formats)
    return result


__all__ = ["Style", "DECIMALS", "format_value", "column_format", "with_formatted"]
