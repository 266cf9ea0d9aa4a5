"""The bounds a spreadsheet is read under, and the row stream every reader feeds through them.

A reader (CSV, xlsx, ods, xls) yields `(repeat, cells)`: a row and how many times it repeats (ods writes
a million blank rows as one element; nothing expands them). `bounded_rows` checks each row as it streams
past — its width, each cell's length, the running row count — and raises FileOverLimit at the first row
over a bound, so no file is ever held or parsed whole to find out it is too large."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from engine.errors import BadFile, FileOverLimit

EXCEL_MAX_ROWS = 1_048_576  # no spreadsheet program writes a row below this: a file that does is broken
MB = 1 << 20


@dataclass(frozen=True)
class SheetLimits:
    """Every bound of a spreadsheet read; the defaults are the settings' (runtime/settings.py)."""

    rows: int = 100_000
    columns: int = 1000
    cell_chars: int = 32767
    unzipped_bytes: int = 512 * MB
    member_bytes: int = 256 * MB
    members: int = 10000

    @classmethod
    def from_settings(cls, settings: Any) -> SheetLimits:
        return cls(rows=settings.max_import_rows, columns=settings.max_import_columns,
                   cell_chars=settings.max_cell_chars, unzipped_bytes=settings.max_unzipped_mb * MB,
                   member_bytes=settings.max_zip_member_mb * MB, members=settings.max_zip_members)


def too_many_rows(limit: int) -> FileOverLimit:
    return FileOverLimit(f"一次最多导入 {limit} 行，文件超过了 {limit} 行", f"at most {limit} rows per import",
                         field="file", limit="max_import_rows", max=limit)


def too_wide(limit: int, row: int | None = None) -> FileOverLimit:
    where, where_en = (f"第 {row} 行", f"row {row}") if row else ("表头", "the header")
    return FileOverLimit(f"最多 {limit} 列，{where}超过了 {limit} 列", f"at most {limit} columns; {where_en} has more",
                         field="file", limit="max_import_columns", max=limit)


def cell_too_long(limit: int, row: int | None = None) -> FileOverLimit:
    where, where_en = (f"第 {row} 行", f"row {row}") if row else ("表头", "the header")
    return FileOverLimit(f"单元格最多 {limit} 个字符，{where}有更长的单元格",
                         f"a cell holds at most {limit} characters; {where_en} has a longer one",
                         field="file", limit="max_cell_chars", max=limit)


def past_last_row() -> BadFile:
    return BadFile(f"文件损坏：行号超过 {EXCEL_MAX_ROWS}", f"broken file: a row number past {EXCEL_MAX_ROWS}",
                   field="file")


def trimmed(cells: Iterable[Any]) -> list[Any]:
    """A row's cells with "" as None and the trailing blanks dropped."""
    row = [None if c == "" else c for c in cells]
    while row and row[-1] is None:
        row.pop()
    return row


def check_row(row: list[Any], limits: SheetLimits, number: int | None) -> None:
    """Width and cell lengths of one (trimmed) row; `number` is its spreadsheet row, None for the header."""
    if len(row) > limits.columns:
        raise too_wide(limits.columns, number)
    for cell in row:
        if isinstance(cell, str) and len(cell) > limits.cell_chars:
            raise cell_too_long(limits.cell_chars, number)


def bounded_rows(raw: Iterator[tuple[int, list[Any]]], limits: SheetLimits) -> Iterator[list[Any]]:
    """The data rows (spreadsheet row 2 onwards) of a reader's stream, each as long as its last value.

    Blank rows are held back as a count and yielded only when a row with values follows: trailing blank
    rows are dropped and never counted, interior ones keep the row numbers right."""
    blank, count = 0, 0
    try:
        for repeat, cells in raw:
            row = trimmed(cells)
            if not row:
                blank += repeat
                continue
            if count + blank + repeat > limits.rows:
                raise too_many_rows(limits.rows)
            check_row(row, limits, count + blank + 2)
            for _ in range(blank):
                yield []
            for _ in range(repeat):
                yield row
            count += blank + repeat
            blank = 0
    finally:
        close = getattr(raw, "close", None)
        if close is not None:
            close()  # a reader refused or abandoned midway lets go of its files and child process now


__all__ = ["SheetLimits", "bounded_rows", "check_row", "trimmed", "too_many_rows", "too_wide", "cell_too_long",
           "past_last_row", "EXCEL_MAX_ROWS", "MB"]
