"""The widget types as the chart builder offers them, read from the registry (engine/reports/widgets):
each type's label and the slots it takes — how many dimensions and measures, and which settings of the
definition it reads. A type registered later appears without the builder changing.

A type may say so itself with class attributes `measures = (fewest, most)` (most None: no limit) and
`settings` (names of Widget fields: sort, limit, target, period, stack, stages); otherwise a type without
dimensions is a card (target and period), and one with them sorts and keeps the top N."""

from __future__ import annotations

from typing import Any

from engine.reports.widgets import WidgetType, widget_types


def _settings(kind: WidgetType) -> list[str]:
    declared = getattr(kind, "settings", None)
    if declared is not None:
        return list(declared)
    if kind.dimensions[1] == 0:
        return ["target", "period"]
    return ["sort", "limit"] + (["stack"] if kind.type == "bar" else [])


def widget_type_slots() -> list[dict[str, Any]]:
    """Every registered widget type: `type`, `label`, `dimensions` and `measures` as [fewest, most]."""
    out = []
    for kind in widget_types.all():
        low, high = getattr(kind, "measures", (1, None))
        out.append(
            {
                "type": kind.type,
                "label": kind.label,
                "label_en": getattr(kind, "label_en", None),
                "dimensions": list(kind.dimensions),
                "measures": [low, high],
                "settings": _settings(kind),
            }
        )
    return out


__all__ = ["widget_type_slots"]
