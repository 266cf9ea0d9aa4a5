"""Saved list views and column layouts: per user and form, checked against the form when saved."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Maker

VIEWS = "/api/v1/apps/shop/forms/customer/views"
LAYOUT = "/api/v1/apps/shop/forms/customer/layout"


def test_saved_view_round_trips_and_is_listed_by_name(make: Maker, client: TestClient) -> None:
    make.app_def()
    spec = {"columns": ["name", "level"], "sort": "-amount", "filters": [{"field": "level", "op": "eq", "value": "A"}],
            "expression": "amount > 100", "search": "华"}
    r = client.post(VIEWS, json={"name": "A类客户", "spec": spec}, headers=make.admin)
    assert r.status_code == 201, r.text
    client.post(VIEWS, json={"name": "本月新增", "spec": {"expression": "MONTH(created_at) = MONTH(TODAY())"}},
                headers=make.admin)
    items = client.get(VIEWS, headers=make.admin).json()["items"]
    assert [v["name"] for v in items] == ["A类客户", "本月新增"]
    assert items[0]["spec"] == spec


def test_views_belong_to_their_user(make: Maker, client: TestClient) -> None:
    make.app_def()
    client.post(VIEWS, json={"name": "我的客户", "spec": {"expression": "owner = CURRENT_USER()"}}, headers=make.admin)
    other = make.user("rep", admin=False)
    assert client.get(VIEWS, headers=other).json()["items"] == []
    view_id = client.get(VIEWS, headers=make.admin).json()["items"][0]["id"]
    assert client.delete(f"{VIEWS}/{view_id}", headers=other).status_code == 404
    assert client.delete(f"{VIEWS}/{view_id}", headers=make.admin).status_code == 204
    assert client.get(VIEWS, headers=make.admin).json()["items"] == []


def test_view_with_same_name_is_a_conflict(make: Maker, client: TestClient) -> None:
    make.app_def()
    assert client.post(VIEWS, json={"name": "甲"}, headers=make.admin).status_code == 201
    r = client.post(VIEWS, json={"name": "甲"}, headers=make.admin)
    assert r.status_code == 409 and r.json()["error"]["field"] == "name"


def test_view_is_replaced_in_place(make: Maker, client: TestClient) -> None:
    make.app_def()
    view_id = client.post(VIEWS, json={"name": "甲"}, headers=make.admin).json()["id"]
    r = client.put(f"{VIEWS}/{view_id}", json={"name": "乙", "spec": {"sort": "name"}}, headers=make.admin)
    assert r.status_code == 200 and r.json()["name"] == "乙" and r.json()["spec"] == {"sort": "name"}


def test_view_the_list_cannot_run_is_refused_naming_the_part(make: Maker, client: TestClient) -> None:
    make.app_def()
    cases = [
        ({"columns": ["name", "nope"]}, "spec.columns[1]"),
        ({"sort": "nope"}, None),
        ({"filters": [{"field": "amount", "op": "gt", "value": "lots"}]}, "spec.filters[0]"),
        ({"expression": "amount >"}, "filter"),
    ]
    for spec, field in cases:
        r = client.post(VIEWS, json={"name": "x", "spec": spec}, headers=make.admin)
        assert r.status_code == 400, (spec, r.text)
        if field:
            assert r.json()["error"]["field"] == field
    assert client.get(VIEWS, headers=make.admin).json()["items"] == []


def test_layout_is_remembered_per_user_and_drops_removed_fields(make: Maker, client: TestClient) -> None:
    make.app_def()
    assert client.get(LAYOUT, headers=make.admin).json() == {"columns": None}
    r = client.put(LAYOUT, json={"columns": ["note", "name", "created_at"]}, headers=make.admin)
    assert r.status_code == 200
    assert client.get(LAYOUT, headers=make.user("rep", admin=False)).json() == {"columns": None}
    client.delete("/api/v1/apps/shop/forms/customer/fields/note", headers=make.admin)
    client.post("/api/v1/apps/shop/publish", headers=make.admin)
    assert client.get(LAYOUT, headers=make.admin).json() == {"columns": ["name", "created_at"]}


def test_layout_refuses_unknown_and_repeated_columns(make: Maker, client: TestClient) -> None:
    make.app_def()
    assert client.put(LAYOUT, json={"columns": ["nope"]}, headers=make.admin).status_code == 400
    assert client.put(LAYOUT, json={"columns": ["name", "name"]}, headers=make.admin).status_code == 400
    assert client.put(LAYOUT, json={"columns": "name"}, headers=make.admin).status_code == 422
