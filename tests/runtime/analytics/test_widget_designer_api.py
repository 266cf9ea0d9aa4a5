"""The chart builder's API: widget types with their slots from the registry, the fields a chart can use
(related forms' through relations), a widget saved into the draft's dashboards (a new one too), clear
4xx for bad saves, and every CRM template widget read and saved back unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.reports.widgets import widget_types
from engine.reports.widgets.base import Slots, WidgetType
from tests.factories import Maker, shop

TEMPLATE = Path(__file__).resolve().parents[3] / "apps" / "crm_template.json"
BY_REGION = {
    "type": "bar",
    "form": "product",
    "name": "各地区产品数",
    "dimensions": [{"field": "maker.region"}],
    "measures": [{"agg": "count"}],
}


@pytest.fixture
def sold(make: Maker) -> Maker:
    definition = shop(
        reports=[
            {
                "key": "board",
                "name": "看板",
                "widgets": [{"key": "count", "type": "kpi", "form": "customer", "measures": [{"agg": "count"}]}],
            }
        ]
    )
    definition["forms"][1]["fields"].append({"key": "maker", "type": "relation", "label": "客户", "target": "customer"})
    make.app_def(definition)
    return make


def test_widget_types_come_from_the_registry_with_their_slots(client: TestClient, sold: Maker) -> None:
    class Gauge(WidgetType):
        type = "gauge_test"
        label = "仪表盘测试"
        slots = Slots(dimensions=(0, 0), measures=(1, 2))

    widget_types.register("gauge_test", Gauge())
    try:
        r = client.get("/api/v1/apps/shop/widget-types", headers=sold.admin)
    finally:
        widget_types.unregister("gauge_test")
    assert r.status_code == 200, r.text
    kinds = {t["type"]: t for t in r.json()["items"]}
    assert kinds["bar"]["label"] == "柱状图" and kinds["bar"]["dimensions"] == [1, 2]
    assert "stack" in kinds["bar"]["settings"] and kinds["kpi"]["settings"] == ["target", "period"]
    assert kinds["gauge_test"] == {
        "type": "gauge_test",
        "label": "仪表盘测试",
        "label_en": None,
        "dimensions": [0, 0],
        "measures": [1, 2],
        "first_dimension": None,
        "axes": 0,
        "settings": ["target", "period"],
    }


def test_fields_include_the_related_forms_through_relations(client: TestClient, sold: Maker) -> None:
    r = client.get("/api/v1/apps/shop/forms/product/report-fields", headers=sold.admin)
    assert r.status_code == 200, r.text
    fields = {f["key"]: f for f in r.json()["items"]}
    assert fields["maker.region"]["label"] == "客户.地区" and fields["maker.region"]["group"] == "客户"
    assert fields["maker.region"]["dimension"] and fields["maker.region"]["options"][0]["value"] == "华东"
    assert fields["maker.since"]["buckets"] and fields["created_at"]["buckets"]
    assert fields["maker.amount"]["aggs"][0] == "sum" and "sum" not in fields["title"]["aggs"]
    assert "maker.maker" not in fields  # one step only
    assert client.get("/api/v1/apps/shop/forms/nope/report-fields", headers=sold.admin).status_code == 404


def test_a_widget_saved_into_a_new_dashboard_is_in_the_draft_until_published(client: TestClient, sold: Maker) -> None:
    url = "/api/v1/apps/shop/draft/reports/products/widgets/by_region"
    r = client.put(url, json=BY_REGION, headers=sold.admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "report_name"
    r = client.put(url, params={"report_name": "产品看板"}, json=BY_REGION, headers=sold.admin)
    assert r.status_code == 200, r.text
    assert r.json() == {"key": "by_region", **BY_REGION}
    assert client.get("/api/v1/apps/shop/reports/products", headers=sold.admin).status_code == 404
    listed = client.get("/api/v1/apps/shop/draft/reports", headers=sold.admin).json()["items"]
    assert [(d["key"], d["name"], [w["key"] for w in d["widgets"]]) for d in listed] == [
        ("board", "看板", ["count"]),
        ("products", "产品看板", ["by_region"]),
    ]
    assert client.post("/api/v1/apps/shop/publish", headers=sold.admin).status_code == 200
    r = client.get("/api/v1/apps/shop/reports/products", headers=sold.admin)
    assert r.status_code == 200 and r.json()["widgets"][0]["name"] == "各地区产品数"


def test_saving_a_widget_of_the_same_key_replaces_it_in_place(client: TestClient, sold: Maker) -> None:
    url = "/api/v1/apps/shop/draft/reports/board/widgets/"
    assert client.put(url + "regions", json=BY_REGION, headers=sold.admin).status_code == 200
    changed = {"type": "kpi", "form": "customer", "measures": [{"agg": "sum", "field": "amount"}]}
    assert client.put(url + "count", json=changed, headers=sold.admin).status_code == 200
    listed = client.get("/api/v1/apps/shop/draft/reports", headers=sold.admin).json()["items"]
    assert [w["key"] for w in listed[0]["widgets"]] == ["count", "regions"]
    assert client.get(url + "count", headers=sold.admin).json()["measures"] == [{"agg": "sum", "field": "amount"}]


@pytest.mark.parametrize(
    ("body", "status", "where"),
    [
        ({**BY_REGION, "dimensions": [{"field": "maker.nope"}]}, 422, "reports[0].widgets[1].dimensions[0].field"),
        ({**BY_REGION, "type": "nope"}, 422, "reports[0].widgets[1].type"),
        ({**BY_REGION, "key": "other"}, 400, "key"),
        ({**BY_REGION, "colour": "red"}, 422, None),
    ],
)
def test_a_bad_widget_is_refused_naming_where_and_nothing_is_saved(
    client: TestClient, sold: Maker, body: dict[str, Any], status: int, where: str | None
) -> None:
    r = client.put("/api/v1/apps/shop/draft/reports/board/widgets/regions", json=body, headers=sold.admin)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    if status == 422 and where:
        assert where in [d["path"] for d in error["details"]]
    if status == 400:
        assert error["field"] == where
    listed = client.get("/api/v1/apps/shop/draft/reports", headers=sold.admin).json()["items"]
    assert [w["key"] for w in listed[0]["widgets"]] == ["count"]


def test_the_builder_needs_a_manager(client: TestClient, sold: Maker) -> None:
    clerk = sold.user("clerk", admin=False)
    assert client.get("/api/v1/apps/shop/widget-types", headers=clerk).status_code in (403, 404)
    r = client.put("/api/v1/apps/shop/draft/reports/board/widgets/x", json=BY_REGION, headers=clerk)
    assert r.status_code in (403, 404)


def test_every_crm_widget_opens_and_saves_back_unchanged(client: TestClient, make: Maker) -> None:
    make.app_def(json.loads(TEMPLATE.read_text("utf-8")))
    before = client.get("/api/v1/apps/crm/draft", headers=make.admin).json()
    for report in before["reports"]:
        for widget in report["widgets"]:
            url = f"/api/v1/apps/crm/draft/reports/{report['key']}/widgets/{widget['key']}"
            opened = client.get(url, headers=make.admin)
            assert opened.status_code == 200, opened.text
            fields = client.get(f"/api/v1/apps/crm/forms/{widget['form']}/report-fields", headers=make.admin)
            offered = {f["key"] for f in fields.json()["items"]}
            assert {d["field"] for d in opened.json().get("dimensions", [])} <= offered
            saved = client.put(url, json=opened.json(), headers=make.admin)
            assert saved.status_code == 200, saved.text
            assert saved.json() == widget
    assert client.get("/api/v1/apps/crm/draft", headers=make.admin).json() == before
