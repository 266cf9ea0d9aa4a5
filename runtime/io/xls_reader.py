"""One sheet of an old-style xls (the first unless chosen) (OLE2/BIFF), read by calamine in a child process under a memory cap.

calamine reads a sheet as one dense range (its bounding box, allocated in Rust) and a failed Rust
allocation aborts the process; BIFF stores 16-bit rows and columns, so a small hostile file can ask
for 2^32 cells. The child has an address-space limit: such a file kills the child, not the server,
and is refused. Rows come back one at a time, each trimmed to its last value."""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

from engine.errors import BadFile, FileOverLimit
from runtime.io.sheet_limits import MB, SheetLimits, too_wide

# 65536 × 256 cells (the format's own bound) of 32 bytes each, plus the interpreter
CHILD_MEMORY = 1536 * MB
CHILD_SECONDS = 300
# at most two readers at once: a burst of xls uploads costs two capped children, not one per request
CHILDREN = threading.BoundedSemaphore(2)

CHILD = r"""
import io, pickle, resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from python_calamine import CalamineWorkbook
data = sys.stdin.buffer.read()
out = sys.stdout.buffer
try:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    pickle.dump(("names", [str(n) for n in book.sheet_names][:1000]), out)
    out.flush()
    index = int(sys.argv[3])
    if index < 0:
        sys.exit(0)
    if index >= len(book.sheet_names):
        pickle.dump(("nosheet", len(book.sheet_names)), out)
        sys.exit(0)
    sheet = book.get_sheet_by_index(index)
    width = int(sys.argv[2])
    for row in sheet.iter_rows():
        row = list(row)
        while row and row[-1] in ("", None):
            row.pop()
        if len(row) > width:
            pickle.dump(("wide", None), out)
            break
        pickle.dump(("row", row), out)
except Exception as e:
    pickle.dump(("error", str(e)[:200]), out)
"""


def _unreadable(problem: str) -> BadFile:
    return BadFile(f"无法读取 Excel 文件：{problem}", f"cannot read the Excel file: {problem}", field="file")


def xls_rows(data: bytes, limits: SheetLimits, sheet: int = 0) -> Iterator[tuple[int, list[Any]]]:
    """`(1, cells)` for each row of the sheet at index `sheet` (the first by default), from row 1."""
    with CHILDREN:
        for kind, value in _child_rows(data, limits, sheet):
            if kind == "row":
                yield 1, value


def xls_sheet_names(data: bytes, limits: SheetLimits) -> list[str]:
    """The names of the workbook's sheets, in order."""
    with CHILDREN:
        return next((value for kind, value in _child_rows(data, limits, -1) if kind == "names"), [])


def _child_rows(data: bytes, limits: SheetLimits, sheet: int) -> Iterator[tuple[str, Any]]:
    child = subprocess.Popen([sys.executable, "-I", "-c", CHILD, str(CHILD_MEMORY), str(limits.columns), str(sheet)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             env={"RUST_BACKTRACE": "0"})
    try:
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write(data)
            child.stdin.close()
        except BrokenPipeError:
            pass  # the child died early; its exit status says so below
        number = 0
        while True:
            try:
                kind, value = pickle.load(child.stdout)  # our own child's output, not the user's bytes
            except (EOFError, pickle.UnpicklingError, ValueError):
                break  # the end, or the child died mid-row: its exit status tells which
            if kind == "error":
                raise _unreadable(value)
            if kind == "nosheet":
                raise BadFile(f"文件只有 {value} 个工作表", f"the file has {value} sheet(s)", field="sheet")
            if kind == "names":
                yield kind, value
                continue
            number += 1
            if kind == "wide":
                raise too_wide(limits.columns, number)
            yield kind, value
        status = child.wait(CHILD_SECONDS)
        if status == -signal.SIGABRT:  # calamine's allocation of the sheet's range failed under the cap
            raise FileOverLimit(f"工作表的单元格范围过大，读取需要超过 {CHILD_MEMORY // MB} MB 内存",
                                f"the sheet's cell range needs more than {CHILD_MEMORY // MB} MB to read",
                                field="file", limit="xls_reader_memory_mb", max=CHILD_MEMORY // MB)
        if status != 0:
            raise _unreadable("文件已损坏 / the file is broken")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()  # type: ignore[union-attr]


__all__ = ["xls_rows", "xls_sheet_names"]
