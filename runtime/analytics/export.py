"""A widget's result as a file: CSV (UTF-8 with a BOM, so Excel opens Chinese correctly) or XLSX, written
by the same writers as record exports (text never becomes a formula: runtime.io.cells_out)."""

from __future__ import annotations

from typing import Any

from engine.reports.formats import excel_format
from runtime.analytics.run import jsonable
from runtime.io.spreadsheet import csv_bytes, xlsx_bytes

MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export(result: dict[str, Any], fmt: str) -> bytes:
    """The widget's columns as the header, its rows below: raw numbers, in XLSX with each measure's
    number format (¥#,##0.00, 0.0%), so the sheet reads as the dashboard and still adds up."""
    header = [c["label"] for c in result["columns"]]
    rows = jsonable(result["rows"])
    if fmt == "csv":
        return csv_bytes(header, rows)
    formats = [excel_format(c["format"], c.get("decimals")) if c.get("format") else None for c in result["columns"]]
    return xlsx_bytes(header, rows, result.get("name") or result["key"], formats)
