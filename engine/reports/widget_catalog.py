"""The widget types as the chart builder offers them, read from the registry (engine/reports/widgets):
each type's label and the slots it takes — how many dimensions and measures, and which settings of the
definition it reads. A type registered later appears without the builder changing.

The counts are the type's own `slots` (engine/reports/widgets/base.py), the ones its checks enforce. A type
may name the settings it reads with a class attribute `settings` (names of Widget fields: sort, limit,
target, period, compare, stack, stages, steps, subtotals, totals); otherwise a type without dimensions is a card (target
and period), and one with them sorts and keeps the top N."""

from __future__ import annotations

from typing import Any

from engine.reports.widgets import WidgetType, widget_types
from engine.reports.widgets.base import MANY


def _settings(kind: WidgetType) -> list[str]:
    declared = getattr(kind, "settings", None)
    if declared is not None:
        return list(declared)
    if kind.dimensions[1] == 0:
        return ["target", "period"]
    return ["sort", "limit"] + (["stack"] if kind.type == "bar" else []) + (["period"] if kind.periodic else []) + \
        (["compare"] if kind.comparable else [])


def widget_type_slots() -> list[dict[str, Any]]:
    """Every registered widget type: `type`, `label`, `dimensions` and `measures` as [fewest, most] (most
    None: no limit), the kind its first dimension must be, its value axes and the settings it reads."""
    out = []
    for kind in widget_types.all():
        slots = kind.slots
        low, high = slots.measures
        out.append(
            {
                "type": kind.type,
                "label": kind.label,
                "label_en": kind.label_en or None,
                "dimensions": list(slots.dimensions),
                "measures": [low, None if high >= MANY else high],
                "first_dimension": slots.first_dimension,
                "axes": slots.axes,
                "settings": _settings(kind),
            }
        )
    return out


__all__ = ["widget_type_slots"]
