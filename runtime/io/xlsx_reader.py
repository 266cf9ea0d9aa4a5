"""One sheet of an xlsx (the first unless chosen), row by row: expat callbacks over the sheet's XML as it decompresses, from a
zip already checked by `archive.open_zip`.

Never a dense matrix: a row is as long as its own last cell, a gap of missing rows is one count, a column
past the limit and a cell past the character limit are refused while their XML streams past. The shared
strings are the one table held whole, and it is bounded by what it costs in memory. An import reads an
xlsx with calamine in a memory-capped child process first (runtime/io/xlsx_fast.py): calamine allocates
the sheet's whole bounding box in Rust (a cell at XFD1048576 is 2^34 cells), where a failed allocation
aborts the process, so this reader is the one used where the child cannot read the file; openpyxl's reader
streams rows but takes seconds per 10 000 rows and builds an object per shared string."""

from __future__ import annotations

import posixpath
import re
import xml.parsers.expat
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from typing import Any

from engine.errors import BadFile, FileOverLimit
from runtime.io.archive import open_zip
from runtime.io.sheet_limits import MB, SheetLimits, cell_too_long, too_wide

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main "  # ISO strict spelling of the same names
REL = "http://schemas.openxmlformats.org/package/2006/relationships "
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships "
CHUNK = 1 << 16
MIDNIGHT = time()
STRING_COST = 56  # bytes of a str object and its list slot beside its characters: the budget's unit
CELL_REF = re.compile(r"([A-Z]{1,3})(\d*)$")
TIME_PARTS = re.compile(r"[hs]")
MAX_SHEETS = 1000  # a workbook listing more is read as if it listed these


def _unreadable(problem: str) -> BadFile:
    return BadFile(f"无法读取 Excel 文件：{problem}", f"cannot read the Excel file: {problem}", field="file")


SHEET_TAGS = {ns + tag: tag for ns in (MAIN, STRICT) for tag in ("row", "c", "v", "t", "rPh", "is", "f")}


def _local(name: str) -> str:
    """`namespace tag` → tag, for the two spellings of SpreadsheetML."""
    return name.rsplit(" ", 1)[-1]


def _scan(archive: zipfile.ZipFile, path: str, start: Callable[[str, dict[str, str]], None],
          end: Callable[[str], None] | None = None, data: Callable[[str], None] | None = None,
          produced: list[Any] | None = None) -> Iterator[Any]:
    """Feed a member to expat in chunks, yielding what the handlers put in `produced` after each chunk."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if data:
        parser.CharacterDataHandler = data
    try:
        with archive.open(path) as member:
            while True:
                chunk = member.read(CHUNK)
                parser.Parse(chunk, not chunk)
                if produced:
                    yield from produced
                    produced.clear()
                if not chunk:
                    return
    except KeyError:
        raise _unreadable(f"缺少 {path[:100]} / no {path[:100]!r}") from None
    except xml.parsers.expat.ExpatError as e:
        raise _unreadable(f"{path[:100]}: {e}") from None


def _relations(archive: zipfile.ZipFile, rels: str, base: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type's last word, member path)."""
    found: dict[str, tuple[str, str]] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == REL + "Relationship" and "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            found[attrs["Id"]] = (attrs.get("Type", "").rsplit("/", 1)[-1], path)
    if rels in archive.NameToInfo:
        for _ in _scan(archive, rels, start):
            pass
    return found


def _workbook(archive: zipfile.ZipFile, index: int = 0) -> tuple[str, dict[str, tuple[str, str]], bool]:
    """(the path of the sheet at `index`, the workbook's relations, whether dates count from 1904)."""
    sheets, rels, epoch_1904 = _sheets(archive)
    if not sheets:
        raise BadFile("文件中没有工作表", "the file holds no sheet", field="file")
    if not 0 <= index < len(sheets):
        raise BadFile(f"文件只有 {len(sheets)} 个工作表", f"the file has {len(sheets)} sheet(s)", field="sheet")
    return rels[sheets[index][1]][1], rels, epoch_1904


