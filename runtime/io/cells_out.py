"""Cells as an exported file may safely hold them: text never becomes a formula when the file is opened.

A value such as `=HYPERLINK("http://evil","点我")` or `=cmd|' /C calc'!A0` typed into a record is
data; a spreadsheet that opens an export must show it, never run it (OWASP "CSV Injection").

- CSV: text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, which
  Excel, WPS and LibreOffice take as "this cell is text" and do not show. Numbers (a negative amount
  included), dates and booleans are not text and pass unchanged, so they stay numbers in the sheet.
- XLSX: every string is written as a string cell (openpyxl would otherwise store text starting with
  `=` as a formula); numbers, dates and booleans keep their types. No `'` is needed there. Control
  characters an xlsx cannot hold become U+FFFD instead of failing the whole export.

`readable_cell` undoes the CSV mark on import, so an exported file imports back unchanged.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (or a DDE call) instead of text."""
TEXT_MARK = "'"


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell: None as empty, text that would start a formula marked as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return TEXT_MARK + value
    return value


def xlsx_row(sheet: Any, values: list[Any]) -> list[Any]:
    """A row for openpyxl's `append`: each string as a string cell, whatever it starts with."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    row: list[Any] = []
    for value in values:
        if not isinstance(value, str):
            row.append(value)  # numbers, dates and booleans keep their type
            continue
        # Control characters other than tab, CR and LF cannot be in an xlsx at all (openpyxl raises).
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell = WriteOnlyCell(sheet, text)
        cell.data_type = "s"  # openpyxl guesses "f" (formula) from a leading "="
        row.append(cell)
    return row


def readable_cell(cell: Any) -> Any:
    """An imported cell without the text mark an export put there (`'=1+2` → `=1+2`)."""
    if isinstance(cell, str) and cell.startswith(TEXT_MARK) and cell[1:2] and cell[1] in "=+-@\t\r":
        return cell[1:]
    return cell


__all__ = ["FORMULA_STARTS", "csv_cell", "xlsx_row", "readable_cell"]
