"""Derived values carry the rights of what they derive from (issue 21, item 2), through the HTTP API.

A small purchasing app: 供应商 (vendor) → 订单 (order) → 发货 (shipment). The buyer may not see a
vendor's `rating` nor a shipment's `weight`; everything computed from them — a formula, a lookup of the
formula, a rollup of the lookup, a rollup of the weight, a lookup of the lookup — is hidden from the
buyer exactly like a hidden field, while the analyst (who sees everything) gets them all. A relation
may name only a record its writer may read: any other is refused exactly like a missing one.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.cli import CRM_TEMPLATE
from tests.errors import shown
from tests.factories import Maker

APP: dict[str, Any] = {
    "format": "tangram/app@1", "key": "buy", "name": "采购", "version": "1.0.0",
    "forms": [
        {"key": "vendor", "name": "供应商", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "名称", "required": True},
            {"key": "region", "type": "select", "label": "区域", "options": ["华东", "华北"]},
            {"key": "city", "type": "text", "label": "城市"},
            {"key": "rating", "type": "number", "label": "评分"},
            {"key": "rating_x2", "type": "formula", "label": "双倍评分", "formula": "rating * 2"},
            {"key": "tier", "type": "formula", "label": "档次", "result": "text",
             "formula": 'IF(rating_x2 >= 10, "金牌", "银牌")'},
            {"key": "orders_x2", "type": "rollup", "label": "订单评分合计",
             "source": {"form": "order", "field": "vendor"}, "agg": "sum", "of": "vendor_x2"},
            {"key": "order_count", "type": "rollup", "label": "订单数",
             "source": {"form": "order", "field": "vendor"}, "agg": "count"},
        ]},
        {"key": "order", "name": "订单", "title_field": "title", "fields": [
            {"key": "title", "type": "text", "label": "标题", "required": True},
            {"key": "vendor", "type": "relation", "label": "供应商", "target": "vendor"},
            {"key": "vendor_city", "type": "lookup", "label": "供应商城市", "relation": "vendor", "field": "city"},
            {"key": "vendor_tier", "type": "lookup", "label": "供应商档次", "relation": "vendor", "field": "tier"},
            {"key": "vendor_x2", "type": "lookup", "label": "供应商双倍评分", "relation": "vendor",
             "field": "rating_x2", "result": "number"},
            {"key": "score", "type": "formula", "label": "评估分", "formula": "vendor.rating + 1"},
            {"key": "amount", "type": "number", "label": "金额"},
            {"key": "shipped", "type": "rollup", "label": "已发重量",
             "source": {"form": "shipment", "field": "order"}, "agg": "sum", "of": "weight"},
            {"key": "shipments", "type": "rollup", "label": "发货次数",
             "source": {"form": "shipment", "field": "order"}, "agg": "count"},
        ]},
        {"key": "shipment", "name": "发货", "title_field": "label", "search_fields": ["code"], "fields": [
            {"key": "code", "type": "text", "label": "单号", "required": True},
            {"key": "label", "type": "formula", "label": "摘要", "result": "text",
             "formula": 'code & " " & order_tier'},
            {"key": "order", "type": "relation", "label": "订单", "target": "order"},
            {"key": "weight", "type": "number", "label": "重量"},
            {"key": "order_tier", "type": "lookup", "label": "订单供应商档次", "relation": "order",
             "field": "vendor_tier"},
            {"key": "order_amount", "type": "lookup", "label": "订单金额", "relation": "order", "field": "amount",
             "result": "number"},
        ]},
    ],
    "reports": [{"key": "board", "name": "看板", "widgets": [
        {"key": "by_tier", "type": "bar", "form": "order", "dimensions": [{"field": "vendor_tier"}],
         "measures": [{"agg": "count"}]},
        {"key": "by_vendor", "type": "bar", "form": "order", "dimensions": [{"field": "vendor"}],
         "measures": [{"agg": "count"}]},
        {"key": "by_city", "type": "bar", "form": "order", "dimensions": [{"field": "vendor_city"}],
         "measures": [{"agg": "count"}]},
    ]}],
    "roles": [
        {"key": "buyer", "name": "采购员", "permissions": {
            "vendor": {"create": True, "read": {"scope": "all", "when": 'region = "华东"'},
                       "fields": {"rating": "hidden"}},
            "order": {"create": True, "read": "own", "update": "own", "export": True, "import": True},
            "shipment": {"create": True, "read": "own", "update": "own", "fields": {"weight": "hidden"}}}},
        {"key": "analyst", "name": "分析员", "permissions": {"*": {"create": True, "read": "all", "update": "all",
                                                                 "export": True, "import": True}}},
    ],
}

VENDOR_HIDDEN = {"rating", "rating_x2", "tier", "orders_x2"}
ORDER_HIDDEN = {"vendor_tier", "vendor_x2", "score", "shipped"}
SHIPMENT_HIDDEN = {"weight", "order_tier", "label"}


def url(form: str) -> str:
    return f"/api/v1/apps/buy/forms/{form}/records"


class Buy:
    """The app, its people and a few records: vendors in and out of the buyer's scope, an order each."""

    def __init__(self, make: Maker) -> None:
        make.app_def(copy.deepcopy(APP))
        self.make, self.c = make, make.client
        self.buyer = make.user("buyer", admin=False)
        self.analyst = make.user("analyst", admin=False)
        for role, who in (("buyer", "buyer"), ("analyst", "analyst")):
            r = self.c.put(f"/api/v1/apps/buy/roles/{role}/members", json={"users": [who]}, headers=make.admin)
            assert r.status_code == 200, r.text
        self.east = self.create("vendor", {"name": "东方五金", "region": "华东", "city": "上海", "rating": 7},
                                make.admin)
        self.north = self.create("vendor", {"name": "北方钢铁", "region": "华北", "city": "天津", "rating": 3},
                                 make.admin)
        self.order = self.create("order", {"title": "螺丝一批", "vendor": self.east, "amount": 100}, self.buyer)
        self.shipment = self.create("shipment", {"code": "S-1", "order": self.order, "weight": 12}, self.analyst)
        # the shipment is the analyst's: the buyer reads their own only; give them one of their own
        self.mine = self.create("shipment", {"code": "S-2", "order": self.order}, self.buyer)
        r = self.c.patch(f"{url('shipment')}/{self.mine}", json={"data": {"weight": 5}}, headers=make.admin)
        assert r.status_code == 200, r.text

    def create(self, form: str, data: dict[str, Any], who: dict[str, str]) -> int:
        r = self.c.post(url(form), json={"data": data}, headers=who)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def get(self, form: str, record_id: int, who: dict[str, str]) -> dict[str, Any]:
        r = self.c.get(f"{url(form)}/{record_id}", headers=who)
        assert r.status_code == 200, r.text
        return r.json()["data"]  # type: ignore[no-any-return]


