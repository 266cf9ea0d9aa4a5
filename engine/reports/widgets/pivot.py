"""pivot: rows × columns × measures; the result is long (one row per cell) with row and column totals."""

from __future__ import annotations

from typing import Any

from engine.reports.shape import Group, Labels, Table
from engine.reports.widgets.base import Compared, Slots, WidgetType, subtotal_rows


class PivotWidget(WidgetType):
    """透视表: the first dimension down, the second across; totals per row, per column and overall."""

    type = "pivot"
    label = "透视表"
    label_en = "Pivot table"
    slots = Slots(dimensions=(2, 2))

    def extend(self, table: Table, groups: list[Group], result: dict[str, Any], labels: Labels,
               compared: list[Compared]) -> dict[str, Any]:
        result["row_totals"] = subtotal_rows(table, groups, 0, labels)
        result["column_totals"] = subtotal_rows(table, groups, 1, labels)
        return result
