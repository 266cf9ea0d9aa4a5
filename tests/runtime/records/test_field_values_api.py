"""Field types through the records API: numbering, relations, users, files, line items, dates."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from runtime.accounts.users import create_user
from runtime.apps.definitions import form_ref
from runtime.db.db import Database
from runtime.records import records
from runtime.records.context import Actor, Change
from tests.factories import repair, shop
from tests.live import serve


def _repair(make: Any) -> None:
    make.app_def(repair())


def test_auto_number_counts_per_form_and_period(make: Any) -> None:
    _repair(make)
    year = datetime.now(UTC).astimezone().year
    codes = [make.record("equipment", {"name": f"车床{i}"}, app="repair")["data"]["code"] for i in range(3)]
    assert codes == [f"EQ-{year}-0001", f"EQ-{year}-0002", f"EQ-{year}-0003"]


def test_auto_number_cannot_be_written(make: Any) -> None:
    _repair(make)
    r = make.client.post(make.url("equipment", "repair"), json={"data": {"name": "车床", "code": "EQ-1"}},
                         headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0] == {
        "path": "code", "code": "read_only", "message": "“设备编号”由系统生成，不能填写"}


def test_auto_numbers_never_repeat_under_concurrent_creates(make: Any) -> None:
    _repair(make)
    url = make.url("equipment", "repair")
    with serve(make.app) as base, httpx.Client(base_url=base, headers=make.admin, timeout=30) as http, \
            ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda i: http.post(url, json={"data": {"name": f"设备{i}"}}), range(24)))
        bulk = http.post(url + "/bulk", json={"items": [{"name": f"批量{i}"} for i in range(10)]})
    assert all(r.status_code == 201 for r in responses) and bulk.status_code == 201
    codes = [r.json()["data"]["code"] for r in responses] + [i["data"]["code"] for i in bulk.json()["items"]]
    assert len(set(codes)) == 34
    assert sorted(int(c[-4:]) for c in codes) == list(range(1, 35))


def test_relation_comes_back_with_its_title_and_must_exist(make: Any) -> None:
    _repair(make)
    lathe = make.record("equipment", {"name": "数控车床"}, app="repair")
    drill = make.record("equipment", {"name": "台钻"}, app="repair")
    ticket = make.record("ticket", {"summary": "主轴异响", "equipment": lathe["id"],
                                    "related": [drill["id"], {"id": lathe["id"]}]}, app="repair")
    assert ticket["data"]["equipment"] == {"id": lathe["id"], "title": "数控车床"}
    assert ticket["data"]["related"] == [{"id": lathe["id"], "title": "数控车床"}, {"id": drill["id"], "title": "台钻"}]
    r = make.client.post(make.url("ticket", "repair"), json={"data": {"summary": "x", "equipment": 999999}},
                         headers=make.admin)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["path"] == "equipment"
    assert r.json()["error"]["details"][0]["code"] == "unknown_reference"


def test_relation_to_a_record_of_another_form_is_refused(make: Any) -> None:
    _repair(make)
    lathe = make.record("equipment", {"name": "数控车床"}, app="repair")
    ticket = make.record("ticket", {"summary": "主轴异响", "equipment": lathe["id"]}, app="repair")
    r = make.client.post(make.url("ticket", "repair"), json={"data": {"summary": "x", "equipment": ticket["id"]}},
                         headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["code"] == "unknown_reference"


def test_list_of_relations_loads_titles_for_the_whole_page(make: Any) -> None:
    _repair(make)
    ids = [make.record("equipment", {"name": f"设备{i}"}, app="repair")["id"] for i in range(3)]
    for i in ids:
        make.record("ticket", {"summary": f"故障{i}", "equipment": i}, app="repair")
    items = make.client.get(make.url("ticket", "repair"), headers=make.admin).json()["items"]
    assert sorted(i["data"]["equipment"]["title"] for i in items) == ["设备0", "设备1", "设备2"]
    found = make.client.get(make.url("ticket", "repair"), params={"filter[equipment]": ids[1]},
                            headers=make.admin).json()["items"]
    assert [i["data"]["summary"] for i in found] == [f"故障{ids[1]}"]
    found = make.client.get(make.url("ticket", "repair"), params={"filter[related][has]": ids[1]},
                            headers=make.admin).json()["items"]
    assert found == []


def test_user_fields_must_name_existing_users(make: Any) -> None:
    _repair(make)
    make.user("wang.li", admin=False)
    ok = make.record("equipment", {"name": "车床", "keeper": "wang.li"}, app="repair")
    assert ok["data"]["keeper"] == "wang.li"
    r = make.client.post(make.url("equipment", "repair"), json={"data": {"name": "钻床", "keeper": "nobody"}},
                         headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "keeper"


def test_a_user_made_in_a_transaction_that_rolled_back_stays_unknown(make: Any, db: Database) -> None:
    # Usernames once found are remembered (users are never deleted), but only when the transaction
    # that found them commits: it may be the one that created them.
    _repair(make)
    with pytest.raises(RuntimeError), db.write() as conn:
        create_user(conn, "ghost", "Lantern-Quarry-58", datetime.now(UTC))
        made = records.create(conn, form_ref(conn, "repair", "equipment"), {"name": "车床", "keeper": "ghost"},
                              Change(Actor("admin")))
        assert made.data["keeper"] == "ghost"  # seen inside the transaction that made it
        raise RuntimeError("roll back")
    r = make.client.post(make.url("equipment", "repair"), json={"data": {"name": "钻床", "keeper": "ghost"}},
                         headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "keeper"


def test_unique_phone_rejects_the_same_number_in_another_format(make: Any) -> None:
    _repair(make)
    make.record("equipment", {"name": "车床", "phone": "13800138000"}, app="repair")
    r = make.client.post(make.url("equipment", "repair"), json={"data": {"name": "钻床", "phone": "+86 138-0013-8000"}},
                         headers=make.admin)
    assert r.status_code == 409 and r.json()["error"]["details"][0]["path"] == "phone"


def test_sub_table_rows_are_validated_with_row_paths(make: Any) -> None:
    _repair(make)
    lathe = make.record("equipment", {"name": "数控车床"}, app="repair")
    r = make.client.post(make.url("ticket", "repair"), json={"data": {
        "summary": "换轴承", "equipment": lathe["id"], "parts": [{"part": "轴承", "qty": 2, "unit_price": "35.5"},
                                                             {"qty": 0}]}}, headers=make.admin)
    assert r.status_code == 422
    assert [d["path"] for d in r.json()["error"]["details"]] == ["parts[1].part", "parts[1].qty"]
    ok = make.record("ticket", {"summary": "换轴承", "equipment": lathe["id"],
                                "parts": [{"part": "轴承", "qty": "2", "unit_price": "35.5"}]}, app="repair")
    assert ok["data"]["parts"] == [{"part": "轴承", "qty": 2, "unit_price": "35.50"}]


def test_attachments_must_be_uploaded_files_of_an_accepted_type(make: Any) -> None:
    _repair(make)
    lathe = make.record("equipment", {"name": "数控车床"}, app="repair")
    photo = make.client.post("/api/v1/files", files={"file": ("照片.png", b"\x89PNG...", "image/png")},
                             headers=make.admin).json()
    ok = make.record("ticket", {"summary": "漏油", "equipment": lathe["id"], "photos": [photo]}, app="repair")
    assert ok["data"]["photos"] == [photo]
    forged = {**photo, "id": "0" * 32}
    r = make.client.post(make.url("ticket", "repair"), json={"data": {"summary": "x", "equipment": lathe["id"],
                                                                      "photos": [forged]}}, headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["code"] == "unknown_reference"
    pdf = make.client.post("/api/v1/files", files={"file": ("报告.pdf", b"%PDF", "application/pdf")},
                           headers=make.admin).json()
    r = make.client.post(make.url("ticket", "repair"), json={"data": {"summary": "x", "equipment": lathe["id"],
                                                                      "photos": [pdf]}}, headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "photos"


def test_datetime_without_offset_is_beijing_time_stored_as_utc(make: Any) -> None:
    _repair(make)
    lathe = make.record("equipment", {"name": "数控车床"}, app="repair")
    ticket = make.record("ticket", {"summary": "x", "equipment": lathe["id"], "reported_at": "2026-11-24 08:30",
                                    "due": "2026年12月1日"}, app="repair")
    assert ticket["data"]["reported_at"] == "2026-11-24T00:30:00Z"
    assert ticket["data"]["due"] == "2026-12-01"
    found = make.client.get(make.url("ticket", "repair"), params={"filter[reported_at][gte]": "2026-11-24 08:00"},
                            headers=make.admin).json()["items"]
    assert [i["id"] for i in found] == [ticket["id"]]


def test_multi_select_users_and_relations_filter_with_has(make: Any) -> None:
    _repair(make)
    make.user("li.na", admin=False)
    lathe = make.record("equipment", {"name": "数控车床"}, app="repair")
    t = make.record("ticket", {"summary": "x", "equipment": lathe["id"], "watchers": "li.na, admin",
                               "related": [lathe["id"]]}, app="repair")
    assert t["data"]["watchers"] == ["li.na", "admin"]
    for params in ({"filter[watchers][has]": "li.na"}, {"filter[related][has]": str(lathe["id"])}):
        found = make.client.get(make.url("ticket", "repair"), params=params, headers=make.admin).json()["items"]
        assert [i["id"] for i in found] == [t["id"]], params
    none = make.client.get(make.url("ticket", "repair"), params={"filter[watchers][has]": "zhang"},
                           headers=make.admin).json()["items"]
    assert none == []


def test_a_department_field_takes_only_existing_departments(make: Any) -> None:
    definition = shop()
    definition["forms"][0]["fields"].append({"key": "team", "type": "department", "label": "所属部门"})
    make.app_def(definition)
    r = make.client.post(make.url(), json={"data": {"name": "甲", "team": "nowhere"}}, headers=make.admin)
    assert r.status_code == 422
    detail = r.json()["error"]["details"][0]
    assert (detail["path"], detail["code"]) == ("team", "unknown_reference")
    assert make.client.post("/api/v1/departments", json={"key": "east", "name": "华东"},
                            headers=make.admin).status_code == 201
    assert make.record("customer", {"name": "乙", "team": "east"})["data"]["team"] == "east"