@pytest.fixture
def buy(make: Maker) -> Buy:
    return Buy(make)


def test_values_derived_from_a_hidden_field_are_absent_from_records_lists_and_previews(buy: Buy) -> None:
    c, buyer = buy.c, buy.buyer
    # the analyst sees every derived value: the rules hide only what derives from what one cannot see
    full = buy.get("order", buy.order, buy.analyst)
    assert full["vendor_tier"] == "金牌" and full["vendor_x2"] == "14" and full["score"] == "8"
    assert full["shipped"] == "17" and full["shipments"] == "2"
    assert buy.get("vendor", buy.east, buy.analyst)["orders_x2"] == "14"

    vendor = buy.get("vendor", buy.east, buyer)
    assert not VENDOR_HIDDEN & set(vendor) and vendor["order_count"] == "1" and vendor["city"] == "上海"
    order = buy.get("order", buy.order, buyer)
    assert not ORDER_HIDDEN & set(order)
    assert order["vendor_city"] == "上海" and order["shipments"] == "2" and order["amount"] == 100
    shipment = buy.get("shipment", buy.mine, buyer)
    assert not SHIPMENT_HIDDEN & set(shipment) and shipment["order_amount"] == 100

    listed = c.get(url("order"), headers=buyer).json()["items"]
    assert [i["id"] for i in listed] == [buy.order] and not ORDER_HIDDEN & set(listed[0]["data"])

    made = c.post(url("order"), json={"data": {"title": "螺母一批", "vendor": buy.east}}, headers=buyer)
    assert made.status_code == 201 and not ORDER_HIDDEN & set(made.json()["data"])
    assert made.json()["data"]["vendor_city"] == "上海"
    bulk = c.post(f"{url('order')}/bulk", json={"items": [{"title": "垫片", "vendor": buy.east}]}, headers=buyer)
    assert bulk.status_code == 201 and not ORDER_HIDDEN & set(bulk.json()["items"][0]["data"])

    preview = c.post(f"{url('order')}/preview", json={"data": {"title": "x", "vendor": buy.east}}, headers=buyer)
    assert preview.status_code == 200 and preview.json()["data"]["vendor_city"] == "上海"
    assert not ORDER_HIDDEN & set(preview.json()["data"])
    analyst_preview = c.post(f"{url('order')}/preview", json={"data": {"title": "x", "vendor": buy.east}},
                             headers=buy.analyst)
    assert analyst_preview.json()["data"]["vendor_tier"] == "金牌"


