"""An xlsx sheet read by calamine in a memory-capped child process (runtime/io/sheet_child.py), with the
streaming reader (runtime/io/xlsx_reader.py) where calamine cannot read it (issue 26).

calamine reads a 100,000-row sheet in about a third of the streaming reader's CPU, and in another
process: the server holds neither the sheet nor its shared strings, only the batch of rows in flight.
The zip is first checked within the limits in the server as before (runtime/io/archive.py: members,
sizes, the inflated bytes), so a zip bomb or a truncated file is refused by name before a child starts.
When the child fails — its memory cap (a cell at XFD1048576 is 2^34 cells to calamine, a million rows
of wide text gigabytes), calamine refusing the file, the child dying — the streaming reader takes over
from the row the child stopped at, and refuses what is over a limit as it always did. When both
children are busy (CHILDREN), the streaming reader reads, rather than the upload waiting."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from engine.errors import BadFile
from runtime.io.archive import open_zip
from runtime.io.sheet_child import ChildFailed, NoSheet, child_rows
from runtime.io.sheet_limits import SheetLimits
from runtime.io.xls_reader import CHILDREN
from runtime.io.xlsx_reader import xlsx_rows

log = logging.getLogger("tangram.sheets")


def xlsx_rows_fast(data: bytes, limits: SheetLimits, sheet: int = 0) -> Iterator[tuple[int, list[Any]]]:
    """`(repeat, cells)` for each row of the sheet at index `sheet` from row 1, as xlsx_rows gives them."""
    open_zip(data, limits).close()  # every member inflated within the limits, or refused naming them
    if not CHILDREN.acquire(blocking=False):
        yield from xlsx_rows(data, limits, sheet)
        return
    read = 0  # spreadsheet rows given so far
    try:
        for kind, cells in child_rows(data, sheet):
            if kind == "row":
                yield 1, cells
                read += 1
        return
    except NoSheet as e:
        raise BadFile(f"文件只有 {e.count} 个工作表", f"the file has {e.count} sheet(s)", field="sheet") from None
    except ChildFailed as e:
        log.info("xlsx read by calamine failed after %d rows (%s); read by the streaming reader", read, e)
    finally:
        CHILDREN.release()
    yield from _after(xlsx_rows(data, limits, sheet), read)


def _after(rows: Iterator[tuple[int, list[Any]]], skipped: int) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a reader's stream after its first `skipped` spreadsheet rows."""
    try:
        for repeat, cells in rows:
            if skipped >= repeat:
                skipped -= repeat
                continue
            yield repeat - skipped, cells
            skipped = 0
    finally:
        rows.close()  # type: ignore[attr-defined]


__all__ = ["xlsx_rows_fast"]
