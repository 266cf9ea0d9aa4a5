"""The first sheet of an xlsx, row by row: openpyxl's read-only (streaming) parser over a zip already
checked by `archive.open_zip`.

Never a dense matrix: a row is as long as its own last cell and a gap of missing rows is counted, not
built. calamine is not used for xlsx: it allocates the sheet's whole bounding box (a cell at XFD1048576
is 2^34 cells) in Rust, where a failed allocation aborts the process."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from typing import Any

from engine.errors import BadFile, EngineError
from runtime.io.archive import open_zip
from runtime.io.sheet_limits import EXCEL_MAX_ROWS, SheetLimits, past_last_row


def xlsx_rows(data: bytes, limits: SheetLimits) -> Iterator[tuple[int, list[Any]]]:
    """`(1, cells)` for each row of the first sheet, from row 1, a missing row as `(1, [])`."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    open_zip(data, limits).close()
    book = None
    try:
        with warnings.catch_warnings():  # "no default style" and the like: not the user's problem
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheets = book.worksheets
            if not sheets or not isinstance(sheets[0], ReadOnlyWorksheet):
                raise BadFile("第一个工作表不是数据表", "the first sheet holds no cells", field="file")
            sheet = sheets[0]
            sheet.reset_dimensions()  # the declared <dimension> may lie: rows are not padded to it
            number = 0
            for cells in sheet.iter_rows(values_only=True):
                number += 1
                if number > EXCEL_MAX_ROWS:
                    raise past_last_row()
                yield 1, list(cells)
    except EngineError:
        raise
    except Exception as e:  # openpyxl raises what its parsers meet: KeyError, ValueError, IndexError, ParseError…
        raise BadFile(f"无法读取 Excel 文件：{str(e)[:200]}", f"cannot read the Excel file: {str(e)[:200]}",
                      field="file") from None
    finally:
        if book is not None:
            book.close()


__all__ = ["xlsx_rows"]