def test_history_audit_and_exports_leave_out_derived_values_the_reader_may_not_see(buy: Buy) -> None:
    c, buyer = buy.c, buy.buyer
    assert c.patch(f"{url('order')}/{buy.order}", json={"data": {"amount": 120}}, headers=buyer).status_code == 200
    history = c.get(f"{url('order')}/{buy.order}/history", headers=buyer).json()["items"]
    text = json.dumps(history, ensure_ascii=False)
    assert all(k not in text for k in ORDER_HIDDEN) and "金牌" not in text
    analyst_history = json.dumps(c.get(f"{url('order')}/{buy.order}/history", headers=buy.analyst).json(),
                                 ensure_ascii=False)
    assert "vendor_tier" in analyst_history
    audit = c.get(f"{url('order')}/{buy.order}/audit", headers=buyer)
    assert audit.status_code == 200 and all(k not in audit.text for k in ORDER_HIDDEN)
    assert "vendor_tier" in c.get(f"{url('order')}/{buy.order}/audit", headers=buy.analyst).text

    r = c.get(f"{url('order')}/export", params={"format": "csv"}, headers=buyer)
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert "供应商城市" in rows[0] and not {"供应商档次", "供应商双倍评分", "评估分", "已发重量"} & set(rows[0])
    assert "金牌" not in r.content.decode("utf-8-sig")
    r = c.get(f"{url('order')}/export", params={"format": "csv", "fields": "title,vendor_tier"}, headers=buyer)
    assert r.status_code == 400


def _error(r: Any) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


@pytest.mark.parametrize("params", [
    {"filter[vendor_tier][eq]": "金牌"},
    {"sort": "vendor_x2"},
    {"sort": "-shipped"},
    {"fields": "title,score"},
    {"filter": "vendor_x2 > 1"},
    {"filter": 'vendor.tier = "金牌"'},  # through the relation: the vendor's tier is hidden from the buyer
    {"filter": "vendor.rating > 1"},
], ids=["condition", "sort", "sort-desc", "fields", "expression", "through-relation", "hidden-through-relation"])
def test_derived_hidden_fields_are_unknown_in_filters_sorts_and_projections(buy: Buy, params: dict[str, str]) -> None:
    hidden = buy.c.get(url("order"), params=params, headers=buy.buyer)
    missing = buy.c.get(url("order"), params={k: v.replace("vendor_tier", "nothing").replace(
        "vendor_x2", "nothing").replace("shipped", "nothing").replace("score", "nothing").replace(
        "vendor.tier", "vendor.nothing").replace("vendor.rating", "vendor.nothing") for k, v in params.items()},
        headers=buy.buyer)
    assert _error(hidden) == _error(missing) and hidden.status_code == 400
    assert buy.c.get(url("order"), params=params, headers=buy.analyst).status_code == 200


def test_a_title_derived_from_a_hidden_field_shows_as_the_record_id(buy: Buy) -> None:
    # the shipment's title is a formula over a lookup of a lookup of the vendor's hidden rating
    assert buy.get("shipment", buy.mine, buy.analyst)["label"] == "S-2 金牌"
    listed = buy.c.get(url("shipment"), headers=buy.buyer).json()["items"]
    assert [i["id"] for i in listed] == [buy.mine] and "金牌" not in json.dumps(listed, ensure_ascii=False)
    # a derived field is never a search field (app validation), so a search cannot match one
    assert buy.c.get(url("shipment"), params={"q": "S-2"}, headers=buy.buyer).json()["items"][0]["id"] == buy.mine


@pytest.mark.parametrize("widget", [
    {"type": "bar", "form": "order", "dimensions": [{"field": "vendor_tier"}], "measures": [{"agg": "count"}]},
    {"type": "kpi", "form": "order", "measures": [{"agg": "sum", "field": "vendor_x2"}]},
    {"type": "kpi", "form": "order", "measures": [{"agg": "count"}], "filter": "shipped > 1"},
    {"type": "kpi", "form": "order", "measures": [{"agg": "count"}], "filter": 'vendor.tier = "金牌"'},
    {"type": "kpi", "form": "vendor", "measures": [{"agg": "sum", "field": "orders_x2"}]},
], ids=["dimension", "measure", "filter", "filter-through-relation", "rollup-of-lookup"])
def test_reports_refuse_derived_fields_hidden_from_the_reader(buy: Buy, widget: dict[str, Any]) -> None:
    r = buy.c.post("/api/v1/apps/buy/query", json=widget, headers=buy.buyer)
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_query", r.text
    assert buy.c.post("/api/v1/apps/buy/query", json=widget, headers=buy.analyst).status_code == 200


