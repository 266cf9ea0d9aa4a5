"""One sheet of an old-style xls (the first unless chosen) (OLE2/BIFF), read by calamine in a child process
under a memory cap (runtime/io/sheet_child.py).

BIFF stores 16-bit rows and columns, so a small hostile file can ask for 2^32 cells: it kills the child,
not the server, and is refused. There is no other xls reader to fall back on."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from engine.errors import BadFile, FileOverLimit
from runtime.io.sheet_child import CHILD_MEMORY, ChildFailed, NoSheet, child_rows
from runtime.io.sheet_limits import MB, SheetLimits

# at most two readers at once: a burst of xls uploads costs two capped children, not one per request
CHILDREN = threading.BoundedSemaphore(2)


def _unreadable(problem: str) -> BadFile:
    return BadFile(f"无法读取 Excel 文件：{problem}", f"cannot read the Excel file: {problem}", field="file")


def xls_rows(data: bytes, limits: SheetLimits, sheet: int = 0) -> Iterator[tuple[int, list[Any]]]:
    """`(1, cells)` for each row of the sheet at index `sheet` (the first by default), from row 1."""
    with CHILDREN:
        for kind, value in _read(data, sheet):
            if kind == "row":
                yield 1, value


def xls_sheet_names(data: bytes, limits: SheetLimits) -> list[str]:
    """The names of the workbook's sheets, in order."""
    with CHILDREN:
        return next((value for kind, value in _read(data, -1) if kind == "names"), [])


def _read(data: bytes, sheet: int) -> Iterator[tuple[str, Any]]:
    try:
        yield from child_rows(data, sheet)
    except NoSheet as e:
        raise BadFile(f"文件只有 {e.count} 个工作表", f"the file has {e.count} sheet(s)", field="sheet") from None
    except ChildFailed as e:
        if e.reason == "memory":
            raise FileOverLimit(
                f"工作表的单元格范围过大，读取需要超过 {CHILD_MEMORY // MB} MB 内存",
                f"the sheet's cell range needs more than {CHILD_MEMORY // MB} MB to read",
                field="file",
                limit="xls_reader_memory_mb",
                max=CHILD_MEMORY // MB,
            ) from None
        raise _unreadable(e.detail or "文件已损坏 / the file is broken") from None


__all__ = ["CHILDREN", "xls_rows", "xls_sheet_names"]
