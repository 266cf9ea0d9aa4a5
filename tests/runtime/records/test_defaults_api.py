"""Defaults on create (literal `default`, `default_formula`) through every writer — one create, bulk,
import, a flow's create_record — and the web form starting with them; a write answers with the
record as committed, flows' changes in the same write included."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.factories import Maker

NOW = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 2026-12-01 01:00 in Shanghai: TODAY() is 1 December

VISITS = {
    "format": "tangram/app@1", "key": "visits", "name": "拜访", "version": "1.0.0",
    "forms": [
        {"key": "visit", "name": "拜访记录", "title_field": "subject", "fields": [
            {"key": "subject", "type": "text", "label": "主题", "required": True},
            {"key": "on", "type": "date", "label": "拜访日期", "required": True, "default_formula": "TODAY()"},
            {"key": "by", "type": "user", "label": "拜访人", "default_formula": "CURRENT_USER()"},
            {"key": "kind", "type": "select", "label": "方式", "options": ["上门", "电话"], "default": "上门"},
            {"key": "note", "type": "text", "label": "备注"},
            {"key": "at", "type": "datetime", "label": "登记时间", "default_formula": "NOW()"},
        ]},
        {"key": "plan", "name": "拜访计划", "title_field": "title", "fields": [
            {"key": "title", "type": "text", "label": "标题", "required": True},
        ]},
    ],
    "flows": [
        {"key": "plan_visit", "name": "计划生成拜访", "form": "plan", "trigger": {"on": "create"}, "steps": [
            {"type": "action", "action": "create_record", "form": "visit", "values": {"subject": "title"}}]},
        {"key": "mark", "name": "标记", "form": "visit", "trigger": {"on": "create"}, "steps": [
            {"type": "action", "action": "update_record", "set": {"note": '"已登记：" & subject'}}]},
        {"key": "remark", "name": "改后标记", "form": "visit", "trigger": {"on": "update", "fields": ["subject"]},
         "steps": [{"type": "action", "action": "update_record", "set": {"note": '"已修改：" & subject'}}]},
    ],
}
EXPECTED = {"on": "2026-12-01", "by": "admin", "kind": "上门"}


def _visits(make: Maker) -> None:
    make.app_def(VISITS)
    make.app.state.clock = lambda: NOW


def _defaults(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data.get(k) for k in EXPECTED}


def test_a_create_without_a_required_date_defaulting_to_today_is_saved_with_today(make: Maker) -> None:
    _visits(make)
    r = make.client.post(make.url("visit", "visits"), json={"data": {"subject": "回访"}}, headers=make.admin)
    assert r.status_code == 201, r.text
    assert _defaults(r.json()["data"]) == EXPECTED


def test_a_required_date_sent_blank_is_refused_naming_it(make: Maker) -> None:
    _visits(make)
    r = make.client.post(make.url("visit", "visits"), json={"data": {"subject": "回访", "on": None}},
                         headers=make.admin)
    assert r.status_code == 422
    assert [(d["path"], d["code"]) for d in r.json()["error"]["details"]] == [("on", "required")]


def test_bulk_creates_fill_defaults_per_item(make: Maker) -> None:
    _visits(make)
    r = make.client.post(f"{make.url('visit', 'visits')}/bulk", headers=make.admin,
                         json={"items": [{"subject": "一"}, {"subject": "二", "on": "2026-01-05"}]})
    assert r.status_code == 201, r.text
    assert [i["data"]["on"] for i in r.json()["items"]] == ["2026-12-01", "2026-01-05"]


def test_imported_rows_fill_defaults_for_columns_not_in_the_sheet(make: Maker) -> None:
    _visits(make)
    r = make.client.post(f"{make.url('visit', 'visits')}/import", headers=make.admin,
                         files={"file": ("拜访.csv", "主题\n导入的拜访\n".encode(), "text/csv")})
    assert r.status_code in (200, 201), r.text
    [item] = make.client.get(make.url("visit", "visits"), headers=make.admin).json()["items"]
    assert _defaults(item["data"]) == EXPECTED


def test_a_record_created_by_a_flow_gets_the_defaults(make: Maker) -> None:
    _visits(make)
    make.record("plan", {"title": "月度走访"}, app="visits")
    [item] = make.client.get(make.url("visit", "visits"), headers=make.admin).json()["items"]
    assert item["data"]["subject"] == "月度走访" and item["data"]["on"] == "2026-12-01"
    assert item["data"]["kind"] == "上门"


def test_a_create_answers_with_what_a_flow_set_in_the_same_write(make: Maker) -> None:
    _visits(make)
    created = make.record("visit", {"subject": "回访"}, app="visits")
    stored = make.client.get(f"{make.url('visit', 'visits')}/{created['id']}", headers=make.admin).json()
    assert created["data"]["note"] == "已登记：回访"
    assert created == stored


def test_a_bulk_create_answers_with_what_flows_set(make: Maker) -> None:
    _visits(make)
    r = make.client.post(f"{make.url('visit', 'visits')}/bulk", headers=make.admin,
                         json={"items": [{"subject": "一"}, {"subject": "二"}]})
    assert [i["data"]["note"] for i in r.json()["items"]] == ["已登记：一", "已登记：二"]


def test_an_update_answers_with_what_a_flow_set_in_the_same_write_and_its_version(make: Maker) -> None:
    _visits(make)
    created = make.record("visit", {"subject": "回访"}, app="visits")
    url = f"{make.url('visit', 'visits')}/{created['id']}"
    r = make.client.patch(url, json={"data": {"subject": "再访"}}, headers=make.admin)
    stored = make.client.get(url, headers=make.admin)
    assert r.json()["data"]["note"] == "已修改：再访"
    assert r.json() == stored.json() and r.headers["ETag"] == stored.headers["ETag"]


def test_the_new_record_page_starts_with_the_defaults(make: Maker) -> None:
    _visits(make)
    make.admin  # noqa: B018 — the user must exist before the browser session signs in
    r = make.client.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
    page = make.client.get("/apps/visits/forms/visit/records/new").text
    assert r.status_code == 303
    assert 'name="on" type="date" value="2026-12-01"' in page
    assert 'value="admin"' in page and '<option value="上门" selected>' in page
    assert 'name="at" type="datetime-local" value="2026-12-01T01:00"' in page  # local time, as typed


def test_the_edit_page_shows_a_datetime_in_local_time(make: Maker) -> None:
    _visits(make)
    record = make.record("visit", {"subject": "回访", "at": "2026-11-20 14:30"}, app="visits")
    assert record["data"]["at"] == "2026-11-20T06:30:00Z"
    make.client.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
    page = make.client.get(f"/apps/visits/forms/visit/records/{record['id']}/edit").text
    assert 'name="at" type="datetime-local" value="2026-11-20T14:30"' in page  # saved again unchanged
