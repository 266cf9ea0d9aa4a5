"""table: grouped rows with a subtotal per value of the first dimension (when there are two or more) and a
grand total; the definition's `subtotals` and `totals` (both true by default) turn either off."""

from __future__ import annotations

from typing import Any

from engine.reports.shape import Group, Labels, Table
from engine.reports.widgets.base import Compared, Slots, WidgetType, subtotal_rows


class TableWidget(WidgetType):
    """明细汇总表: any number of dimensions, subtotals by the first."""

    type = "table"
    label = "表格"
    label_en = "Table"
    slots = Slots(dimensions=(0, 4))
    settings = ("sort", "limit", "subtotals", "totals", "period", "compare")

    comparable = True

    def extend(self, table: Table, groups: list[Group], result: dict[str, Any], labels: Labels,
               compared: list[Compared]) -> dict[str, Any]:
        widget = table.query.widget
        if len(table.query.dims) >= 2 and widget.subtotals:
            result["subtotals"] = subtotal_rows(table, groups, 0, labels, compared)
        if not widget.totals:
            result["totals"] = []
        return result
