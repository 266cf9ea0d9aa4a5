"""Report widgets over a sub_table's rows (订单明细): a widget naming a sub_table column runs over its rows,
each joined to its record, on the primary database and on the mirror alike — sums by a row's column or by the
record's fields, counts of rows, filters on both, the mirror kept current through updates and deletes, drill
listing the records, a hidden sub_table refused, and the builder's field list offering the columns."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Maker, shop

ORDER = {
    "key": "order",
    "name": "订单",
    "title_field": "code",
    "fields": [
        {"key": "code", "type": "text", "label": "单号", "required": True},
        {"key": "buyer", "type": "relation", "label": "客户", "target": "customer"},
        {"key": "status", "type": "select", "label": "状态", "options": ["草稿", "已签"]},
        {"key": "lines", "type": "sub_table", "label": "明细", "fields": [
            {"key": "product", "type": "relation", "label": "产品", "target": "product"},
            {"key": "item", "type": "text", "label": "品名"},
            {"key": "qty", "type": "number", "label": "数量"},
            {"key": "amount", "type": "money", "label": "金额"},
        ]},
        {"key": "extras", "type": "sub_table", "label": "附加", "fields": [
            {"key": "note", "type": "text", "label": "说明"},
        ]},
    ],
}


@pytest.fixture
def orders(make: Maker) -> dict[str, Any]:
    definition = shop()
    definition["forms"].append(ORDER)
    make.app_def(definition)
    south = make.record("customer", {"name": "丙", "region": "华南"})
    east = make.record("customer", {"name": "甲", "region": "华东"})
    screw = make.record("product", {"title": "螺丝"})
    nut = make.record("product", {"title": "螺母"})
    made = {}
    for code, buyer, status, lines in (
        ("D1", south, "已签", [("螺丝", screw, "2", "10.10"), ("螺母", nut, "1", "5.05")]),
        ("D2", south, "草稿", [("螺丝", screw, "3", "30.00")]),
        ("D3", east, "已签", [("螺丝", screw, "1", "0.01"), ("螺丝", screw, "4", "7.00"), ("垫片", None, "1", None)]),
        ("D4", east, "已签", []),
    ):
        rows = [{"item": i, "qty": q} | ({"product": p["id"]} if p else {}) | ({"amount": a} if a else {})
                for i, p, q, a in lines]
        made[code] = make.record("order", {"code": code, "buyer": buyer["id"], "status": status, "lines": rows})
    return {"make": make, "orders": made, "screw": screw, "nut": nut}


def _query(client: TestClient, make: Maker, engine: str, **widget: Any) -> Any:
    body = {"type": "table", "form": "order", "measures": [{"agg": "count"}]} | widget
    r = client.post(f"/api/v1/apps/shop/query?engine={engine}", json=body, headers=make.admin)
    return r


def _rows(r: Any) -> list[list[Any]]:
    assert r.status_code == 200, r.text
    return r.json()["widgets"][0]["rows"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_sum_of_a_row_column_by_a_row_column_counts_rows(client: TestClient, orders: dict[str, Any],
                                                             engine: str) -> None:
    r = _query(client, orders["make"], engine, dimensions=[{"field": "lines.item"}],
               measures=[{"agg": "sum", "field": "lines.amount"}, {"agg": "count"},
                         {"agg": "count_distinct", "field": "id"}, {"agg": "sum", "field": "lines.qty"}],
               sort="lines.item")
    shown = r.json()["widgets"][0]
    assert [c["label"] for c in shown["columns"]] == ["明细.品名", "明细.金额合计", "记录数", "记录ID去重计数",
                                                      "明细.数量合计"] or shown["columns"][1]["label"] == "明细.金额合计"
    assert shown["columns"][1]["format"] == "money"
    by_item = {row[0]: row[1:] for row in _rows(r)}
    # 螺丝: rows of D1, D2 and two of D3 — 4 rows in 3 orders; 垫片 has no amount
    assert by_item == {"垫片": [None, 1, 1, 1], "螺母": [5.05, 1, 1, 1], "螺丝": [47.11, 4, 3, 10]}


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_rows_group_by_the_record_and_its_relations_and_filter_on_both(client: TestClient, orders: dict[str, Any],
                                                                         engine: str) -> None:
    make = orders["make"]
    r = _query(client, make, engine, dimensions=[{"field": "buyer.region"}, {"field": "status"}],
               measures=[{"agg": "sum", "field": "lines.amount"}, {"agg": "count"}])
    assert sorted(_rows(r), key=str) == sorted([["华东", "已签", 7.01, 3], ["华南", "已签", 15.15, 2],
                                                ["华南", "草稿", 30, 1]], key=str)
    r = _query(client, make, engine, dimensions=[{"field": "status"}],
               measures=[{"agg": "sum", "field": "lines.amount"}],
               filter='lines.qty >= 2 AND buyer.region = "华南"')
    assert _rows(r) == [["草稿", 30], ["已签", 10.1]]
    r = _query(client, make, engine, measures=[{"key": "big", "expr": "COUNTIF(lines.amount > 6) / COUNT()"}])
    assert _rows(r) == [[0.5]]  # 10.10, 30.00, 7.00 of six rows


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_related_column_of_the_rows_groups_by_its_record_title(client: TestClient, orders: dict[str, Any],
                                                                  engine: str) -> None:
    r = _query(client, orders["make"], engine, type="bar", dimensions=[{"field": "lines.product"}],
               measures=[{"agg": "sum", "field": "lines.qty"}])
    shown = r.json()["widgets"][0]
    assert sorted(_rows(r), key=str) == sorted([["螺丝", 10], ["螺母", 1], [None, 1]], key=str), shown


def test_the_mirror_follows_updates_and_deletes_of_the_rows(client: TestClient, orders: dict[str, Any]) -> None:
    make, made = orders["make"], orders["orders"]
    widget = {"dimensions": [{"field": "lines.item"}], "measures": [{"agg": "sum", "field": "lines.qty"}],
              "sort": "lines.item"}
    assert _rows(_query(client, make, "mirror", **widget)) == [["垫片", 1], ["螺母", 1], ["螺丝", 10]]
    d1 = made["D1"]
    r = client.patch(f"{make.url('order')}/{d1['id']}", headers=make.admin,
                     json={"data": {"lines": [{"item": "螺母", "qty": "6"}]}})
    assert r.status_code == 200, r.text
    r = client.delete(f"{make.url('order')}/{made['D2']['id']}", headers=make.admin)
    assert r.status_code in (200, 204), r.text
    expected = [["垫片", 1], ["螺母", 6], ["螺丝", 5]]
    assert _rows(_query(client, make, "mirror", **widget)) == expected
    assert _rows(_query(client, make, "primary", **widget)) == expected


def test_drill_into_a_row_point_lists_its_records_once(client: TestClient, orders: dict[str, Any]) -> None:
    make = orders["make"]
    definition = make.client.get("/api/v1/apps/shop", headers=make.admin).json()
    definition = definition.get("definition", definition)
    definition["reports"] = [{"key": "r", "name": "明细看板", "widgets": [
        {"key": "items", "type": "bar", "form": "order", "dimensions": [{"field": "lines.item"}],
         "measures": [{"agg": "sum", "field": "lines.amount"}]}]}]
    r = client.put("/api/v1/apps/shop", json=definition, headers=make.admin)
    assert r.status_code in (200, 201), r.text
    r = client.get("/api/v1/apps/shop/reports/r/widgets/items/drill", params={"point": '["螺丝"]'}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert sorted(i["data"]["code"] for i in r.json()["items"]) == ["D1", "D2", "D3"]


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_columns_of_two_sub_tables_are_a_422(client: TestClient, orders: dict[str, Any], engine: str) -> None:
    r = _query(client, orders["make"], engine, dimensions=[{"field": "extras.note"}],
               measures=[{"agg": "sum", "field": "lines.qty"}])
    assert r.status_code == 422, r.text
    assert "extras" in r.text and "lines" in r.text


def test_a_hidden_sub_table_is_unknown_to_its_reader(client: TestClient, make: Maker) -> None:
    clerk = {"key": "clerk", "name": "文员", "permissions": {
        "order": {"read": {"scope": "all"}, "fields": {"lines": "hidden"}},
        "customer": {"read": {"scope": "all"}}, "product": {"read": {"scope": "all"}}}}
    definition = shop(roles=[clerk])
    definition["forms"].append(ORDER)
    make.app_def(definition)
    make.record("order", {"code": "D1", "status": "已签", "lines": [{"item": "螺丝", "qty": "2", "amount": "99.50"}]})
    who = make.user("clerk1", admin=False)
    make.client.put("/api/v1/apps/shop/roles/clerk/members", json={"users": ["clerk1"]}, headers=make.admin)
    for engine in ("primary", "mirror"):
        ok = client.post(f"/api/v1/apps/shop/query?engine={engine}", headers=who,
                         json={"type": "table", "form": "order", "dimensions": [{"field": "status"}],
                               "measures": [{"agg": "count"}]})
        assert ok.status_code == 200 and ok.json()["widgets"][0]["rows"] == [["已签", 1]], ok.text
        for widget in ({"dimensions": [{"field": "lines.item"}], "measures": [{"agg": "count"}]},
                       {"dimensions": [{"field": "status"}], "measures": [{"agg": "sum", "field": "lines.amount"}]},
                       {"dimensions": [{"field": "status"}], "measures": [{"agg": "count"}],
                        "filter": "lines.amount > 1"}):
            r = client.post(f"/api/v1/apps/shop/query?engine={engine}", headers=who,
                            json={"type": "table", "form": "order"} | widget)
            assert r.status_code in (400, 404) and "99.5" not in r.text, r.text


def test_the_builder_lists_sub_table_columns_under_the_sub_tables_label(client: TestClient,
                                                                         orders: dict[str, Any]) -> None:
    make = orders["make"]
    r = client.get("/api/v1/apps/shop/forms/order/report-fields", headers=make.admin)
    assert r.status_code == 200, r.text
    items = {i["key"]: i for i in r.json()["items"]}
    amount = items["lines.amount"]
    assert (amount["label"], amount["group"], amount["kind"]) == ("明细.金额", "明细", "number")
    assert "sum" in amount["aggs"] and items["lines.item"]["dimension"] is True
    assert items["lines.product"]["dimension"] is True and items["extras.note"]["group"] == "附加"


def test_a_related_row_column_shows_titles_as_the_reader_may_see_them(client: TestClient, make: Maker) -> None:
    clerk = {"key": "clerk", "name": "文员", "permissions": {
        "order": {"read": {"scope": "all"}}, "customer": {"read": {"scope": "all"}}}}
    definition = shop(roles=[clerk])
    definition["forms"].append(ORDER)
    make.app_def(definition)
    screw = make.record("product", {"title": "螺丝"})
    make.record("order", {"code": "D1", "lines": [{"product": screw["id"], "qty": "2"}]})
    who = make.user("clerk1", admin=False)
    make.client.put("/api/v1/apps/shop/roles/clerk/members", json={"users": ["clerk1"]}, headers=make.admin)
    for engine in ("primary", "mirror"):
        r = client.post(f"/api/v1/apps/shop/query?engine={engine}", headers=who,
                        json={"type": "table", "form": "order", "dimensions": [{"field": "lines.product"}],
                              "measures": [{"agg": "sum", "field": "lines.qty"}]})
        assert r.status_code == 200, r.text
        assert "螺丝" not in r.text and r.json()["widgets"][0]["rows"] == [[f"#{screw['id']}", 2]], r.text
