"""How a measure's value is shown: its unit (`"format": "money" | "percent" | "days" | "count" | "number"`)
with `decimals`, in full and abbreviated (万 / 亿), and which value axis of a chart it goes on.

A result keeps its raw numbers (rows, totals) and carries the text beside them (`formatted`,
`formatted_totals`; a KPI's headline also `formatted_short`), so an integrator shows 57.0% and
¥1,234.50 exactly as the dashboard does. The dashboard script formats with the same rules
(builder_ui/static/js/widgets.js): grouping by thousands, half away from zero, a percent as value ×
100, money in yuan, counts as integers, durations in days; axes abbreviate with 万 and 亿."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

Style = Literal["number", "percent", "money", "count", "days"]
DECIMALS: dict[str, int] = {"percent": 1, "money": 2, "count": 0, "days": 1}
"""Decimals when a measure names a style but no `decimals` (a plain number keeps up to 4)."""
SUFFIX: dict[str, str] = {"percent": "%", "days": " 天"}
STEPS = ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
"""Abbreviations for axes and KPI cards, largest first: 123,456,789 → 1.23亿, 56,780 → 5.68万."""
SHORT_STYLES = ("money", "count", "number")
"""The units whose large values abbreviate (a percent or a number of days never reaches 万)."""


def unit_of(style: str | None) -> str:
    """The unit a column's values are measured in: its format, a plain number when it has none."""
    return style or "number"


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _signed(number: Decimal, digits: str, style: str, suffix: str = "", plus: bool = False) -> str:
    """Digits with the unit's marks: money's ¥ after the minus sign, a percent's % and a duration's 天;
    with `plus` (a growth rate) a + before a rise."""
    body = ("¥" if style == "money" else "") + digits + suffix + SUFFIX.get(style, "")
    nonzero = any(c in "123456789" for c in digits)
    return ("-" if number < 0 and nonzero else "+" if plus and number > 0 and nonzero else "") + body


def _fixed(number: Decimal, places: int | None) -> str:
    if places is None:  # a number without decimals: as many as it has, up to 4
        return f"{abs(number).quantize(Decimal('1e-4'), ROUND_HALF_UP).normalize():,f}"
    return f"{abs(number).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,.{places}f}"


def format_value(value: Any, style: str, decimals: int | None = None, plus: bool = False) -> str | None:
    """`value` as text in `style`; None for blanks and for what is not a number (a date's MIN)."""
    number = _decimal(value)
    if number is None:
        return None
    if style == "percent":
        number *= 100
    return _signed(number, _fixed(number, decimals if decimals is not None else DECIMALS.get(style)), style, plus=plus)


def format_short(value: Any, style: str, decimals: int | None = None, plus: bool = False) -> str | None:
    """`value` abbreviated for an axis or a KPI card: ¥1.23亿, ¥568.5万, ¥2万, 1.2万; small values in full."""
    number = _decimal(value)
    if number is None:
        return None
    if style in SHORT_STYLES:
        for size, word in STEPS:
            if abs(number) >= size:
                scaled = number / size
                digits = _fixed(scaled, 2 if abs(scaled) < 10 else 1)
                digits = digits.rstrip("0").rstrip(".") if "." in digits else digits
                return _signed(scaled, digits, style, word, plus)
    return format_value(value, style, decimals, plus)


def excel_format(style: str, decimals: int | None = None) -> str:
    """The spreadsheet number format of a unit, so an exported cell stays a number and reads as on the
    dashboard: ¥#,##0.00, 0.0%, #,##0, 0.0 "天"."""
    places = decimals if decimals is not None else DECIMALS.get(style)
    fraction = "." + "0" * places if places else ""
    if style == "money":
        return f'"¥"#,##0{fraction};-"¥"#,##0{fraction}'
    if style == "percent":
        return f"0{fraction}%"
    if style == "days":
        return f'#,##0{fraction}" 天"'
    return f"#,##0{fraction}" if places is not None else "General"


def column_format(column: dict[str, Any]) -> tuple[str, int | None, bool] | None:
    """A result column's (style, decimals, signed), when it has a format; `signed` columns (growth
    rates) show a + before a rise."""
    style = column.get("format")
    return (style, column.get("decimals"), bool(column.get("signed"))) if style else None


AXES = 2


def assign_axes(columns: list[dict[str, Any]]) -> None:
    """Each measure column's value axis (`axis`: 0 left, 1 right): one per unit, in order of appearance,
    so counts never share the money axis; a measure of a third unit gets `axis` None (no axis of its
    unit: the chart leaves it to the data table rather than draw it against another unit's scale)."""
    units: list[str] = []
    for column in columns:
        if column.get("role") == "measure":
            unit = unit_of(column.get("format"))
            if unit not in units:
                units.append(unit)
            column["axis"] = units.index(unit) if units.index(unit) < AXES else None


def with_formatted(result: dict[str, Any]) -> dict[str, Any]:
    """The result with `formatted` (one text per cell of `rows`, None where the column has no format)
    and `formatted_totals` (the same for `totals`, which hold the measure columns only); a KPI's and a
    gauge's single row also as `formatted_short` (万 / 亿)."""
    columns = result.get("columns") or []
    formats = [column_format(c) for c in columns]
    measure_formats = [f for f, c in zip(formats, columns, strict=True) if c.get("role") == "measure"]

    def cells(values: list[Any], wanted: list[tuple[str, int | None, bool] | None], shown: Any = format_value) -> list[Any]:
        return [shown(v, *f) if f else None for v, f in zip(values, wanted, strict=False)]

    result["formatted"] = [cells(row, formats) for row in result.get("rows") or []]
    result["formatted_totals"] = cells(result.get("totals") or [], measure_formats)
    if result.get("type") in ("kpi", "gauge"):
        result["formatted_short"] = [cells(row, formats, format_short) for row in result.get("rows") or []]
    return result


__all__ = ["Style", "DECIMALS", "format_value", "format_short", "excel_format", "unit_of", "assign_axes", "column_format",
           "with_formatted"]
