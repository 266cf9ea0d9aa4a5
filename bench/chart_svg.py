"""`python -m bench.chart_svg [ROWS] [REPEAT]`: charts drawn on the server (engine/reports/svg) — each chart
type drawn from a result of ROWS groups (money and a count, two axes), and a dashboard PDF of those 8 charts
over their tables against the same PDF of tables only (what a GET made before the server drew charts).
p50 / p95 in ms; the PDF runs interleaved so a busy machine weighs on both alike."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bench.timing import timed, timed_together
from engine.reports.svg import widget_svg
from runtime.analytics.dashboard_pdf import dashboard_pdf, drawn_charts
from runtime.analytics.snapshot import figures

KINDS = ["bar", "stacked_bar", "horizontal_bar", "line", "area", "pie", "donut", "funnel"]
COLUMNS = [
    {"key": "region", "label": "地区", "role": "dimension"},
    {"key": "sum_amount", "label": "成交额", "role": "measure", "format": "money", "axis": 0},
    {"key": "count", "label": "客户数", "role": "measure", "format": "count", "axis": 1},
]


def results(rows: int) -> list[dict[str, Any]]:
    data = [[f"区域{i}", Decimal(i * 12345) + Decimal("0.5"), i] for i in range(rows)]
    return [{"key": k, "type": k, "name": k, "columns": COLUMNS, "rows": data, "totals": [0, 0]} for k in KINDS]


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    found = results(rows)
    print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores, {rows} rows a widget\n")
    print("| chart | SVG p50 ms | p95 ms | SVG KB |\n|---|---:|---:|---:|")
    for r in found:
        t = timed(lambda r=r: widget_svg(r), max(repeat * 4, 20), warmup=2)  # type: ignore[misc]
        print(f"| {r['type']} | {t['p50']:.1f} | {t['p95']:.1f} | {len(widget_svg(r)) / 1024:.1f} |")
    tables = [figures(r, r["name"]) for r in found]
    drawn = drawn_charts(found, {})
    charts, plain = timed_together([lambda: dashboard_pdf("看板", "", tables, {}, drawn),
                                    lambda: dashboard_pdf("看板", "", tables, {})], repeat, warmup=1)
    size = len(dashboard_pdf("看板", "", tables, {}, drawn)), len(dashboard_pdf("看板", "", tables, {}))
    print("\n| dashboard PDF, 8 widgets | p50 ms | p95 ms | KB |\n|---|---:|---:|---:|")
    print(f"| charts drawn + tables | {charts['p50']:.0f} | {charts['p95']:.0f} | {size[0] / 1024:.0f} |")
    print(f"| tables only | {plain['p50']:.0f} | {plain['p95']:.0f} | {size[1] / 1024:.0f} |")


if __name__ == "__main__":
    main()
