"""Places on the dashboard grid: a widget's own `layout`, else the next free place after the placed ones.

Dashboards written before the editor (and widgets the chart builder adds) have no layout; they flow left
to right in rows below the lowest placed widget, sized by type, so the editor and the board show them
where they will stay once the editor first saves a move."""

from __future__ import annotations

from engine.reports.model import GRID_COLUMNS, GridLayout, Widget

SIZES: dict[str, tuple[int, int]] = {"kpi": (3, 3), "table": (12, 5), "pivot": (12, 5)}
"""(columns, rows) of a widget without a layout, by type; any other type: half the width, 5 rows."""
DEFAULT_SIZE = (6, 5)


def placements(widgets: list[Widget]) -> dict[str, GridLayout]:
    """Every widget's place on the grid, by widget key."""
    placed = {w.key: w.layout for w in widgets if w.layout is not None}
    y = max((p.y + p.h for p in placed.values()), default=0)
    x, row_height = 0, 0
    for w in widgets:
        if w.layout is not None:
            continue
        width, height = SIZES.get(w.type, DEFAULT_SIZE)
        if x + width > GRID_COLUMNS:
            x, y, row_height = 0, y + row_height, 0
        placed[w.key] = GridLayout(x=x, y=y, w=width, h=height)
        x, row_height = x + width, max(row_height, height)
    return placed


__all__ = ["placements", "SIZES", "DEFAULT_SIZE"]
