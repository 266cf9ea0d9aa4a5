"""Inputs as people give them: percents as fractions or "60%" (API, import, web form), relation
columns of sub-tables by record (titles shown, unknown ids refused)."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from tests.factories import Maker

QUOTES = {
    "format": "tangram/app@1", "key": "sales", "name": "销售", "version": "1.0.0",
    "forms": [
        {"key": "product", "name": "产品", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "产品名称", "required": True},
        ]},
        {"key": "quote", "name": "报价单", "title_field": "title", "fields": [
            {"key": "title", "type": "text", "label": "标题", "required": True},
            {"key": "win_rate", "type": "percent", "label": "赢率", "min": 0, "max": 1},
            {"key": "lines", "type": "sub_table", "label": "明细", "fields": [
                {"key": "product", "type": "relation", "label": "产品", "target": "product"},
                {"key": "qty", "type": "number", "label": "数量"},
                {"key": "discount", "type": "percent", "label": "折扣", "max": 1},
            ]},
        ]},
    ],
}


def _sales(make: Maker) -> dict[str, int]:
    make.app_def(QUOTES)
    return {name: make.record("product", {"name": name}, app="sales")["id"] for name in ("CRM 专业版", "实施服务")}


def _quote(make: Maker, **data: Any) -> Any:
    return make.client.post(make.url("quote", "sales"), json={"data": {"title": "一号报价", **data}},
                            headers=make.admin)


def test_a_percent_is_taken_as_a_fraction_or_as_text_with_a_percent_sign(make: Maker) -> None:
    _sales(make)
    assert _quote(make, win_rate=0.6).json()["data"]["win_rate"] == "0.6"
    assert _quote(make, win_rate="60%").json()["data"]["win_rate"] == "0.6"
    assert _quote(make, win_rate="６０％").json()["data"]["win_rate"] == "0.6"
    r = _quote(make, win_rate=60)  # a bare number is the fraction: 6000%
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "win_rate"


def test_imported_percents_read_text_with_a_sign_and_percent_formatted_xlsx_numbers(make: Maker) -> None:
    _sales(make)
    book = openpyxl.Workbook()
    book.active.append(["标题", "赢率"])
    book.active.append(["表格里的百分比", 0.6])
    book.active["B2"].number_format = "0%"  # shown as 60% in Excel, holding 0.6
    book.active.append(["文字百分比", "45%"])
    out = io.BytesIO()
    book.save(out)
    r = make.client.post(f"{make.url('quote', 'sales')}/import", headers=make.admin,
                         files={"file": ("报价.xlsx", out.getvalue(), "application/octet-stream")})
    assert r.status_code == 201, r.text
    items = make.client.get(make.url("quote", "sales"), headers=make.admin, params={"sort": "title"}).json()["items"]
    assert {i["data"]["title"]: i["data"]["win_rate"] for i in items} == {"表格里的百分比": "0.6", "文字百分比": "0.45"}


def test_a_percent_exported_reads_back_the_same(make: Maker) -> None:
    _sales(make)
    _quote(make, win_rate="12.5%")
    text = make.client.get(f"{make.url('quote', 'sales')}/export", params={"format": "csv"}, headers=make.admin).text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][rows[0].index("赢率")] == "12.5%"


def test_a_sub_table_relation_column_shows_the_titles_of_its_records(make: Maker) -> None:
    products = _sales(make)
    r = _quote(make, lines=[{"product": products["实施服务"], "qty": 2}, {"qty": 1}])
    assert r.status_code == 201, r.text
    assert r.json()["data"]["lines"][0]["product"] == {"id": products["实施服务"], "title": "实施服务"}
    got = make.client.get(f"{make.url('quote', 'sales')}/{r.json()['id']}", headers=make.admin).json()
    assert [row.get("product") for row in got["data"]["lines"]] == [
        {"id": products["实施服务"], "title": "实施服务"}, None]


def test_a_record_sent_back_as_read_is_accepted_unchanged(make: Maker) -> None:
    products = _sales(make)
    created = _quote(make, lines=[{"product": products["CRM 专业版"], "qty": 1, "discount": "10%"}]).json()
    url = f"{make.url('quote', 'sales')}/{created['id']}"
    r = make.client.patch(url, json={"data": {"lines": created["data"]["lines"]}}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == created["version"]  # nothing changed: no new version


def test_a_sub_table_relation_to_a_missing_record_is_refused_at_its_cell(make: Maker) -> None:
    products = _sales(make)
    r = _quote(make, lines=[{"product": products["CRM 专业版"]}, {"product": 999999}])
    assert r.status_code == 422
    assert [(d["path"], d["code"]) for d in r.json()["error"]["details"]] == [
        ("lines[1].product", "unknown_reference")]


def test_a_sub_table_relation_naming_another_forms_record_is_refused(make: Maker) -> None:
    _sales(make)
    other = _quote(make).json()["id"]  # a quote, not a product
    r = _quote(make, lines=[{"product": other}])
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "lines[0].product"


def _signed_in(make: Maker) -> TestClient:
    make.user("admin")
    r = make.client.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303
    return make.client


def test_the_record_pages_show_percents_as_typed_and_sub_table_products_by_title(make: Maker) -> None:
    products = _sales(make)
    quote = _quote(make, win_rate="0.6", lines=[{"product": products["实施服务"], "discount": "0.125"}]).json()
    client = _signed_in(make)
    edit = client.get(f"/apps/sales/forms/quote/records/{quote['id']}/edit").text
    assert 'name="win_rate" inputmode="decimal" data-percent="1" value="60"' in edit
    assert 'data-sub="discount" data-percent="1" inputmode="decimal" aria-label="折扣 (%)" value="12.5"' in edit
    assert f'<li data-id="{products["实施服务"]}">实施服务 ' in edit
    shown = client.get(f"/apps/sales/forms/quote/records/{quote['id']}").text
    link = f'<a href="/apps/sales/forms/product/records/{products["实施服务"]}">实施服务</a>'
    assert f"<td>{link}</td>" in shown and "60%" in shown


def test_a_list_showing_a_sub_table_gives_its_products_by_title(make: Maker) -> None:
    products = _sales(make)
    _quote(make, lines=[{"product": products["实施服务"], "qty": 3}])
    page = _signed_in(make).get("/apps/sales/forms/quote", params={"columns": "title,lines"}).text
    assert "<td>实施服务 3</td>" in page  # not the rows' JSON
