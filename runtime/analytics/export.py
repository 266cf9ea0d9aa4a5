"""A widget's result as a file: CSV (UTF-8 with a BOM, so Excel opens Chinese correctly) or XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from runtime.analytics.run import jsonable

MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _table(result: dict[str, Any]) -> list[list[Any]]:
    header = [c["label"] for c in result["columns"]]
    return [header, *jsonable(result["rows"])]


def to_csv(result: dict[str, Any]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(_table(result))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(result: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = (result.get("name") or result["key"])[:31]
    for row in _table(result):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(result: dict[str, Any], fmt: str) -> bytes:
    return to_csv(result) if fmt == "csv" else to_xlsx(result)
