"""Exports of a whole list from the list page (POST …/records/exports): every record of the filtered, searched,
sorted list — not one page — with the view's columns, as xlsx or CSV (UTF-8 with BOM, or GBK); past the
threshold in a background job whose progress GET /api/v1/exports/{id} tells; rights and audit as the direct
export (runtime/io/exports.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest

from runtime.jobs import worker
from tests.factories import Maker
from tests.permission_setup import deal, sales_app, setup_sales

EXPORTS = "/api/v1/apps/shop/forms/customer/records/exports"


@pytest.fixture
def customers(make: Maker) -> list[dict[str, Any]]:
    """120 customers (more than two list pages): every third 华南, names 客户000 … 客户119."""
    make.app_def()
    r = make.client.post(
        "/api/v1/apps/shop/forms/customer/records/bulk",
        headers=make.admin,
        json={
            "items": [
                {
                    "name": f"客户{i:03d}",
                    "region": "华南" if i % 3 == 0 else "华东",
                    "amount": i * 100,
                    "note": "重点" if i % 2 else "一般",
                }
                for i in range(120)
            ]
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def _download(make: Maker, status: dict[str, Any], who: dict[str, str] | None = None) -> bytes:
    assert status["status"] == "done", status
    r = make.client.get(status["download"], headers=who or make.admin)
    assert r.status_code == 200, r.text
    return r.content


def _csv(content: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


def test_the_whole_filtered_searched_sorted_list_is_exported_with_the_view_columns(
    make: Maker, customers: list[dict[str, Any]]
) -> None:
    params = {
        "filter[region][eq]": "华南",
        "q": "客户",
        "filter": "amount >= 1500",
        "sort": "-amount",
        "fields": "name,amount,id",
        "format": "csv",
    }
    r = make.client.post(EXPORTS, params=params, headers=make.admin)
    assert r.status_code == 201, r.text
    rows = _csv(_download(make, r.json()))
    expected = sorted(
        (c for c in customers if c["data"]["region"] == "华南" and float(c["data"]["amount"]) >= 1500),
        key=lambda c: -float(c["data"]["amount"]),
    )
    assert len(expected) > 20
    assert rows[0] == ["客户名称", "成交金额", "编号"]
    assert [row[0] for row in rows[1:]] == [c["data"]["name"] for c in expected]
    assert [int(row[2]) for row in rows[1:]] == [c["id"] for c in expected]
    assert r.json()["total"] == len(expected) == r.json()["done"]


def test_the_search_narrows_the_export_as_it_narrows_the_list(make: Maker, customers: list[dict[str, Any]]) -> None:
    wanted = sorted(f"客户01{i}" for i in range(10))
    r = make.client.post(EXPORTS, params={"q": "客户01", "fields": "name", "format": "csv"}, headers=make.admin)
    assert sorted(row[0] for row in _csv(_download(make, r.json()))[1:]) == wanted
    # the direct export reads the search too (it used to drop it after the first page's query)
    r = make.client.get(f"{make.url()}/export", params={"q": "客户01", "fields": "name"}, headers=make.admin)
    assert sorted(row[0] for row in _csv(r.content)[1:]) == wanted


def test_a_gbk_csv_opens_in_older_excel(make: Maker, customers: list[dict[str, Any]]) -> None:
    r = make.client.post(
        EXPORTS, params={"format": "csv", "encoding": "gbk", "fields": "name,region"}, headers=make.admin
    )
    content = _download(make, r.json())
    assert not content.startswith(b"\xef\xbb\xbf")
    rows = _csv(content, "gbk")
    assert rows[0] == ["客户名称", "地区"] and len(rows) == 121
    served = make.client.get(r.json()["download"], headers=make.admin).headers["content-type"]
    assert served == "text/csv; charset=gb18030"  # not the UTF-8 a text/csv without charset is served as
    utf8 = make.client.post(EXPORTS, params={"format": "csv", "fields": "name"}, headers=make.admin).json()
    assert make.client.get(utf8["download"], headers=make.admin).headers["content-type"] == "text/csv; charset=utf-8"


def test_a_large_list_is_exported_in_the_background_with_progress_and_a_link(
    make: Maker, customers: list[dict[str, Any]]
) -> None:
    make.app.state.settings.export_background_rows = 50
    r = make.client.post(EXPORTS, params={"format": "xlsx", "filter[note][eq]": "重点"}, headers=make.admin)
    assert r.status_code == 202, r.text
    started = r.json()
    assert started["status"] == "pending" and started["total"] == 60 and started["download"] is None
    worker.run_due(make.app.state.db, make.app.state.settings, datetime.now(UTC))
    status = make.client.get(f"/api/v1/exports/{started['id']}", headers=make.admin).json()
    assert (status["status"], status["done"], status["total"]) == ("done", 60, 60)
    sheet = openpyxl.load_workbook(io.BytesIO(_download(make, status))).worksheets[0]
    assert sheet.max_row == 61
    assert [e["id"] for e in make.client.get("/api/v1/exports", headers=make.admin).json()["items"]] == [started["id"]]
    # someone else neither sees the export nor downloads its file
    other = make.user("li", admin=False)
    assert make.client.get(f"/api/v1/exports/{started['id']}", headers=other).status_code == 404
    assert make.client.get(status["download"], headers=other).status_code == 404


def test_an_export_is_audited_with_its_count(make: Maker, customers: list[dict[str, Any]]) -> None:
    make.client.post(EXPORTS, params={"filter[region][eq]": "华南"}, headers=make.admin)
    entries = make.client.get("/api/v1/audit", params={"action": "record.export"}, headers=make.admin).json()["items"]
    assert entries[0]["detail"]["count"] == 40 and entries[0]["form"] == "customer"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"filter": "amount >"}, 400),  # a bad expression: before any row is read
        ({"fields": "nope"}, 400),
        ({"sort": "nope"}, 400),
        ({"format": "pdf"}, 422),
    ],
    ids=["expression", "field", "sort", "format"],
)
def test_a_bad_export_request_is_a_4xx_and_creates_nothing(
    make: Maker, customers: list[dict[str, Any]], params: dict[str, str], status: int
) -> None:
    r = make.client.post(EXPORTS, params=params, headers=make.admin)
    assert r.status_code == status, r.text
    assert make.client.get("/api/v1/exports", headers=make.admin).json()["items"] == []


def _sales_with_rep_export(make: Maker) -> dict[str, dict[str, str]]:
    people = setup_sales(make)
    definition = sales_app()
    definition["roles"][0]["permissions"]["deal"]["export"] = True  # 销售代表 may export now (own records)
    assert make.client.put("/api/v1/apps/sales", json=definition, headers=make.admin).status_code == 200
    return people


def test_rights_apply_export_right_row_scope_and_hidden_fields(make: Maker) -> None:
    people = _sales_with_rep_export(make)
    deal(make, people["rep1"], "华东甲")
    deal(make, people["rep2"], "华东乙")
    url = "/api/v1/apps/sales/forms/deal/records/exports"
    mine = make.client.post(url, params={"format": "csv"}, headers=people["rep1"])
    assert mine.status_code == 201, mine.text
    rows = _csv(_download(make, mine.json(), people["rep1"]))
    assert "成本" not in rows[0] and "名称" in rows[0]  # cost is hidden from reps: not a column
    assert [r[rows[0].index("名称")] for r in rows[1:]] == ["华东甲"]  # their own records only
    hidden = make.client.post(url, params={"fields": "name,cost"}, headers=people["rep1"])
    assert hidden.status_code == 400 and "cost" in hidden.text  # a hidden field is as unknown as any
    assert make.client.post(url, headers=people["aud"]).status_code == 403  # no export right
