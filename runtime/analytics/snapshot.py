"""A dashboard's figures as text tables: each widget's columns and rows with every number formatted as the
dashboard shows it (¥1,234.50, 57.0%, thousands grouped) — what the PDF export prints and a subscription
sends. Built from the one tabular result (runtime/analytics/dashboard_run.py), so a reader gets exactly the
figures the dashboard shows them, through the same gate."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.reports.formats import format_value

BLANK = "（空）"
"""A blank dimension value, as the dashboard writes it."""
RATES = {"completion", "previous_growth", "last_year_growth", "conversion"}
"""Columns that are rates whatever their format says (widgets.js shows them as percentages too)."""
MAX_ROWS = 50
"""Rows of one widget in a snapshot: a forwarded figure, not an export (the widget's CSV has them all)."""


@dataclass
class Figures:
    """One widget as a table of texts; `error` instead when the reader may not see it."""

    key: str
    name: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    more: int = 0
    """Rows left out past MAX_ROWS."""
    error: str | None = None
    dimensions: int = 0
    """How many of the first columns are dimensions (the rest are measures)."""

    def lines(self, limit: int) -> list[str]:
        """The figures as short lines for a message: `华东 / A：成交额 ¥1,500.50，订单数 2`."""
        if self.error:
            return [self.error]
        measures = self.columns[self.dimensions :]
        out = []
        for row in self.rows[:limit]:
            head = " / ".join(row[: self.dimensions])
            values = "，".join(
                f"{c} {v}" if len(measures) > 1 or not head else v
                for c, v in zip(measures, row[self.dimensions :], strict=False)
                if v != ""
            )
            out.append(f"{head}：{values}" if head else values)
        left = len(self.rows) - limit + self.more
        return out + ([f"……另有 {left} 行"] if left > 0 else [])


def cell_text(value: Any, column: dict[str, Any], formatted: str | None) -> str:
    """A cell as the dashboard writes it."""
    if formatted is not None:
        return formatted
    if value is None:
        return BLANK if column.get("role") == "dimension" else ""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    style = "percent" if column.get("key") in RATES else "number"
    return format_value(value, style) or str(value)


def figures(result: dict[str, Any], name: str) -> Figures:
    """One widget's result (with `formatted`) as texts."""
    if result.get("error"):
        return Figures(result["key"], name, error=result["error"]["message"])
    columns = result.get("columns") or []
    texts = result.get("formatted") or [[None] * len(columns)] * len(result.get("rows") or [])
    rows = [
        [cell_text(v, c, f) for v, c, f in zip(row, columns, shown, strict=False)]
        for row, shown in zip(result.get("rows") or [], texts, strict=False)
    ]
    return Figures(
        result["key"],
        name,
        [str(c.get("label") or c.get("key")) for c in columns],
        rows[:MAX_ROWS],
        max(0, len(rows) - MAX_ROWS),
        dimensions=sum(c.get("role") == "dimension" for c in columns),
    )


__all__ = ["Figures", "figures", "cell_text", "BLANK", "MAX_ROWS"]
