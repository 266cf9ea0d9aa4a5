"""Dashboard filters on a related form's field (`maker.region`, 客户.地区): saved through the dashboard editor's
API, applied to the widgets they name on the primary database and on the mirror alike (choices and date
ranges), refused where the path leads nowhere, and refused to a reader from whom the field is hidden."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Maker, shop

DRAFT = "/api/v1/apps/shop/draft/reports"
BOARD = {
    "key": "board",
    "name": "看板",
    "filters": [{"field": "maker.region", "widgets": ["by_title"]}, {"field": "maker.since"}],
    "widgets": [
        {"key": "by_title", "type": "bar", "form": "product", "dimensions": [{"field": "title"}],
         "measures": [{"agg": "sum", "field": "price"}], "sort": "title"},
        {"key": "all", "type": "kpi", "form": "product", "measures": [{"agg": "count"}]},
    ],
}


def _definition(roles: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    definition = shop(**({"roles": roles} if roles else {}))
    definition["forms"][1]["fields"].append({"key": "maker", "type": "relation", "label": "客户", "target": "customer"})
    return definition


def _records(make: Maker) -> None:
    south = make.record("customer", {"name": "丙", "region": "华南", "since": "2026-02-03"})
    east = make.record("customer", {"name": "甲", "region": "华东", "since": "2026-05-30"})
    for title, price, maker in (("螺丝", "2.00", south), ("螺母", "3.00", south), ("垫片", "5.00", east),
                                ("扳手", "7.00", None)):
        make.record("product", {"title": title, "price": price} | ({"maker": maker["id"]} if maker else {}))


@pytest.fixture
def board(make: Maker, client: TestClient) -> Maker:
    make.app_def(_definition())
    _records(make)
    r = client.post(DRAFT, json={"key": "board", "name": "看板"}, headers=make.admin)
    assert r.status_code == 201, r.text
    r = client.put(f"{DRAFT}/board", json=BOARD, headers=make.admin)
    assert r.status_code == 200, r.text
    r = client.post("/api/v1/apps/shop/publish", json={}, headers=make.admin)
    assert r.status_code == 200, r.text
    return make


def _widgets(client: TestClient, make: Maker, **params: str) -> dict[str, Any]:
    r = client.get("/api/v1/apps/shop/reports/board", params=params, headers=make.admin)
    assert r.status_code == 200, r.text
    return {w["key"]: w for w in r.json()["widgets"]}


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_filter_on_a_related_field_applies_to_the_widgets_it_names(client: TestClient, board: Maker,
                                                                      engine: str) -> None:
    shown = _widgets(client, board, engine=engine, **{"maker.region": "华南"})
    assert shown["by_title"]["rows"] == [["螺母", 3], ["螺丝", 2]]
    assert shown["all"]["rows"][0][0] == 4  # the filter names only by_title
    shown = _widgets(client, board, engine=engine, **{"maker.region": "华南,华东"})
    assert [row[0] for row in shown["by_title"]["rows"]] == ["垫片", "螺母", "螺丝"]


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_date_range_on_a_related_field_filters_every_widget(client: TestClient, board: Maker, engine: str) -> None:
    shown = _widgets(client, board, engine=engine, **{"maker.since": "2026-05-01..2026-06-30"})
    assert shown["by_title"]["rows"] == [["垫片", 5]]
    assert shown["all"]["rows"][0][0] == 1
    shown = _widgets(client, board, engine=engine, **{"maker.since": "2026-02-03"})
    assert shown["all"]["rows"][0][0] == 2


def test_a_filter_on_a_path_that_leads_nowhere_is_a_422(client: TestClient, board: Maker) -> None:
    for field in ("maker.nope", "title.region", "nope.region"):
        r = client.put(f"{DRAFT}/board", json=BOARD | {"filters": [{"field": field}]}, headers=board.admin)
        assert r.status_code == 422, r.text
        assert "filters[0]" in r.text


def test_a_related_field_hidden_from_the_reader_cannot_filter(client: TestClient, make: Maker) -> None:
    buyer = {"key": "buyer", "name": "采购", "permissions": {
        "product": {"read": {"scope": "all"}},
        "customer": {"read": {"scope": "all"}, "fields": {"region": "hidden"}}}}
    definition = _definition([buyer])
    definition["reports"] = [BOARD]
    make.app_def(definition)
    _records(make)
    who = make.user("buyer1", admin=False)
    make.client.put("/api/v1/apps/shop/roles/buyer/members", json={"users": ["buyer1"]}, headers=make.admin)
    r = client.get("/api/v1/apps/shop/reports/board", params={"maker.since": "2026-02-03"}, headers=who)
    assert r.status_code == 200, r.text
    r = client.get("/api/v1/apps/shop/reports/board", params={"maker.region": "华南"}, headers=who)
    assert r.status_code in (400, 404) or any(w.get("error") for w in r.json()["widgets"]), r.text
    assert "螺丝" not in r.text
