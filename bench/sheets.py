"""`python -m bench.sheets [ROWS]`: reading an import's first sheet, the streaming reader against
calamine's dense read (what the reader replaced), in CPU seconds and peak RSS of a fresh process each.

CPU time, not wall time: the machine is shared, and the reader is pure CPU on bytes in memory."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import datetime

CHILD = r"""
import io, json, resource, sys, time
data = sys.stdin.buffer.read()
start = time.process_time()
if sys.argv[1] == "calamine":
    from python_calamine import CalamineWorkbook
    rows = len(CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)) - 1
else:
    from runtime.io.spreadsheet import read_sheet
    rows = sum(1 for _ in read_sheet(data, "x." + sys.argv[2]).rows)
print(json.dumps({"rows": rows, "cpu_s": round(time.process_time() - start, 2),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def workbook(rows: int) -> bytes:
    """An xlsx as openpyxl writes an export: ten columns of text, numbers and a datetime."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([f"c{i}" for i in range(10)])
    for n in range(rows):
        sheet.append([f"客户{n}", n, n * 1.5, "华东", datetime(2026, 1, 1), "备注文本", None, "x", n, "y"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(rows: int) -> bytes:
    lines = ["c0,c1,c2,c3"] + [f"客户{n},{n},{n * 1.5},华东" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode("gbk")


def measure(reader: str, kind: str, data: bytes) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, reader, kind], input=data, capture_output=True, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> None:
    print_table(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)


def print_table(rows: int) -> None:
    """Each reader on an xlsx and a GBK CSV of `rows` rows, in a fresh process: CPU and peak RSS."""
    print("| file | reader | rows | CPU s | peak RSS MB |\n|---|---|---:|---:|---:|")
    for kind, data in (("xlsx", workbook(rows)), ("csv", csv_file(rows))):
        for reader in (("calamine", "streaming") if kind == "xlsx" else ("streaming",)):
            r = measure(reader, kind, data)
            print(f"| {kind} ({len(data) >> 10} KB) | {reader} | {r['rows']:,} | {r['cpu_s']} | {r['peak_mb']} |")


if __name__ == "__main__":
    main()
