"""Spreadsheet files in and out: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and Excel (xlsx, xls, ods).

Reading gives a header and a stream of rows of cells (str, int, float, date, datetime, bool, None),
never a dense matrix in the server: each format has its streaming reader (csv_reader, xlsx_reader,
ods_reader), xlsx and xls are read by calamine in a memory-capped child process (xlsx_fast, xls_reader),
and every row passes the bounds of sheet_limits as it is read. Anything that cannot be read
is a BadFile naming the problem, anything too large a FileOverLimit naming the limit; never a 500. Writing CSV adds a BOM so that Excel on a
Chinese Windows opens UTF-8 correctly."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from engine.errors import BadFile
from runtime.io.cells_out import csv_cell, xlsx_row
from runtime.io.csv_reader import csv_rows, decode_csv_text
from runtime.io.ods_reader import ods_rows, ods_sheet_names
from runtime.io.sheet_limits import SheetLimits, bounded_rows, check_row, trimmed
from runtime.io.xls_reader import xls_rows, xls_sheet_names
from runtime.io.xlsx_fast import xlsx_rows_fast
from runtime.io.xlsx_reader import xlsx_rows, xlsx_sheet_names

MAX_ROWS = SheetLimits.rows
XLSX_MAGIC = b"PK\x03\x04"  # a zip: xlsx or ods
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # an OLE2 compound file: xls
ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class Sheet:
    """One sheet of a file: its header texts and the rows below (spreadsheet row `first_row` onwards).

    `rows` streams: it is read once, and a row past a limit raises FileOverLimit while it is read. Each
    row is as long as its last value (shorter rows than the header are normal)."""

    header: list[str]
    rows: Iterator[list[Any]]
    first_row: int = 2  # the spreadsheet row number of the first of `rows` (the header's + 1)


def clean_header(text: Any) -> str:
    """A header cell as users mean it: full-width folded (ＡＢ → AB), spaces trimmed, a trailing required
    marker (*, ＊) dropped."""
    folded = unicodedata.normalize("NFKC", "" if text is None else str(text)).strip()
    return folded.rstrip("*").strip()


def _kind(data: bytes, filename: str | None) -> str:
    """csv, xlsx, ods or xls: the bytes decide, the name only when they are not a known container."""
    name = (filename or "").lower()
    if data.startswith(XLS_MAGIC):
        return "xls"
    if data.startswith(XLSX_MAGIC):
        return "ods" if ODS_MIMETYPE in data[:200] or name.endswith(".ods") else "xlsx"
    for ext in ("xlsx", "xls", "ods"):
        if name.endswith("." + ext):
            return ext
    return "csv"


READERS = {"csv": csv_rows, "xlsx": xlsx_rows_fast, "ods": ods_rows, "xls": xls_rows}
SHEET_NAMES = {"xlsx": xlsx_sheet_names, "ods": ods_sheet_names, "xls": xls_sheet_names}
MAX_HEADER_ROW = 100  # a title block above the header is a few rows, never pages


def _checked_kind(data: bytes, filename: str | None) -> str:
    if not data:
        raise BadFile("文件是空的", "the file is empty", field="file")
    kind = _kind(data, filename)
    if kind != "csv" and not data.startswith(XLS_MAGIC if kind == "xls" else XLSX_MAGIC):
        raise BadFile(f"不是有效的 {kind} 文件", f"not a valid {kind} file", field="file")
    return kind


def sheet_names(data: bytes, filename: str | None = None, limits: SheetLimits | None = None) -> list[str]:
    """The names of a workbook's sheets, in order; a CSV is one sheet named after nothing ("")."""
    kind = _checked_kind(data, filename)
    return [""] if kind == "csv" else SHEET_NAMES[kind](data, limits or SheetLimits())


def _raw_rows(data: bytes, filename: str | None, limits: SheetLimits, sheet: int,
              few: bool = False) -> Iterator[tuple[int, list[Any]]]:
    """The sheet's rows as (repeat, cells); `few`: only the top ones are wanted, so an xlsx is read by the
    streaming reader, which stops there, not by calamine's child, which parses the whole sheet first."""
    kind = _checked_kind(data, filename)
    if kind == "csv":
        if sheet != 0:
            raise BadFile("CSV 文件只有一个工作表", "a CSV file has one sheet", field="sheet")
        return csv_rows(data, limits)
    if few and kind == "xlsx":
        return xlsx_rows(data, limits, sheet)
    return READERS[kind](data, limits, sheet)  # type: ignore[call-arg]


