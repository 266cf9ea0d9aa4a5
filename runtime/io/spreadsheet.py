"""Spreadsheet files in and out: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and Excel (xlsx, xls, ods).

Reading gives a header and rows of cells (str, int, float, date, datetime, bool, None); anything that
cannot be read is a BadFile naming the problem, never a 500. Writing CSV adds a BOM so that Excel on a
Chinese Windows opens UTF-8 correctly."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import BadFile
from runtime.io.cells_out import csv_cell, xlsx_row

MAX_ROWS = 100_000
XLSX_MAGIC = b"PK\x03\x04"  # a zip: xlsx or ods
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # an OLE2 compound file: xls


@dataclass(frozen=True)
class Sheet:
    """The first sheet of a file: its header texts and the rows below (spreadsheet row 2 onwards)."""

    header: list[str]
    rows: list[list[Any]]


def decode_csv_text(data: bytes) -> str:
    """CSV bytes as text: a BOM decides; else UTF-8 if it decodes; else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadFile("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV", "cannot decode the CSV: use UTF-8 or GBK",
                  field="file")


def _csv_rows(data: bytes) -> list[list[Any]]:
    text = decode_csv_text(data)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as e:
        raise BadFile(f"CSV 格式错误：{e}", f"malformed CSV: {e}", field="file") from None


def _excel_rows(data: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [list(row) for row in book.get_sheet_by_index(0).to_python(skip_empty_area=False)]
    except Exception as e:  # calamine raises its own error types for every kind of broken file
        raise BadFile(f"无法读取 Excel 文件：{e}", f"cannot read the Excel file: {e}", field="file") from None


def clean_header(text: Any) -> str:
    """A header cell as users mean it: full-width folded (ＡＢ → AB), spaces trimmed, a trailing required
    marker (*, ＊) dropped."""
    folded = unicodedata.normalize("NFKC", "" if text is None else str(text)).strip()
    return folded.rstrip("*").strip()


def read_sheet(data: bytes, filename: str | None = None) -> Sheet:
    """The first sheet of a CSV or Excel file; BadFile when it is empty, unreadable or too large."""
    if not data:
        raise BadFile("文件是空的", "the file is empty", field="file")
    is_excel = data.startswith((XLSX_MAGIC, XLS_MAGIC)) or (filename or "").lower().endswith((".xlsx", ".xls", ".ods"))
    rows = _excel_rows(data) if is_excel else _csv_rows(data)
    rows = [[None if c == "" else c for c in row] for row in rows]
    while rows and all(c is None for c in rows[-1]):
        rows.pop()
    if not rows or all(c is None for c in rows[0]):
        raise BadFile("第一行应为表头（字段名称）", "the first row must be the header (field labels)", field="file")
    if len(rows) - 1 > MAX_ROWS:
        raise BadFile(f"一次最多导入 {MAX_ROWS} 行，文件有 {len(rows) - 1} 行",
                      f"at most {MAX_ROWS} rows per import; the file has {len(rows) - 1}", field="file")
    header = [clean_header(c) for c in rows[0]]
    width = len(header)
    body = [(row + [None] * width)[:width] if len(row) < width else row for row in rows[1:]]
    return Sheet(header, body)


def csv_lines(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as UTF-8 CSV lines (CRLF), None as an empty cell, text that would start a formula marked
    as text (runtime.io.cells_out)."""
    out = io.StringIO()
    csv.writer(out).writerows([csv_cell(c) for c in row] for row in rows)
    return out.getvalue().encode("utf-8")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A whole CSV file: a BOM (so Excel opens Chinese correctly), the header, the rows."""
    return b"\xef\xbb\xbf" + csv_lines([header]) + csv_lines(rows)


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1") -> bytes:
    """An xlsx workbook of one sheet, written in openpyxl's streaming mode; text always as text cells,
    never formulas (runtime.io.cells_out)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.append(xlsx_row(sheet, list(header)))
    for row in rows:
        sheet.append(xlsx_row(sheet, list(row)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    """Excel refuses []:*?/\\ in sheet names and more than 31 characters."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in title).strip() or "Sheet1"
    return cleaned[:31]


__all__ = ["BadFile", "Sheet", "read_sheet", "clean_header", "decode_csv_text", "csv_bytes", "csv_lines", "xlsx_bytes", "MAX_ROWS"]
