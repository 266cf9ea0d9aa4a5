"""Choosing the sheet and the header row of an upload (the import wizard's first step), in every format."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from engine.errors import BadFile
from runtime.io.spreadsheet import first_rows, read_sheet, sheet_names

DATA = Path(__file__).resolve().parents[2] / "data"


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["见下一页"])
    data = book.create_sheet("客户")
    for row in (["2026 年客户"], [], ["客户名称", "地区"], ["甲", "华东"], ["乙", "华南"]):
        data.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_lists_its_sheets_and_reads_the_chosen_one_below_a_title_block() -> None:
    content = _xlsx()
    assert sheet_names(content, "a.xlsx") == ["说明", "客户"]
    sheet = read_sheet(content, "a.xlsx", sheet=1, header_row=3)
    assert sheet.header == ["客户名称", "地区"] and sheet.first_row == 4
    assert list(sheet.rows) == [["甲", "华东"], ["乙", "华南"]]
    assert first_rows(content, "a.xlsx", sheet=1, count=3) == [["2026 年客户"], [], ["客户名称", "地区"]]


def test_the_top_rows_of_an_xlsx_are_read_without_a_child_parsing_the_whole_sheet(monkeypatch: Any) -> None:
    """The wizard's header-row choice wants ten rows: the streaming reader stops there, while calamine's
    child would parse the whole sheet first (a second full pass at every upload)."""
    def no_child(*args: Any) -> Any:
        raise AssertionError("a child process was started for the top rows")

    monkeypatch.setattr("runtime.io.xlsx_fast.child_rows", no_child)
    assert first_rows(_xlsx(), "a.xlsx", sheet=1, count=3) == [["2026 年客户"], [], ["客户名称", "地区"]]


@pytest.mark.parametrize("name", ["calamine_base.ods", "calamine_base.xls"], ids=["ods", "xls"])
def test_ods_and_xls_list_their_sheets_and_take_a_header_below_a_blank_row(name: str) -> None:
    content = (DATA / name).read_bytes()
    assert sheet_names(content, name) == ["Sheet1", "Sheet2", "Merged Cells"]
    sheet = read_sheet(content, name, header_row=2)
    assert sheet.header[0] == "String" and sheet.first_row == 3


@pytest.mark.parametrize(("name", "content", "choice", "field"), [
    ("a.xlsx", _xlsx(), {"sheet": 2}, "sheet"),
    ("calamine_base.xls", (DATA / "calamine_base.xls").read_bytes(), {"sheet": 5}, "sheet"),
    ("calamine_base.ods", (DATA / "calamine_base.ods").read_bytes(), {"sheet": 3}, "sheet"),
    ("a.csv", "客户名称\n甲\n".encode(), {"sheet": 1}, "sheet"),  # a CSV is one sheet
    ("a.xlsx", _xlsx(), {"sheet": 1, "header_row": 2}, "header_row"),  # a blank row
    ("a.xlsx", _xlsx(), {"header_row": 101}, "header_row"),
], ids=["xlsx-sheet", "xls-sheet", "ods-sheet", "csv-sheet", "blank-header", "header-too-low"])
def test_a_sheet_or_header_row_that_is_not_there_is_a_bad_file_naming_the_choice(
        name: str, content: bytes, choice: dict[str, Any], field: str) -> None:
    with pytest.raises(BadFile) as caught:
        sheet = read_sheet(content, name, **choice)
        list(sheet.rows)
    assert caught.value.extra.get("field") == field