def test_dashboards_and_drill_refuse_a_widget_grouped_by_a_derived_hidden_field(buy: Buy) -> None:
    board = {w["key"]: w for w in buy.c.get("/api/v1/apps/buy/reports/board", headers=buy.buyer).json()["widgets"]}
    assert board["by_tier"]["error"]["code"] == "bad_query" and board["by_tier"]["rows"] == []
    assert board["by_city"]["rows"] == [["上海", 1]]
    r = buy.c.get("/api/v1/apps/buy/reports/board/widgets/by_tier/drill", params={"point": '["金牌"]'},
                  headers=buy.buyer)
    assert r.status_code == 400
    r = buy.c.get("/api/v1/apps/buy/reports/board/widgets/by_tier/drill", params={"point": '["金牌"]'},
                  headers=buy.analyst)
    assert [i["id"] for i in r.json()["items"]] == [buy.order]


def test_a_report_grouped_by_a_relation_shows_only_titles_the_reader_may_read(buy: Buy) -> None:
    # an administrator points the buyer's order at a vendor outside the buyer's scope
    r = buy.c.patch(f"{url('order')}/{buy.order}", json={"data": {"vendor": buy.north}}, headers=buy.make.admin)
    assert r.status_code == 200
    widget = {"type": "bar", "form": "order", "dimensions": [{"field": "vendor"}], "measures": [{"agg": "count"}]}
    for engine in ("primary", "mirror"):
        r = buy.c.post("/api/v1/apps/buy/query", params={"engine": engine}, json=widget, headers=buy.buyer)
        assert r.status_code == 200, r.text
        text = json.dumps(r.json()["widgets"][0]["rows"], ensure_ascii=False)
        assert "北方钢铁" not in text and f"#{buy.north}" in text
    r = buy.c.post("/api/v1/apps/buy/query", json=widget, headers=buy.analyst)
    assert "北方钢铁" in json.dumps(r.json(), ensure_ascii=False)
    # the buyer may still change the order's other fields: the relation someone else set stays as it is
    r = buy.c.patch(f"{url('order')}/{buy.order}", json={"data": {"amount": 1, "vendor": buy.north}},
                    headers=buy.buyer)
    assert r.status_code == 200, r.text
    assert buy.get("order", buy.order, buy.analyst)["vendor"]["id"] == buy.north


def _refusal(r: Any, missing: int, hidden: int) -> dict[str, Any]:
    """The error body with the record id blanked, to compare a missing id's answer with a hidden id's."""
    assert r.status_code == 422, r.text
    return json.loads(shown(r).replace(str(missing), "N").replace(str(hidden), "N"))


def test_a_relation_to_a_record_the_writer_cannot_read_is_refused_exactly_like_a_missing_one(buy: Buy) -> None:
    c, buyer, north = buy.c, buy.buyer, buy.north
    assert c.get(f"{url('vendor')}/{north}", headers=buyer).status_code == 404
    missing = north + 1000
    for send in (
        lambda v: c.post(url("order"), json={"data": {"title": "t", "vendor": v}}, headers=buyer),
        lambda v: c.post(f"{url('order')}/bulk", json={"items": [{"title": "t", "vendor": v}]}, headers=buyer),
        lambda v: c.patch(f"{url('order')}/{buy.order}", json={"data": {"vendor": v}}, headers=buyer),
        lambda v: c.post("/api/v1/apps/buy/forms/order/selection/update", json={"ids": [buy.order], "data": {"vendor": v}},
                         headers=buyer),
    ):
        assert _refusal(send(missing), missing, north) == _refusal(send(north), missing, north)
    # nothing was written: the order still names the vendor it named
    assert buy.get("order", buy.order, buyer)["vendor"]["id"] == buy.east
    assert c.get(url("order"), headers=buy.analyst).json()["items"].__len__() == 1
    # the analyst reads every vendor, and may name any of them
    r = c.post(url("order"), json={"data": {"title": "t", "vendor": north}}, headers=buy.analyst)
    assert r.status_code == 201 and r.json()["data"]["vendor_city"] == "天津"


