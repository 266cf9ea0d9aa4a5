"""A value written to a field its `visible_when` hides is dropped, not stored and not refused: on
create, update, bulk and import, through the API (engine/forms/visibility.py says why)."""

from __future__ import annotations

from typing import Any

from tests.factories import Maker, shop


def _app(make: Maker) -> None:
    definition = shop()
    definition["forms"][0]["fields"].append(
        {"key": "reason", "type": "text", "label": "流失原因", "visible_when": 'level = "C"'})
    make.app_def(definition)


def _data(make: Maker, record_id: int) -> dict[str, Any]:
    r = make.client.get(f"{make.url()}/{record_id}", headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()["data"]  # type: ignore[no-any-return]


def test_a_value_for_a_hidden_field_is_dropped_on_create(make: Maker) -> None:
    _app(make)
    r = make.client.post(make.url(), json={"data": {"name": "甲", "level": "A", "reason": "价格"}}, headers=make.admin)
    assert r.status_code == 201, r.text
    assert "reason" not in r.json()["data"]  # the answer is the record as stored
    assert "reason" not in _data(make, r.json()["id"])
    shown = make.record("customer", {"name": "乙", "level": "C", "reason": "价格"})
    assert _data(make, shown["id"])["reason"] == "价格"


def test_an_update_keeps_the_stored_value_of_a_field_it_hides(make: Maker) -> None:
    _app(make)
    made = make.record("customer", {"name": "甲", "level": "C", "reason": "价格"})
    r = make.client.patch(f"{make.url()}/{made['id']}", json={"data": {"level": "A", "reason": "服务"}},
                          headers=make.admin)
    assert r.status_code == 200, r.text
    assert _data(make, made["id"])["reason"] == "价格"  # hidden now: what was sent for it is not kept
    assert _data(make, made["id"])["level"] == "A"


def test_bulk_and_import_drop_values_of_hidden_fields(make: Maker) -> None:
    _app(make)
    items = [{"name": "甲", "level": "A", "reason": "x"}, {"name": "乙", "level": "C", "reason": "y"}]
    r = make.client.post(make.url() + "/bulk", json={"items": items}, headers=make.admin)
    assert r.status_code == 201, r.text
    assert [i["data"].get("reason") for i in r.json()["items"]] == [None, "y"]
    sheet = "客户名称,等级,流失原因\n丙,B,z\n丁,C,w\n".encode()
    r = make.client.post(make.url() + "/import", files={"file": ("客户.csv", sheet, "text/csv")}, headers=make.admin)
    assert r.status_code == 201, r.text
    listed = make.client.get(make.url(), params={"sort": "name"}, headers=make.admin).json()["items"]
    assert {i["data"]["name"]: i["data"].get("reason") for i in listed} == {"甲": None, "乙": "y", "丙": None,
                                                                           "丁": "w"}
