"""Report widgets read fields of related forms through a single relation (产品 → 客户.地区): as dimensions
(dates bucketed, select options in option order), as measures and in filters, on the primary database
and on the mirror alike; a path that leads nowhere is a 422 naming the slot."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Maker, shop


@pytest.fixture
def sold(make: Maker) -> Maker:
    definition = shop()
    definition["forms"][0]["fields"] += [
        {"key": "parent", "type": "relation", "label": "上级", "target": "customer"},
        {"key": "industry", "type": "cascade", "label": "行业",
         "options": [{"value": "制造业", "children": ["汽车零配件", "机械设备"]}, {"value": "信息技术", "children": ["软件"]}]},
        {"key": "addr", "type": "address", "label": "地址"},
    ]
    definition["forms"][1]["fields"] += [
        {"key": "maker", "type": "relation", "label": "客户", "target": "customer"},
        {"key": "makers", "type": "relation", "label": "客户们", "target": "customer", "multiple": True},
    ]
    definition["reports"] = [
        {
            "key": "r",
            "name": "看板",
            "widgets": [
                {
                    "key": "by_region",
                    "type": "bar",
                    "form": "product",
                    "dimensions": [{"field": "maker.region"}],
                    "measures": [{"agg": "count"}],
                }
            ],
        }
    ]
    make.app_def(definition)
    south = make.record(
        "customer", {"name": "丙", "region": "华南", "level": "A", "amount": "10.50", "since": "2026-02-03",
                     "industry": ["制造业", "机械设备"], "addr": {"province": "广东省", "city": "深圳市"}}
    )
    east = make.record(
        "customer", {"name": "甲", "region": "华东", "level": "B", "amount": "1.25", "since": "2026-05-30",
                     "industry": ["信息技术", "软件"], "addr": "江苏省南京市鼓楼区中山路 2 号", "parent": south["id"]}
    )
    for title, price, maker in (
        ("螺丝", "2.00", south),
        ("螺母", "3.00", south),
        ("垫片", "5.00", east),
        ("扳手", "7.00", None),
    ):
        make.record("product", {"title": title, "price": price} | ({"maker": maker["id"]} if maker else {}))
    return make


def _query(client: TestClient, make: Maker, engine: str, **widget: Any) -> Any:
    body = {"type": "bar", "form": "product", "measures": [{"agg": "count"}]} | widget
    return client.post(f"/api/v1/apps/shop/query?engine={engine}", json=body, headers=make.admin)


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_related_select_groups_in_option_order_with_its_label(client: TestClient, sold: Maker, engine: str) -> None:
    r = _query(
        client,
        sold,
        engine,
        dimensions=[{"field": "maker.region"}],
        measures=[{"agg": "sum", "field": "price"}, {"agg": "sum", "field": "maker.amount"}],
    )
    assert r.status_code == 200, r.text
    shown = r.json()["widgets"][0]
    assert [c["label"] for c in shown["columns"]] == ["客户.地区", "价格合计", "客户.成交金额合计"]
    assert shown["columns"][2]["format"] == "money"  # the unit of the related form's money field
    assert shown["rows"] == [["华东", 5, 1.25], ["华南", 5, 21], [None, 7, None]]


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_related_date_is_bucketed_and_a_related_field_filters(client: TestClient, sold: Maker, engine: str) -> None:
    r = _query(
        client,
        sold,
        engine,
        dimensions=[{"field": "maker.since", "bucket": "quarter"}],
        filter='maker.level = "A" OR maker.level = "B"',
    )
    assert r.status_code == 200, r.text
    assert r.json()["widgets"][0]["rows"] == [["2026-Q1", 2], ["2026-Q2", 1]]


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_related_cascade_groups_by_its_first_level_and_a_related_address_by_its_province(
    client: TestClient, sold: Maker, engine: str
) -> None:
    """商机 → 客户.所属行业 and 客户.所在地区 on a map: as they group on their own form, one or two hops away."""
    r = _query(client, sold, engine, dimensions=[{"field": "maker.industry"}])
    assert r.status_code == 200, r.text
    shown = r.json()["widgets"][0]
    assert shown["columns"][0]["label"] == "客户.行业" and shown["rows"] == [["信息技术", 1], ["制造业", 2], [None, 1]]
    r = _query(client, sold, engine, type="map", dimensions=[{"field": "maker.addr"}])
    assert r.status_code == 200, r.text
    shown = r.json()["widgets"][0]
    assert shown["columns"][0]["label"] == "客户.地址（省份）"
    assert shown["rows"] == [["广东省", 2], ["江苏省", 1], [None, 1]]
    r = _query(client, sold, engine, dimensions=[{"field": "maker.parent.industry"}, {"field": "maker.parent.addr"}])
    assert r.status_code == 200, r.text
    assert r.json()["widgets"][0]["rows"] == [["制造业", "广东省", 1], [None, None, 3]]


def test_drill_into_a_related_cascade_and_province_lists_their_records(client: TestClient, sold: Maker) -> None:
    for dimension, point in (("maker.industry", "制造业"), ("maker.addr", "广东省"), ("maker.parent.industry", "制造业")):
        widget = {"key": "w", "type": "bar", "form": "product", "dimensions": [{"field": dimension}],
                  "measures": [{"agg": "count"}]}
        r = client.put("/api/v1/apps/shop/draft/reports/r/widgets/w", json=widget, headers=sold.admin)
        assert r.status_code == 200, r.text
        assert client.post("/api/v1/apps/shop/publish", json={}, headers=sold.admin).status_code == 200
        r = client.get("/api/v1/apps/shop/reports/r/widgets/w/drill", params={"point": json.dumps([point])},
                       headers=sold.admin)
        assert r.status_code == 200, r.text
        titles = {i["data"]["title"] for i in r.json()["items"]}
        assert titles == ({"垫片"} if dimension == "maker.parent.industry" else {"螺母", "螺丝"}), dimension


def test_the_builder_offers_a_related_cascade_and_address_as_dimensions(client: TestClient, sold: Maker) -> None:
    r = client.get("/api/v1/apps/shop/forms/product/report-fields", headers=sold.admin)
    assert r.status_code == 200, r.text
    found = {f["key"]: f for f in r.json()["items"]}
    assert found["maker.industry"]["dimension"] and found["maker.industry"]["label"] == "客户.行业"
    assert found["maker.addr"]["dimension"] and found["maker.addr"]["aggs"] == [] and found["maker.addr"]["group"] == "客户"
    assert found["maker.parent.industry"]["dimension"] and found["maker.parent.addr"]["dimension"]


def test_drill_into_a_related_dimension_lists_its_records(client: TestClient, sold: Maker) -> None:
    r = client.get(
        "/api/v1/apps/shop/reports/r/widgets/by_region/drill", params={"point": '["华南"]'}, headers=sold.admin
    )
    assert r.status_code == 200, r.text
    assert {i["data"]["title"] for i in r.json()["items"]} == {"螺母", "螺丝"}


@pytest.mark.parametrize(
    ("widget", "path"),
    [
        ({"dimensions": [{"field": "maker.nope"}]}, "widget.dimensions[0].field"),
        ({"dimensions": [{"field": "makers.region"}]}, "widget.dimensions[0].field"),
        ({"dimensions": [{"field": "title.region"}]}, "widget.dimensions[0].field"),
        ({"dimensions": [{"field": "maker.parent"}]}, "widget.dimensions[0].field"),
        ({"dimensions": [{"field": "maker.region", "bucket": "month"}]}, "widget.dimensions[0].bucket"),
        ({"measures": [{"agg": "sum", "field": "maker.region"}]}, "widget.measures[0].field"),
        ({"measures": [{"agg": "sum", "field": "maker.nope"}]}, "widget.measures[0].field"),
    ],
)
def test_a_path_that_leads_nowhere_is_a_422_at_its_slot(
    client: TestClient, sold: Maker, widget: dict[str, Any], path: str
) -> None:
    r = _query(client, sold, "primary", **({"dimensions": [{"field": "title"}]} | widget))
    assert r.status_code == 422, r.text
    assert [d["path"] for d in r.json()["error"]["details"]] == [path]


def test_a_field_hidden_on_the_related_form_is_unknown_through_the_relation(client: TestClient, make: Maker) -> None:
    buyer = {
        "key": "buyer",
        "name": "采购",
        "permissions": {
            "product": {"read": {"scope": "all"}},
            "customer": {"read": {"scope": "all"}, "fields": {"amount": "hidden"}},
        },
    }
    definition = shop(roles=[buyer])
    definition["forms"][1]["fields"].append({"key": "maker", "type": "relation", "label": "客户", "target": "customer"})
    make.app_def(definition)
    maker = make.record("customer", {"name": "丙", "region": "华南", "amount": "10.50"})
    make.record("product", {"title": "螺丝", "maker": maker["id"]})
    who = make.user("buyer1", admin=False)
    make.client.put("/api/v1/apps/shop/roles/buyer/members", json={"users": ["buyer1"]}, headers=make.admin)
    for engine in ("primary", "mirror"):
        r = client.post(
            f"/api/v1/apps/shop/query?engine={engine}",
            headers=who,
            json={
                "type": "bar",
                "form": "product",
                "dimensions": [{"field": "maker.region"}],
                "measures": [{"agg": "count"}],
            },
        )
        assert r.status_code == 200 and r.json()["widgets"][0]["rows"] == [["华南", 1]], r.text
        for widget in (
            {"dimensions": [{"field": "maker.amount"}], "measures": [{"agg": "count"}]},
            {"dimensions": [{"field": "title"}], "measures": [{"agg": "sum", "field": "maker.amount"}]},
        ):
            r = client.post(
                f"/api/v1/apps/shop/query?engine={engine}",
                headers=who,
                json={"type": "bar", "form": "product"} | widget,
            )
            assert r.status_code in (400, 404) and "10.5" not in r.text, r.text


def test_a_hidden_cascade_or_address_on_the_related_form_is_unknown_through_the_relation(
    client: TestClient, make: Maker
) -> None:
    """The cascade and address dimensions through a relation (issue 25) obey the related form's field rights."""
    buyer = {"key": "buyer", "name": "采购", "permissions": {
        "product": {"read": {"scope": "all"}},
        "customer": {"read": {"scope": "all"}, "fields": {"industry": "hidden", "addr": "hidden"}}}}
    definition = shop(roles=[buyer])
    definition["forms"][0]["fields"] += [
        {"key": "industry", "type": "cascade", "label": "行业", "options": [{"value": "制造业", "children": ["机械设备"]}]},
        {"key": "addr", "type": "address", "label": "地址"},
    ]
    definition["forms"][1]["fields"].append({"key": "maker", "type": "relation", "label": "客户", "target": "customer"})
    make.app_def(definition)
    maker = make.record("customer", {"name": "丙", "region": "华南", "industry": ["制造业", "机械设备"],
                                     "addr": {"province": "广东省", "city": "深圳市"}})
    make.record("product", {"title": "螺丝", "maker": maker["id"]})
    who = make.user("buyer1", admin=False)
    make.client.put("/api/v1/apps/shop/roles/buyer/members", json={"users": ["buyer1"]}, headers=make.admin)
    for engine in ("primary", "mirror"):
        for kind, field in (("bar", "maker.industry"), ("map", "maker.addr")):
            body = {"type": kind, "form": "product", "dimensions": [{"field": field}], "measures": [{"agg": "count"}]}
            seen = client.post(f"/api/v1/apps/shop/query?engine={engine}", headers=make.admin, json=body)
            assert seen.status_code == 200, seen.text  # the administrator sees it: the path itself is fine
            refused = client.post(f"/api/v1/apps/shop/query?engine={engine}", headers=who, json=body)
            assert 400 <= refused.status_code < 500, refused.text
            assert "广东" not in refused.text and "制造业" not in refused.text
