"""CSV rows, decoded and parsed incrementally: UTF-8 (with or without BOM) or GBK/GB18030.

The encoding is chosen by a pass of an incremental decoder that keeps no text; the parse then reads
physical lines of bounded length, so one giant line or field is refused when it passes the limit,
never read whole first."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import Any

from engine.errors import BadFile, FileOverLimit
from runtime.io.sheet_limits import SheetLimits, cell_too_long

BOM = b"\xef\xbb\xbf"
CHUNK = 1 << 16
SNIFF = 4096
MIN_LINE = 1 << 20  # a physical line may hold a few full cells, whatever the cell limit


def csv_encoding(data: bytes) -> str:
    """A BOM decides; else UTF-8 if every byte decodes; else GB18030 (a superset of GBK)."""
    if data.startswith(BOM):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), CHUNK):
                decoder.decode(data[start:start + CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise BadFile("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV", "cannot decode the CSV: use UTF-8 or GBK",
                  field="file")


def decode_csv_text(data: bytes) -> str:
    """Small CSV bytes as text, by the same rule as `csv_rows` (for callers that need the whole text)."""
    return data.decode(csv_encoding(data))


def _lines(text: io.TextIOBase, limit: int) -> Iterator[str]:
    """Physical lines, each at most `limit` characters: a longer one is refused as it is read."""
    while line := text.readline(limit + 1):
        if len(line) > limit:
            raise FileOverLimit(f"CSV 的一行最多 {limit} 个字符", f"a CSV line holds at most {limit} characters",
                                field="file", limit="max_cell_chars", max=limit)
        yield line


def csv_rows(data: bytes, limits: SheetLimits) -> Iterator[tuple[int, list[Any]]]:
    """`(1, cells)` for each CSV record, the dialect (comma, tab, semicolon) sniffed from the start."""
    encoding = csv_encoding(data)
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    sample = text.read(SNIFF)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    # the csv module's field bound is process-wide; every reader sets it from the same setting
    csv.field_size_limit(limits.cell_chars)
    reader = csv.reader(_lines(text, max(MIN_LINE, 4 * limits.cell_chars)), dialect)
    try:
        for row in reader:
            yield 1, row
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise cell_too_long(limits.cell_chars, reader.line_num) from None
        raise BadFile(f"CSV 格式错误：{e}", f"malformed CSV: {e}", field="file") from None


__all__ = ["csv_rows", "csv_encoding", "decode_csv_text"]
