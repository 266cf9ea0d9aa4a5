"""One table of an ods (the first unless chosen), row by row: expat callbacks over content.xml as it decompresses, no tree.

An ods repeats cells and rows (`number-columns-repeated`, `number-rows-repeated`): blank repeats are
counted, never expanded; a value repeated past the column limit is refused before it is built; a repeated
row stays one row with a count (sheet_limits.bounded_rows does the counting)."""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from engine.errors import BadFile
from runtime.io.archive import open_zip
from runtime.io.sheet_limits import SheetLimits, cell_too_long, too_wide

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 "
CELLS = {TABLE + "table-cell", TABLE + "covered-table-cell"}
CHUNK = 1 << 16
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Table:
    """The expat handlers' state: the row being built, the rows finished since the last chunk."""

    def __init__(self, limits: SheetLimits, index: int = 0) -> None:
        self.limits = limits
        self.index = index  # the table read: the first by default
        self.tables = 0  # tables begun so far
        self.names: list[str] = []
        self.depth = 0  # inside the chosen table:table when > 0
        self.done = False
        self.rows: list[tuple[int, list[Any]]] = []
        self.row_number = 0
        self.row: list[Any] = []
        self.blank = 0  # blank cells met since the last value: expanded only when a value follows
        self.row_repeat = 1
        self.cell: dict[str, str] | None = None
        self.texts: list[str] = []
        self.chars = 0
        self.paragraphs = 0
        self.hidden = 0  # inside an annotation: its text is not the cell's

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.done:
            return
        if name == TABLE + "table":
            if self.depth == 0:
                self.tables += 1
                self.names.append(attrs.get(TABLE + "name", ""))
                if self.tables - 1 != self.index:
                    return
            self.depth += 1
        elif self.depth == 0:
            return
        elif name == TABLE + "table-row":
            self.row, self.blank, self.row_repeat = [], 0, _count(attrs, TABLE + "number-rows-repeated")
        elif name in CELLS:
            self.cell, self.texts, self.chars, self.paragraphs = attrs, [], 0, 0
        elif name == OFFICE + "annotation":
            self.hidden += 1
        elif self.cell is not None and not self.hidden:
            if name == TEXT + "p" and self.paragraphs:
                self._text("\n")
            if name == TEXT + "p":
                self.paragraphs += 1
            elif name == TEXT + "s":
                self._text(" " * min(_count(attrs, TEXT + "c"), self.limits.cell_chars + 1))
            elif name == TEXT + "tab":
                self._text("\t")
            elif name == TEXT + "line-break":
                self._text("\n")

    def end(self, name: str) -> None:
        if self.done or self.depth == 0:
            return
        if name == TABLE + "table":
            self.depth -= 1
            self.done = self.depth == 0  # only the chosen table is read
        elif name == OFFICE + "annotation":
            self.hidden -= 1
        elif name in CELLS and self.cell is not None:
            self._finish_cell()
        elif name == TABLE + "table-row":
            self.row_number += self.row_repeat  # a repeat of a billion rows is one count here and in bounded_rows
            self.rows.append((self.row_repeat, self.row))
            self.row = []

    def data(self, text: str) -> None:
        if self.cell is not None and not self.hidden and self.paragraphs:
            self._text(text)

    def _text(self, text: str) -> None:
        self.chars += len(text)
        if self.chars > self.limits.cell_chars:
            raise cell_too_long(self.limits.cell_chars, self.row_number + 1)
        self.texts.append(text)

    def _finish_cell(self) -> None:
        attrs, self.cell = self.cell or {}, None
        repeat = _count(attrs, TABLE + "number-columns-repeated")
        value = _value(attrs, "".join(self.texts))
        if value is None or value == "":
            self.blank += repeat
            return
        if len(self.row) + self.blank + repeat > self.limits.columns:
            raise too_wide(self.limits.columns, self.row_number + 1)
        self.row.extend([None] * self.blank)
        self.row.extend([value] * repeat)
        self.blank = 0


def _count(attrs: dict[str, str], name: str) -> int:
    try:
        return max(1, int(attrs.get(name, "1")))
    except ValueError:
        raise BadFile(f"文件损坏：{name.split()[-1]} 不是数字", f"broken file: {name.split()[-1]} is not a number",
                      field="file") from None


def _value(attrs: dict[str, str], text: str) -> Any:
    """A cell's typed value: numbers as float, dates as date/datetime, booleans; else its text."""
    kind = attrs.get(OFFICE + "value-type")
    try:
        if kind in ("float", "percentage", "currency") and OFFICE + "value" in attrs:
            return float(attrs[OFFICE + "value"])
        if kind == "date" and DATE.match(stamp := attrs.get(OFFICE + "date-value", "")):
            moment = datetime.fromisoformat(stamp[:26])
            return moment.date() if len(stamp) == 10 else moment
        if kind == "boolean" and OFFICE + "boolean-value" in attrs:
            return attrs[OFFICE + "boolean-value"].lower() == "true"
    except ValueError:
        pass  # a value the cell's own text shows better than we could parse it
    return text


def ods_sheet_names(data: bytes, limits: SheetLimits) -> list[str]:
    """The names of the ods's tables, in order (read past every table's rows, never keeping them)."""
    table = _Table(limits, index=-1)  # no table is chosen: only their names are kept
    for _ in ods_rows(data, limits, table=table):
        pass
    return table.names


def ods_rows(data: bytes, limits: SheetLimits, sheet: int = 0, *, table: _Table | None = None) -> Iterator[
        tuple[int, list[Any]]]:
    """`(repeat, cells)` for each row of the table at index `sheet` of the ods (the first by default)."""
    archive = open_zip(data, limits)
    try:
        member = archive.open("content.xml")
    except KeyError:
        raise BadFile("不是有效的 ods 文件：缺少 content.xml", "not an ods file: no content.xml", field="file") from None
    table = table or _Table(limits, sheet)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = table.start
    parser.EndElementHandler = table.end
    parser.CharacterDataHandler = table.data
    try:
        with member:
            while not table.done:
                chunk = member.read(CHUNK)
                parser.Parse(chunk, not chunk)
                yield from table.rows
                table.rows.clear()
                if not chunk:
                    break
        if 0 <= sheet and table.index >= 0 and table.tables <= table.index:
            raise BadFile(f"文件只有 {table.tables} 个工作表", f"the file has {table.tables} sheet(s)", field="sheet")
    except xml.parsers.expat.ExpatError as e:
        raise BadFile(f"无法读取 ods 文件：{e}", f"cannot read the ods file: {e}", field="file") from None
    finally:
        archive.close()


__all__ = ["ods_rows", "ods_sheet_names"]
