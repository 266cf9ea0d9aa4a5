"""Exports are safe to open: text that a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`, a
leading tab or CR) is marked as text in CSV (a leading `'`, OWASP) and written as a string cell in XLSX,
for record exports, selection exports and widget exports alike; numbers and dates keep their types."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import openpyxl
import pytest

from runtime.io.cells_out import csv_cell, readable_cell
from runtime.io.spreadsheet import csv_bytes, xlsx_bytes
from tests.factories import Maker, shop

HOSTILE = ["=1+2", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "-2+3",
           "+SUM(9)", "@A1", "=1;=2"]
HARMLESS = ["正常文本", "a=b", "1-2"]  # a formula character inside the text is harmless
BOARD = {"key": "board", "name": "看板", "widgets": [
    {"key": "by_note", "type": "table", "form": "customer", "dimensions": [{"field": "note"}],
     "measures": [{"agg": "sum", "field": "balance"}]}]}


@pytest.fixture
def hostile(make: Maker) -> dict[str, int]:
    """One customer per hostile or harmless note, each with a negative balance; name → id."""
    definition = shop(reports=[BOARD])
    definition["forms"][0]["fields"].append({"key": "balance", "type": "number", "label": "余额"})
    make.app_def(definition)
    ids = {}
    for i, note in enumerate(HOSTILE + HARMLESS):
        ids[note] = make.record("customer", {"name": f"客户{i}", "note": note, "balance": -5 - i,
                                             "since": "2026-03-01"})["id"]
    return ids


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


def _sheet(content: bytes) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [tuple(c for c in row) for row in book.worksheets[0].iter_rows()]


def _by_header(rows: list[list[str]], label: str) -> list[str]:
    at = rows[0].index(label)
    return [r[at] for r in rows[1:]]


def test_record_csv_export_marks_formula_text_and_keeps_negative_numbers(make: Maker, hostile: dict[str, int]) -> None:
    r = make.client.get(f"{make.url()}/export", params={"format": "csv"}, headers=make.admin)
    assert r.status_code == 200, r.text
    rows = _csv_rows(r.content)
    notes, balances = _by_header(rows, "备注"), _by_header(rows, "余额")
    assert sorted(notes) == sorted(["'" + v for v in HOSTILE] + HARMLESS)
    assert all(b.startswith("-") and b.lstrip("-").isdigit() for b in balances)  # a number, not marked


def test_selection_csv_export_marks_formula_text(make: Maker, hostile: dict[str, int]) -> None:
    ids = ",".join(str(hostile[v]) for v in ("=1+2", "@SUM(A1)", "正常文本"))
    r = make.client.get("/api/v1/apps/shop/forms/customer/selection/export.csv", params={"ids": ids},
                        headers=make.admin)
    assert r.status_code == 200, r.text
    assert sorted(_by_header(_csv_rows(r.content), "备注")) == sorted(["'=1+2", "'@SUM(A1)", "正常文本"])


def test_record_xlsx_export_holds_formula_text_as_strings_and_numbers_and_dates_typed(
        make: Maker, hostile: dict[str, int]) -> None:
    r = make.client.get(f"{make.url()}/export", params={"format": "xlsx"}, headers=make.admin)
    assert r.status_code == 200, r.text
    rows = _sheet(r.content)
    header = [c.value for c in rows[0]]
    note, balance, since = header.index("备注"), header.index("余额"), header.index("合作开始")
    cells = rows[1:]
    assert sorted(c[note].value for c in cells) == sorted(HOSTILE + HARMLESS)
    assert all(c[note].data_type == "s" for c in cells)
    assert all(c[balance].data_type == "n" and c[balance].value < 0 for c in cells)
    assert all(c[since].is_date and c[since].value == datetime(2026, 3, 1) for c in cells)


def test_widget_exports_mark_formula_text_in_csv_and_write_strings_in_xlsx(make: Maker, hostile: dict[str, int]) -> None:
    url = "/api/v1/apps/shop/reports/board/widgets/by_note/export"
    r = make.client.get(url, params={"format": "csv"}, headers=make.admin)
    assert r.status_code == 200, r.text
    rows = _csv_rows(r.content)
    assert sorted(r[0] for r in rows[1:]) == sorted(["'" + v for v in HOSTILE] + HARMLESS)
    assert all(float(r[1]) < 0 for r in rows[1:])
    r = make.client.get(url, params={"format": "xlsx"}, headers=make.admin)
    assert r.status_code == 200, r.text
    cells = _sheet(r.content)[1:]
    assert sorted(c[0].value for c in cells) == sorted(HOSTILE + HARMLESS)
    assert all(c[0].data_type == "s" and c[1].data_type == "n" and c[1].value < 0 for c in cells)


def test_an_exported_csv_imports_back_with_the_original_text(make: Maker, hostile: dict[str, int]) -> None:
    r = make.client.get(f"{make.url()}/export", params={"format": "csv", "fields": "name,note"}, headers=make.admin)
    renamed = r.content.replace("客户".encode(), "新客户".encode()).replace("新客户名称".encode(), "客户名称".encode())
    r = make.client.post(f"{make.url()}/import", headers=make.admin,
                         files={"file": ("back.csv", renamed, "text/csv")})
    assert r.status_code == 201, r.text
    back = make.client.get(make.url(), params={"filter[name][starts_with]": "新", "limit": 100},
                           headers=make.admin).json()
    assert sorted(i["data"]["note"] for i in back["items"]) == sorted(HOSTILE + HARMLESS)


@pytest.mark.parametrize("text", ["\t=x", "\r=x", "\t", "=", "-", "@"], ids=["tab", "cr", "lone-tab", "eq", "minus", "at"])
def test_leading_tab_and_carriage_return_are_marked_too(text: str) -> None:
    assert csv_cell(text) == "'" + text
    assert readable_cell(csv_cell(text)) == text
    rows = _csv_rows(csv_bytes(["h"], [[text]]))
    assert rows[1:] == [["'" + text]]


def test_xlsx_writer_keeps_types_and_replaces_characters_an_xlsx_cannot_hold() -> None:
    content = xlsx_bytes(["a", "b", "c", "d"], [["=SUM(1)", -3, datetime(2026, 1, 2, 3, 4), "x\x01y"]])
    (row,) = _sheet(content)[1:]
    assert [c.data_type for c in row[:2]] == ["s", "n"] and row[0].value == "=SUM(1)" and row[2].is_date
    assert row[3].value == "x\ufffdy"