def read_sheet(data: bytes, filename: str | None = None, limits: SheetLimits | None = None, *, sheet: int = 0,
               header_row: int = 1) -> Sheet:
    """A sheet of a CSV or Excel file (xlsx, xls, ods; the first unless `sheet` names another by index)
    whose header is row `header_row`, streamed under `limits` (the defaults of the settings when None);
    BadFile when it is empty or unreadable, FileOverLimit past a limit."""
    limits = limits or SheetLimits()
    if not 1 <= header_row <= MAX_HEADER_ROW:
        raise BadFile(f"表头行应在第 1 到 {MAX_HEADER_ROW} 行之间", f"the header row must be 1 to {MAX_HEADER_ROW}",
                      field="header_row")
    raw = _raw_rows(data, filename, limits, sheet)
    try:
        first, row = next(raw, None), 1
        while first is not None and row + first[0] <= header_row:  # the rows above the header (a title block)
            row += first[0]
            first = next(raw, None)
        head = trimmed(first[1]) if first else []
        if not head:
            where = "第一行" if header_row == 1 else f"第 {header_row} 行"
            raise BadFile(f"{where}应为表头（字段名称）", f"row {header_row} must be the header (field labels)",
                          field="header_row" if header_row > 1 else "file")
        check_row(head, limits, None)
    except BaseException:
        raw.close()  # the reader's files and child process, now rather than when collected
        raise
    rest: Iterator[tuple[int, list[Any]]] = raw
    repeats = row + first[0] - 1 - header_row if first else 0
    if repeats > 0:  # an ods header row repeated: the repeats are data rows
        rest = _chain((repeats, first[1]), raw)  # type: ignore[index]
    return Sheet([clean_header(c) for c in head], bounded_rows(rest, limits), header_row + 1)


@contextmanager
def naming(filename: str) -> Iterator[None]:
    """A file refused inside the block (BadFile, FileOverLimit) is refused naming it, for a user who
    uploads several: 文件“客户.xlsx”无法读取：…, the same code, field and limit."""
    try:
        yield
    except BadFile as e:
        if e.extra.get("field", "file") == "file":
            zh, en = f"文件“{filename}”无法读取：{e.message}", f"cannot read the file {filename!r}: {e.message_en}"
        else:  # the sheet or header row chosen: the file itself is readable
            zh, en = f"文件“{filename}”：{e.message}", f"the file {filename!r}: {e.message_en}"
        raise type(e)(zh, en if e.message_en else None, issues=e.issues, **e.extra) from None


def first_rows(data: bytes, filename: str | None = None, limits: SheetLimits | None = None, *, sheet: int = 0,
               count: int = 10) -> list[list[Any]]:
    """The top `count` rows of a sheet as they are (blank ones as []), for choosing the header row."""
    raw = _raw_rows(data, filename, limits or SheetLimits(), sheet, few=True)
    rows: list[list[Any]] = []
    try:
        for repeat, cells in raw:
            row = trimmed(cells)
            check_row(row, limits or SheetLimits(), len(rows) + 1)
            rows += [row] * min(repeat, count - len(rows))
            if len(rows) >= count:
                break
    finally:
        raw.close()
    return rows


def _chain(first: tuple[int, list[Any]], rest: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    yield first
    yield from rest


def csv_lines(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as UTF-8 CSV lines (CRLF), None as an empty cell, text that would start a formula marked
    as text (runtime.io.cells_out)."""
    out = io.StringIO()
    csv.writer(out).writerows([csv_cell(c) for c in row] for row in rows)
    return out.getvalue().encode("utf-8")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A whole CSV file: a BOM (so Excel opens Chinese correctly), the header, the rows."""
    return b"\xef\xbb\xbf" + csv_lines([header]) + csv_lines(rows)


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1",
               number_formats: Sequence[str | None] | None = None) -> bytes:
    """An xlsx workbook of one sheet, written in openpyxl's streaming mode; text always as text cells,
    never formulas (runtime.io.cells_out); numbers of a column with a number format carry it."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.append(xlsx_row(sheet, list(header)))
    for row in rows:
        sheet.append(_with_formats(sheet, xlsx_row(sheet, list(row)), number_formats))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_formats(sheet: Any, cells: list[Any], number_formats: Sequence[str | None] | None) -> list[Any]:
    if not number_formats:
        return cells
    from openpyxl.cell import WriteOnlyCell

    out: list[Any] = []
    for value, shown in zip(cells, list(number_formats) + [None] * (len(cells) - len(number_formats)), strict=True):
        if shown and isinstance(value, int | float) and not isinstance(value, bool):
            value = WriteOnlyCell(sheet, value)
            value.number_format = shown
        out.append(value)
    return out
def sheet_title(title: str) -> str:
    """A sheet name Excel accepts for `title`."""
    return _sheet_title(title)


def _sheet_title(title: str) -> str:
    """Excel refuses []:*?/\\ in sheet names and more than 31 characters."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in title).strip() or "Sheet1"
    return cleaned[:31]


__all__ = ["BadFile", "Sheet", "SheetLimits", "read_sheet", "naming", "sheet_names", "first_rows", "clean_header", "decode_csv_text", "csv_bytes", "csv_lines",
           "xlsx_bytes", "MAX_ROWS", "sheet_title"]
