"""Report fields two single relations away (产品 → 客户 → 上级客户.地区, `maker.parent.region`): as dimensions
and measures on the primary database and on the mirror alike, offered by the builder's field list, and
refused when the far field is hidden from the reader."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Maker, shop


def _definition(roles: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    definition = shop(**({"roles": roles} if roles else {}))
    definition["forms"][0]["fields"].append({"key": "parent", "type": "relation", "label": "上级", "target": "customer"})
    definition["forms"][1]["fields"].append({"key": "maker", "type": "relation", "label": "客户", "target": "customer"})
    return definition


def _records(make: Maker) -> None:
    head = make.record("customer", {"name": "总部", "region": "华北", "amount": "100.25"})
    east = make.record("customer", {"name": "东部", "region": "华东", "amount": "1.00"})
    south = make.record("customer", {"name": "丙", "region": "华南", "parent": head["id"]})
    near = make.record("customer", {"name": "甲", "region": "华东", "parent": east["id"]})
    for title, price, maker in (("螺丝", "2.00", south), ("螺母", "3.00", south), ("垫片", "5.00", near),
                                ("扳手", "7.00", head)):
        make.record("product", {"title": title, "price": price, "maker": maker["id"]})


@pytest.fixture
def hops(make: Maker) -> Maker:
    make.app_def(_definition())
    _records(make)
    return make


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_field_two_relations_away_groups_and_sums(client: TestClient, hops: Maker, engine: str) -> None:
    r = client.post(f"/api/v1/apps/shop/query?engine={engine}", headers=hops.admin, json={
        "type": "table", "form": "product", "dimensions": [{"field": "maker.parent.region"}],
        "measures": [{"agg": "sum", "field": "price"}, {"agg": "max", "field": "maker.parent.amount"}]})
    assert r.status_code == 200, r.text
    shown = r.json()["widgets"][0]
    assert [c["label"] for c in shown["columns"]][0] == "客户.上级.地区"
    assert shown["columns"][2]["format"] == "money"
    # 扳手's maker (总部) has no parent: the blank group
    assert shown["rows"] == [["华东", 5, 1], ["华北", 5, 100.25], [None, 7, None]]


def test_the_builder_lists_second_hop_fields(client: TestClient, hops: Maker) -> None:
    r = client.get("/api/v1/apps/shop/forms/product/report-fields", headers=hops.admin)
    assert r.status_code == 200, r.text
    items = {i["key"]: i for i in r.json()["items"]}
    region = items["maker.parent.region"]
    assert (region["label"], region["group"], region["dimension"]) == ("客户.上级.地区", "客户.上级", True)
    assert "sum" in items["maker.parent.amount"]["aggs"]


def test_a_path_of_three_hops_or_through_a_text_is_a_422(client: TestClient, hops: Maker) -> None:
    for field in ("maker.parent.parent.region", "maker.name.region", "maker.parent.nope"):
        r = client.post("/api/v1/apps/shop/query", headers=hops.admin, json={
            "type": "table", "form": "product", "dimensions": [{"field": field}], "measures": [{"agg": "count"}]})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"][0]["path"] == "widget.dimensions[0].field", (field, r.text)


def test_a_far_field_hidden_from_the_reader_is_refused(client: TestClient, make: Maker) -> None:
    buyer = {"key": "buyer", "name": "采购", "permissions": {
        "product": {"read": {"scope": "all"}},
        "customer": {"read": {"scope": "all"}, "fields": {"amount": "hidden"}}}}
    make.app_def(_definition([buyer]))
    _records(make)
    who = make.user("buyer1", admin=False)
    make.client.put("/api/v1/apps/shop/roles/buyer/members", json={"users": ["buyer1"]}, headers=make.admin)
    for engine in ("primary", "mirror"):
        ok = client.post(f"/api/v1/apps/shop/query?engine={engine}", headers=who, json={
            "type": "table", "form": "product", "dimensions": [{"field": "maker.parent.region"}],
            "measures": [{"agg": "count"}]})
        assert ok.status_code == 200, ok.text
        r = client.post(f"/api/v1/apps/shop/query?engine={engine}", headers=who, json={
            "type": "table", "form": "product", "dimensions": [{"field": "maker.parent.region"}],
            "measures": [{"agg": "sum", "field": "maker.parent.amount"}]})
        assert r.status_code in (400, 404) and "100.25" not in r.text, r.text