def _sheets(archive: zipfile.ZipFile) -> tuple[list[tuple[str, str]], dict[str, tuple[str, str]], bool]:
    """([(name, relation id)] of the sheets the workbook lists, in order, that exist; the relations; 1904)."""
    book = next((p for kind, p in _relations(archive, "_rels/.rels", "").values() if kind == "officeDocument"),
                "xl/workbook.xml")
    folder = posixpath.dirname(book)
    rels = _relations(archive, posixpath.join(folder, "_rels", posixpath.basename(book) + ".rels"), folder)
    state: dict[str, Any] = {"sheets": [], "1904": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "sheet" and len(state["sheets"]) < MAX_SHEETS:
            rel = attrs.get(DOC_REL + "id") or attrs.get("http://purl.oclc.org/ooxml/officeDocument/relationships id")
            state["sheets"].append((attrs.get("name", ""), rel))
        elif tag == "workbookPr":
            state["1904"] = attrs.get("date1904", "0").lower() in ("1", "true")
    for _ in _scan(archive, book, start):
        pass
    return [s for s in state["sheets"] if s[1] in rels], rels, state["1904"]


def _date_styles(archive: zipfile.ZipFile, path: str | None) -> dict[int, bool]:
    """Cell style index → True for a date-and-time format, False for a date-only one (absent: not a date)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    if path is None or path not in archive.NameToInfo:
        return {}
    codes: dict[int, str] = dict(BUILTIN_FORMATS)
    styles: dict[int, bool] = {}
    state = {"in_xfs": False, "index": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "numFmt" and attrs.get("numFmtId", "").isdigit():
            codes[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            state["in_xfs"] = True
        elif tag == "xf" and state["in_xfs"]:
            code = codes.get(int(attrs["numFmtId"]) if attrs.get("numFmtId", "").isdigit() else 0, "")
            if code and is_date_format(code):
                styles[state["index"]] = bool(TIME_PARTS.search(re.sub(r'"[^"]*"|\[[^\]]*\]', "", code.lower())))
            state["index"] += 1

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            state["in_xfs"] = False
    for _ in _scan(archive, path, start, end):
        pass
    return styles


def _shared_strings(archive: zipfile.ZipFile, path: str | None, limits: SheetLimits) -> list[str]:
    """The shared strings table, refused once it would cost more memory than one member may inflate to."""
    if path is None or path not in archive.NameToInfo:
        return []
    strings: list[str] = []
    state: dict[str, Any] = {"parts": None, "hidden": 0, "text": False, "cost": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "si":
            state["parts"] = []
        elif tag == "rPh":  # phonetic guide: not part of the text
            state["hidden"] += 1
        elif tag == "t":
            state["text"] = True

    def end(name: str) -> None:
        tag = _local(name)
        if tag == "si":
            strings.append("".join(state["parts"] or ()))
            state["parts"] = None
            state["cost"] += STRING_COST
        elif tag == "rPh":
            state["hidden"] -= 1
        elif tag == "t":
            state["text"] = False
        if state["cost"] > limits.member_bytes:
            raise FileOverLimit(f"共享字符串表在内存中超过 {limits.member_bytes // MB} MB",
                                f"the shared strings take more than {limits.member_bytes // MB} MB in memory",
                                field="file", limit="max_zip_member_mb", max=limits.member_bytes // MB)

    def data(text: str) -> None:
        if state["text"] and not state["hidden"] and state["parts"] is not None:
            state["parts"].append(text)
            state["cost"] += len(text)
    for _ in _scan(archive, path, start, end, data):
        pass
    return strings


class _Sheet:
    """The expat handlers of a worksheet: the row being built, the rows finished since the last chunk."""

    def __init__(self, limits: SheetLimits, strings: list[str], dates: dict[int, bool], epoch_1904: bool) -> None:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self.limits, self.strings, self.dates = limits, strings, dates
        self.epoch = CALENDAR_MAC_1904 if epoch_1904 else CALENDAR_WINDOWS_1900
        self.rows: list[tuple[int, list[Any]]] = []
        self.row_number = 0
        self.row: list[Any] | None = None
        self.cell: dict[str, str] | None = None
        self.column = 0
        self.parts: list[str] = []
        self.chars = 0
        self.collect = False
        self.hidden = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = SHEET_TAGS.get(name)
        if tag == "row":
            number = int(attrs["r"]) if attrs.get("r", "").isdigit() else self.row_number + 1
            if number > self.row_number + 1:
                self.rows.append((number - self.row_number - 1, []))  # the missing rows, as one count
            self.row_number = max(number, self.row_number + 1)
            self.row, self.column = [], 0
        elif tag == "c" and self.row is not None:
            match = CELL_REF.match(attrs.get("r", ""))
            self.column = _column(match.group(1)) if match else self.column + 1
            if self.column > self.limits.columns:
                raise too_wide(self.limits.columns, self.row_number)
            self.cell, self.parts, self.chars = attrs, [], 0
        elif self.cell is not None:
            if tag == "rPh":
                self.hidden += 1
            elif tag in ("v", "t"):
                self.collect = True

    def end(self, name: str) -> None:
        tag = SHEET_TAGS.get(name)
        if tag == "row" and self.row is not None:
            self.rows.append((1, self.row))
            self.row = None
        elif tag == "c" and self.cell is not None and self.row is not None:
            value = self._value(self.cell, "".join(self.parts))
            if value is not None:
                if len(self.row) < self.column:
                    self.row.extend([None] * (self.column - len(self.row)))
                self.row[self.column - 1] = value
            self.cell = None
        elif tag == "rPh":
            self.hidden -= 1
        elif tag in ("v", "t"):
            self.collect = False

    def data(self, text: str) -> None:
        if self.collect and not self.hidden and self.cell is not None:
            self.chars += len(text)
            if self.chars > self.limits.cell_chars:
                raise cell_too_long(self.limits.cell_chars, self.row_number)
            self.parts.append(text)

    def _value(self, attrs: dict[str, str], text: str) -> Any:
        kind = attrs.get("t", "n")
        if kind in ("str", "inlineStr", "e"):
            return text or None
        if not text:
            return None
        if kind == "s":
            try:
                return self.strings[int(text)]
            except (ValueError, IndexError):
                raise _unreadable(f"第 {self.row_number} 行引用了不存在的共享字符串 / a missing shared string") from None
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            try:
                return datetime.fromisoformat(text.strip()[:26])
            except ValueError:
                return text
        return self._number(attrs, text)

    def _number(self, attrs: dict[str, str], text: str) -> Any:
        try:
            number: float | int = int(text) if text.strip().lstrip("-").isdigit() else float(text)
        except ValueError:
            return text
        style = int(attrs["s"]) if attrs.get("s", "").isdigit() else 0
        if style in self.dates:
            from openpyxl.utils.datetime import from_excel
            try:
                moment = from_excel(number, self.epoch)
            except (OverflowError, ValueError):
                return number
            if isinstance(moment, datetime) and (not self.dates[style] or moment.time() == MIDNIGHT):
                return date(moment.year, moment.month, moment.day)  # as calamine read it: a day is a date
            return moment
        return number


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def xlsx_sheet_names(data: bytes, limits: SheetLimits) -> list[str]:
    """The names of the workbook's sheets, in order (the import wizard lets the user choose one)."""
    archive = open_zip(data, limits)
    try:
        return [name for name, _ in _sheets(archive)[0]]
    finally:
        archive.close()


def xlsx_rows(data: bytes, limits: SheetLimits, sheet: int = 0) -> Iterator[tuple[int, list[Any]]]:
    """`(repeat, cells)` for each row of the sheet at index `sheet` (the first by default) from row 1;
    missing rows as `(count, [])`."""
    archive = open_zip(data, limits)
    try:
        sheet_path, rels, epoch_1904 = _workbook(archive, sheet)
        by_kind = {kind: path for kind, path in rels.values()}
        sheet = _Sheet(limits, _shared_strings(archive, by_kind.get("sharedStrings"), limits),
                       _date_styles(archive, by_kind.get("styles")), epoch_1904)
        yield from _scan(archive, sheet_path, sheet.start, sheet.end, sheet.data, sheet.rows)
    finally:
        archive.close()


__all__ = ["xlsx_rows", "xlsx_sheet_names"]
