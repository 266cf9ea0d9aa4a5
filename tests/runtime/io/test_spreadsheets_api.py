"""Import and export of records as CSV (UTF-8, BOM, GBK) and Excel, through the HTTP API."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest

from tests.factories import shop

DEAL = {
    "key": "deal", "name": "商机", "title_field": "title", "fields": [
        {"key": "title", "type": "text", "label": "商机名称", "required": True},
        {"key": "customer", "type": "relation", "label": "客户", "target": "customer", "required": True},
        {"key": "phone", "type": "phone", "label": "联系电话", "unique": True},
        {"key": "amount", "type": "money", "label": "金额"},
        {"key": "owner_user", "type": "user", "label": "负责人"},
        {"key": "signed_at", "type": "datetime", "label": "签约时间"},
        {"key": "tags", "type": "multi_select", "label": "标签", "options": ["重点", "续约", "新客"]},
    ]}


@pytest.fixture
def crm(make: Any) -> Any:
    definition = shop()
    definition["forms"] = [*definition["forms"], DEAL]
    make.app_def(definition)
    make.user("li.na", admin=False)
    for name in ("苏州恒瑞精密机械有限公司", "杭州云帆科技有限公司"):
        make.record("customer", {"name": name, "region": "华东"})
    return make


def _upload(make: Any, content: bytes, name: str, form: str = "deal", **params: Any) -> Any:
    return make.client.post(f"{make.url(form)}/import", params=params, headers=make.admin,
                            files={"file": (name, content, "application/octet-stream")})


def _csv(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ROWS = [
    ["商机名称", "客户", "联系电话", "金额", "负责人", "签约时间", "标签"],
    ["年度维保", "苏州恒瑞精密机械有限公司", "138 0013 8000", "1,200,000.50", "li.na", "2026-03-01 09:30", "重点，续约"],
    ["新产线", "杭州云帆科技有限公司", "+86 139-0013-9000", "80000", "", "", ""],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"], ids=["utf8", "utf8-bom", "gbk"])
def test_csv_import_reads_chinese_in_every_common_encoding(crm: Any, encoding: str) -> None:
    r = _upload(crm, _csv(ROWS, encoding), "商机.csv")
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 2
    items = crm.client.get(crm.url("deal"), params={"sort": "title"}, headers=crm.admin).json()["items"]
    first = next(i for i in items if i["data"]["title"] == "年度维保")
    assert first["data"]["phone"] == "13800138000"
    assert first["data"]["amount"] == "1200000.50"
    assert first["data"]["owner_user"] == "li.na"
    assert first["data"]["signed_at"] == "2026-03-01T01:30:00Z"  # naive input is Asia/Shanghai time
    assert first["data"]["tags"] == ["重点", "续约"]
    assert first["data"]["customer"]["title"] == "苏州恒瑞精密机械有限公司"


def test_excel_import_takes_numbers_as_excel_stores_them(crm: Any) -> None:
    rows = [ROWS[0], ["大单", "杭州云帆科技有限公司", 13800138000, 99.5, None, None, None]]
    r = _upload(crm, _xlsx(rows), "商机.xlsx")
    assert r.status_code == 201, r.text
    item = crm.client.get(crm.url("deal"), headers=crm.admin).json()["items"][0]
    assert item["data"]["phone"] == "13800138000" and item["data"]["amount"] == "99.50"


def test_full_width_headers_and_required_markers_match_their_fields(crm: Any) -> None:
    rows = [["客户名称＊", "地区", "ＮＯＴＥ"], ["深圳市南山区某某贸易有限公司", "华南", "全角表头"]]
    r = _upload(crm, _csv(rows), "客户.csv", form="customer")
    assert r.status_code == 201, r.text


def test_every_bad_row_is_reported_by_spreadsheet_row_and_nothing_is_imported(crm: Any) -> None:
    rows = [ROWS[0],
            ["好的一行", "杭州云帆科技有限公司", "", "1", "", "", ""],
            ["", "不存在的公司", "12345", "-abc", "nobody", "明天", "未知标签"],
            ["另一行", "苏州恒瑞精密机械有限公司", "", "", "", "", ""]]
    r = _upload(crm, _csv(rows), "商机.csv")
    assert r.status_code == 422, r.text
    paths = {d["path"] for d in r.json()["error"]["details"]}
    assert {"rows[3].title", "rows[3].customer", "rows[3].phone", "rows[3].amount", "rows[3].owner_user",
            "rows[3].signed_at", "rows[3].tags"} <= paths
    assert not any(p.startswith(("rows[2]", "rows[4]")) for p in paths)
    assert "第 3 行" in r.json()["error"]["details"][0]["message"]
    assert crm.client.get(crm.url("deal"), headers=crm.admin).json()["items"] == []


def test_a_duplicate_unique_value_refuses_the_whole_import(crm: Any) -> None:
    rows = [ROWS[0], ["甲", "杭州云帆科技有限公司", "13800138000", "", "", "", ""],
            ["乙", "杭州云帆科技有限公司", "138-0013-8000", "", "", "", ""]]
    r = _upload(crm, _csv(rows), "商机.csv")
    assert r.status_code in (409, 422), r.text
    assert crm.client.get(crm.url("deal"), headers=crm.admin).json()["items"] == []


def test_dry_run_checks_every_row_and_writes_nothing(crm: Any) -> None:
    r = _upload(crm, _csv(ROWS), "商机.csv", dry_run="true")
    assert r.status_code == 200 and r.json() == {"dry_run": True, "rows": 2, "created": 0}
    assert crm.client.get(crm.url("deal"), headers=crm.admin).json()["items"] == []


@pytest.mark.parametrize(("content", "name", "code"), [
    (b"", "x.csv", "bad_file"),
    (b"\xff\xfe\x00\xd8garbage\x81", "x.csv", "bad_file"),  # neither UTF-8 nor GB18030
    (b"PK\x03\x04 not really a zip", "x.xlsx", "bad_file"),
    ("名字,未知列\n甲,乙\n".encode(), "x.csv", "bad_file"),
    (b"\n\n", "x.csv", "bad_file"),
], ids=["empty", "undecodable", "broken-xlsx", "unknown-column", "no-header"])
def test_unreadable_files_are_400_naming_the_problem(crm: Any, content: bytes, name: str, code: str) -> None:
    r = _upload(crm, content, name, form="customer")
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == code


def test_unknown_columns_are_listed_by_their_letter(crm: Any) -> None:
    r = _upload(crm, "客户名称,电话号码,地区,颜色\n甲,1,华东,红\n".encode(), "x.csv", form="customer")
    details = r.json()["error"]["details"]
    assert [d["path"] for d in details] == ["columns[B]", "columns[D]"]


def test_export_csv_round_trips_through_import(crm: Any) -> None:
    assert _upload(crm, _csv(ROWS), "商机.csv").status_code == 201
    r = crm.client.get(f"{crm.url('deal')}/export", params={"format": "csv", "sort": "title",
                       "fields": "title,customer,phone,amount,owner_user,signed_at,tags"}, headers=crm.admin)
    assert r.status_code == 200
    assert r.content.startswith(b"\xef\xbb\xbf")
    assert "filename*=UTF-8''%E5%95%86%E6%9C%BA.csv" in r.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0] == ROWS[0]
    assert table[1][:4] == ["年度维保", "苏州恒瑞精密机械有限公司", "13800138000", "1200000.50"]
    assert table[1][5] == "2026-03-01 09:30:00"  # back in the app's time zone
    # delete and re-import the exported file: the same data comes back
    for item in crm.client.get(crm.url("deal"), headers=crm.admin).json()["items"]:
        crm.client.delete(f"{crm.url('deal')}/{item['id']}", headers=crm.admin)
    assert _upload(crm, r.content, "back.csv").status_code == 201


def test_export_xlsx_follows_the_list_filters(crm: Any) -> None:
    crm.record("customer", {"name": "广州某某有限公司", "region": "华南"})
    r = crm.client.get(f"{crm.url('customer')}/export", params={"format": "xlsx", "filter[region]": "华南"},
                       headers=crm.admin)
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["客户名称", "地区"]
    assert [v[0] for v in values[1:]] == ["广州某某有限公司"]


def test_export_with_a_bad_filter_is_400_before_any_data(crm: Any) -> None:
    r = crm.client.get(f"{crm.url('customer')}/export", params={"filter[nope]": "1"}, headers=crm.admin)
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_query"


def test_import_template_lists_writable_fields_and_marks_required_ones(crm: Any) -> None:
    r = crm.client.get(f"{crm.url('deal')}/import-template", params={"format": "csv"}, headers=crm.admin)
    header = next(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert header[:2] == ["商机名称*", "客户*"]


def test_export_of_a_selection_has_just_those_records(crm: Any) -> None:
    items = crm.client.get(crm.url("customer"), params={"sort": "name"}, headers=crm.admin).json()["items"]
    r = crm.client.get(f"{crm.url('customer')}/export", params={"ids": str(items[0]["id"]), "fields": "name"},
                       headers=crm.admin)
    assert r.content.decode("utf-8-sig").splitlines() == ["客户名称", items[0]["data"]["name"]]
    assert crm.client.get(f"{crm.url('customer')}/export", params={"ids": "1,x"}, headers=crm.admin).status_code == 400