def test_a_preview_computes_nothing_from_a_record_the_writer_cannot_read(buy: Buy) -> None:
    def preview(vendor: int) -> dict[str, Any]:
        r = buy.c.post(f"{url('order')}/preview", json={"data": {"title": "t", "vendor": vendor}}, headers=buy.buyer)
        assert r.status_code == 200, r.text
        return json.loads(r.text.replace(str(vendor), "N"))  # type: ignore[no-any-return]

    hidden, missing = preview(buy.north), preview(buy.north + 1000)
    assert hidden == missing and "天津" not in json.dumps(hidden, ensure_ascii=False)
    assert [i["code"] for i in hidden["issues"]] == ["unknown_reference"] and "vendor_city" not in hidden["data"]


def test_an_import_names_only_records_the_importer_may_read(buy: Buy) -> None:
    def upload(cell: str) -> Any:
        content = f"标题,供应商\n导入,{cell}\n".encode()
        return buy.c.post(f"{url('order')}/import", headers=buy.buyer,
                          files={"file": ("o.csv", content, "application/octet-stream")})

    by_title_hidden, by_title_missing = upload("北方钢铁"), upload("南方铜业")
    assert by_title_hidden.status_code == by_title_missing.status_code == 422
    assert by_title_hidden.json()["error"]["details"][0]["code"] == by_title_missing.json()["error"]["details"][0][
        "code"] == "unknown_reference"
    by_id = upload(str(buy.north))
    assert _refusal(by_id, buy.north + 1000, buy.north) == _refusal(upload(str(buy.north + 1000)), buy.north + 1000,
                                                                    buy.north)
    assert upload("东方五金").status_code == 201


def test_the_related_lists_of_a_record_page_show_readable_rows_and_visible_columns(buy: Buy, app: Any) -> None:
    other = buy.create("order", {"title": "分析员的订单", "vendor": buy.east}, buy.analyst)
    assert other
    with TestClient(app) as browser:
        r = browser.post("/login", data={"username": "buyer", "password": "password-123"}, follow_redirects=False)
        assert r.status_code == 303
        page = browser.get(f"/apps/buy/forms/vendor/records/{buy.east}").text
        related = page.split('class="timeline"')[0]
        assert "螺丝一批" in related and "分析员的订单" not in related
        for label in ("供应商档次", "供应商双倍评分", "评估分", "已发重量", "档次", "订单评分合计", "金牌"):
            assert label not in page, label
        # a new-record link naming a vendor the buyer may not read shows its id, not its name
        form = browser.get(f"/apps/buy/forms/order/records/new?vendor={buy.north}").text
        assert "北方钢铁" not in form


def test_a_crm_sales_rep_cannot_learn_another_reps_customer_level_through_a_contact(make: Maker) -> None:
    template = json.loads(CRM_TEMPLATE.read_text(encoding="utf-8"))
    template["flows"] = []
    make.app_def(template)
    reps = {name: make.user(name, admin=False) for name in ("zhang", "li")}
    r = make.client.put("/api/v1/apps/crm/roles/sales_rep/members", json={"users": list(reps)}, headers=make.admin)
    assert r.status_code == 200, r.text
    customers = "/api/v1/apps/crm/forms/customer/records"
    contacts = "/api/v1/apps/crm/forms/contact/records"
    theirs = make.client.post(customers, json={"data": {"name": "李的客户", "level": "A"}}, headers=reps["li"])
    mine = make.client.post(customers, json={"data": {"name": "张的客户", "level": "B"}}, headers=reps["zhang"])
    assert theirs.status_code == mine.status_code == 201
    hidden, missing = theirs.json()["id"], theirs.json()["id"] + 1000
    zhang = reps["zhang"]
    assert make.client.get(f"{customers}/{hidden}", headers=zhang).status_code == 404

    def contact(customer: int) -> Any:
        return make.client.post(contacts, json={"data": {"name": "王经理", "customer": customer}}, headers=zhang)

    assert _refusal(contact(hidden), missing, hidden) == _refusal(contact(missing), missing, hidden)
    preview = make.client.post(f"{contacts}/preview", json={"data": {"name": "王经理", "customer": hidden}},
                               headers=zhang)
    assert "customer_level" not in preview.json()["data"] and '"A"' not in preview.text
    own = contact(mine.json()["id"])
    assert own.status_code == 201 and own.json()["data"]["customer_level"] == "B"
