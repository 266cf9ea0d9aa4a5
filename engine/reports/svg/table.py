"""A table, a pivot's cells or a map's provinces as a drawn table: the columns' names, then each row's
texts as the dashboard writes them (numbers right-aligned), up to a screenful, then how many are left."""

from __future__ import annotations

from typing import Any

from engine.reports.svg.canvas import GRID, MUTED, Svg, fit, text_width
from engine.reports.svg.values import NONE, cell

ROW = 22.0


def table(result: dict[str, Any], width: float, height: float) -> str:
    """The result's rows as a table as wide as the drawing, as many as fit its height."""
    columns = result.get("columns") or []
    rows = result.get("rows") or []
    texts = [[cell(result, i, j) for j in range(len(columns))] for i in range(len(rows))]
    heads = [str(c.get("label") or c.get("key") or "") for c in columns]
    fits = max(int((height - ROW * 2) // ROW), 1)
    shown = texts[:fits]
    wanted = [max([text_width(h, 12)] + [text_width(r[j], 12) for r in shown]) + 16 for j, h in enumerate(heads)]
    scale = min(1.0, width / sum(wanted)) if wanted else 1.0
    widths = [w * scale for w in wanted]
    svg = Svg(width, min(height, ROW * (len(shown) + 2) + 8), str(result.get("name") or result.get("key") or ""))
    svg.rect(0, 0, sum(widths), ROW, "#f3f4f6")
    measure = [c.get("role") == "measure" for c in columns]
    for i, line in enumerate([heads, *shown]):
        y, x = ROW * i + 15, 0.0
        for j, value in enumerate(line):
            right = measure[j] and i > 0
            svg.text(x + widths[j] - 8 if right else x + 8, y, fit(value, 12, widths[j] - 12), size=12,
                     anchor="end" if right else "start", bold=i == 0)
            x += widths[j]
        svg.line(0, ROW * (i + 1), sum(widths), ROW * (i + 1), GRID)
    if not rows:
        svg.text(8, ROW + 15, NONE, size=12, fill=MUTED)
    elif len(rows) > len(shown):
        svg.text(8, ROW * (len(shown) + 1) + 15, f"另有 {len(rows) - len(shown)} 行未列出", size=11, fill=MUTED)
    return svg.render()


__all__ = ["table"]
