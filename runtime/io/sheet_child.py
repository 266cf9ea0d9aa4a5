"""A workbook's sheet read by calamine in a child process under a memory cap, its rows streamed back to the
caller a batch at a time (xls: runtime/io/xls_reader.py; xlsx: runtime/io/xlsx_fast.py).

calamine reads a sheet as one dense range (its bounding box, allocated in Rust) and a failed Rust
allocation aborts the process: a small hostile file (a cell at XFD1048576, an xls asking for 2^32 cells,
a million rows of wide text) would take the server down with it, or swell it to gigabytes. The child
has an address-space limit (RLIMIT_AS): such a file kills the child, never the server, and the caller
says so (ChildFailed) — refuses the file, or reads it with the streaming reader instead. What the child
holds (the sheet, its shared strings) is never in the server's memory.

Rows come back as they are in the sheet from row 1 (rows above the sheet's range blank, columns left of
it None), each trimmed to its last value, cells as the streaming readers give them: numbers that are
whole as int, a date-and-time at midnight as a date, empty cells as None."""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from runtime.io.sheet_limits import MB

CHILD_MEMORY = 1536 * MB  # the xls format's own bound (65536 × 256 cells of 32 bytes each) and the interpreter
CHILD_SECONDS = 300
BATCH_ROWS = 1000  # rows a message: the pipe and pickle costs of a row spread over many

CHILD = r"""
import io, pickle, resource, sys
from datetime import date, datetime, time
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from python_calamine import CalamineWorkbook
WHOLE = 2 ** 53

def cell(value):
    if value == "":
        return None
    if type(value) is float and value.is_integer() and -WHOLE < value < WHOLE:
        return int(value)
    if type(value) is datetime and value.time() == time():
        return date(value.year, value.month, value.day)
    return value

data = sys.stdin.buffer.read()
out = sys.stdout.buffer
try:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    del data
    pickle.dump(("names", [str(n) for n in book.sheet_names][:1000]), out)
    out.flush()
    index, batch_rows = int(sys.argv[2]), int(sys.argv[3])
    if index < 0:
        sys.exit(0)
    if index >= len(book.sheet_names):
        pickle.dump(("nosheet", len(book.sheet_names)), out)
        sys.exit(0)
    sheet = book.get_sheet_by_index(index)
    left = [None] * sheet.start[1] if sheet.start else []  # iter_rows starts at row 1 but at the range's column
    batch = []
    for row in sheet.iter_rows():
        row = [cell(c) for c in row]
        while row and row[-1] is None:
            row.pop()
        batch.append(left + row if row else row)
        if len(batch) >= batch_rows:
            pickle.dump(("rows", batch), out)
            batch = []
    pickle.dump(("rows", batch), out)
except MemoryError:
    pickle.dump(("memory", None), out)
except Exception as e:
    pickle.dump(("error", str(e)[:200]), out)
"""


class ChildFailed(Exception):
    """The child could not read the file: `memory` (its cap), `broken` (it died), or calamine's `error`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


class NoSheet(Exception):
    """The workbook has no sheet at the index asked for; `count` sheets."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


def child_rows(data: bytes, sheet: int) -> Iterator[tuple[str, Any]]:
    """`("names", [...])` first, then for a sheet index ≥ 0 `("row", cells)` for each row from row 1;
    ChildFailed or NoSheet when it cannot. The child is killed when the caller stops reading."""
    child = subprocess.Popen(
        [sys.executable, "-I", "-c", CHILD, str(CHILD_MEMORY), str(sheet), str(BATCH_ROWS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={"RUST_BACKTRACE": "0"},
    )
    try:
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write(data)
            child.stdin.close()
        except BrokenPipeError:
            pass  # the child died early; its exit status says so below
        while True:
            try:
                kind, value = pickle.load(child.stdout)  # our own child's output, not the user's bytes
            except (EOFError, pickle.UnpicklingError, ValueError):
                break  # the end, or the child died mid-message: its exit status tells which
            if kind in ("error", "memory"):
                raise ChildFailed(kind, value or "")
            if kind == "nosheet":
                raise NoSheet(value)
            if kind == "names":
                yield kind, value
                continue
            for row in value:
                yield "row", row
        status = child.wait(CHILD_SECONDS)
        if status == -signal.SIGABRT:  # calamine's allocation of the sheet's range failed under the cap
            raise ChildFailed("memory")
        if status != 0:
            raise ChildFailed("broken")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()  # type: ignore[union-attr]


__all__ = ["BATCH_ROWS", "CHILD_MEMORY", "ChildFailed", "NoSheet", "child_rows"]
