"""An inbound hook's relation named by a field of the related record (the ERP's customer code, a name, a
number, a select's option, an encrypted tax number) rather than by its id, over HTTP on SQLite and PostgreSQL:
found → the relation set; none → 422 at the payload path with the value (or, declared, the record created);
several → 422 `ambiguous`. The lookup, the hook's upsert key and a flow's `create_record` match all find
records through the one filter compiler (runtime/records/matching.py): blind index included, values
normalised as the field takes them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from runtime.db.db import Database
from runtime.main import create_app
from runtime.settings import Settings
from tests.factories import Maker

KEY = base64.b64encode(bytes(range(32))).decode()
ERP = {
    "format": "tangram/app@1", "key": "erp", "name": "ERP 对接", "version": "1.0.0",
    "forms": [
        {"key": "customer", "name": "客户", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "客户名称", "required": True},
            {"key": "erp_code", "type": "text", "label": "ERP 编码"},
            {"key": "seq", "type": "number", "label": "ERP 序号"},
            {"key": "level", "type": "select", "label": "等级", "options": ["A", "B", "C"]},
            {"key": "tax_no", "type": "text", "label": "税号", "encrypted": True},
            {"key": "phone", "type": "phone", "label": "电话"},
        ]},
        {"key": "order", "name": "销售订单", "title_field": "no", "fields": [
            {"key": "no", "type": "text", "label": "订单号", "required": True},
            {"key": "customer", "type": "relation", "label": "客户", "target": "customer", "required": True},
            {"key": "amount", "type": "money", "label": "金额"},
            {"key": "lines", "type": "sub_table", "label": "明细", "fields": [
                {"key": "product", "type": "relation", "label": "产品", "target": "product", "required": True},
                {"key": "qty", "type": "number", "label": "数量"}]},
        ]},
        {"key": "product", "name": "产品", "title_field": "name", "fields": [
            {"key": "sku", "type": "text", "label": "物料编码", "unique": True},
            {"key": "name", "type": "text", "label": "名称"},
        ]},
    ],
    "flows": [{"key": "tag", "name": "登记客户", "form": "order", "trigger": {"on": "create"}, "steps": [
        {"type": "action", "action": "create_record", "form": "customer",
         "values": {"name": '"登记 " & no', "phone": "no", "seq": "amount"}, "match": {"phone": "no"}}]}],
}
CUSTOMERS = [
    {"name": "苏州恒瑞精密机械有限公司", "erp_code": "K-10086", "seq": 10086, "level": "A", "tax_no": "91320500MA1XYZ001"},
    {"name": "宁波海天塑机集团", "erp_code": "K-10087", "seq": 10087, "level": "B", "tax_no": "91330200144070953X"},
    {"name": "杭州老板电器", "erp_code": "K-10088", "seq": 10088, "level": "B", "tax_no": "91330100704204543K"},
]


@pytest.fixture
def app(db: Database, tmp_path: Path) -> Any:
    settings = Settings(data_dir=tmp_path, database_url="unused://", admin_password="admin-secret-1",
                        encryption_key=KEY)
    return create_app(settings, db)


def hook(by: str, create: dict[str, str] | None = None) -> dict[str, Any]:
    lookup: dict[str, Any] = {"by": by} if create is None else {"by": by, "create": create}
    return {"name": "ERP 销售订单", "form": "order", "auth": "hmac",
            "mapping": {"no": "payload.order.no", "customer": "payload.order.customer", "amount": "payload.order.total"},
            "lookups": {"customer": lookup}}


def setup(make: Maker, by: str, create: dict[str, str] | None = None) -> tuple[str, dict[str, int]]:
    make.app_def(ERP)
    ids = {c["erp_code"]: make.record("customer", c, app="erp")["id"] for c in CUSTOMERS}
    r = make.client.put("/api/v1/apps/erp/hooks/erp_orders", json=hook(by, create), headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()["secret"], ids


def post(make: Maker, secret: str, payload: Any) -> Any:
    body = json.dumps(payload, ensure_ascii=False).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return make.client.post("/api/v1/hooks/erp/erp_orders", content=body,
                            headers={"Content-Type": "application/json", "X-Tangram-Signature": signature})


def orders(make: Maker) -> list[dict[str, Any]]:
    r = make.client.get("/api/v1/apps/erp/forms/order/records", headers=make.admin)
    return [i["data"] for i in r.json()["items"]]


def customers(make: Maker) -> list[dict[str, Any]]:
    r = make.client.get("/api/v1/apps/erp/forms/customer/records?sort=id&limit=100", headers=make.admin)
    return [i["data"] for i in r.json()["items"]]


@pytest.mark.parametrize(("by", "value"), [
    ("erp_code", "K-10087"),
    ("name", "宁波海天塑机集团"),
    ("seq", 10087),
    ("seq", "10087.0"),  # a number sent as text is normalised as the field takes it
    ("tax_no", "91330200144070953X"),  # encrypted: compared through its blind index
], ids=["text-code", "text-name", "number", "number-as-text", "encrypted"])
def test_a_relation_named_by_a_field_of_the_related_record_finds_it(make: Maker, by: str, value: Any) -> None:
    secret, ids = setup(make, by)
    r = post(make, secret, {"order": {"no": "SO-1", "customer": value, "total": 1200}})
    assert r.status_code == 201, r.text
    [order] = orders(make)
    assert order["customer"] == {"id": ids["K-10087"], "title": "宁波海天塑机集团"}


@pytest.mark.parametrize(("by", "value"), [
    ("erp_code", "K-99999"), ("seq", 99999), ("tax_no", "91110000000000000X"), ("level", "C")],
    ids=["text", "number", "encrypted", "select"])
def test_a_value_that_names_no_record_is_422_at_its_payload_path_and_writes_nothing(make: Maker, by: str,
                                                                                     value: Any) -> None:
    secret, _ = setup(make, by)
    r = post(make, secret, {"order": {"no": "SO-1", "customer": value}})
    assert r.status_code == 422, r.text
    [detail] = r.json()["error"]["details"]
    assert detail["path"] == "payload.order.customer" and detail["code"] == "not_found"
    assert str(value) in detail["message"] and by in detail["message"]
    assert orders(make) == [] and len(customers(make)) == 3


def test_a_value_that_names_several_records_is_422_ambiguous(make: Maker) -> None:
    secret, _ = setup(make, "level")
    r = post(make, secret, {"order": {"no": "SO-1", "customer": "B"}})
    assert r.status_code == 422, r.text
    [detail] = r.json()["error"]["details"]
    assert (detail["path"], detail["code"]) == ("payload.order.customer", "ambiguous")
    assert orders(make) == []


def test_a_value_the_field_could_not_hold_is_422_naming_the_field(make: Maker) -> None:
    secret, _ = setup(make, "level")
    r = post(make, secret, {"order": {"no": "SO-1", "customer": "Z"}})  # not an option of 等级
    assert r.status_code == 422, r.text
    [detail] = r.json()["error"]["details"]
    assert (detail["path"], detail["code"]) == ("payload.order.customer", "lookup_invalid") and "level" in detail["message"]


def test_a_declared_create_makes_the_missing_record_once_and_then_finds_it(make: Maker) -> None:
    secret, _ = setup(make, "erp_code", {"name": "payload.order.customer_name", "level": '"C"'})
    payload = {"order": {"no": "SO-1", "customer": "K-20001", "customer_name": "上海振华重工"}}
    assert post(make, secret, payload).status_code == 201
    assert post(make, secret, {"order": {**payload["order"], "no": "SO-2"}}).status_code == 201
    made = [c for c in customers(make) if c.get("erp_code") == "K-20001"]
    assert [(c["name"], c["level"]) for c in made] == [("上海振华重工", "C")]
    assert {o["customer"]["id"] for o in orders(make)} == {len(CUSTOMERS) + 1}  # both orders name the one made


def test_a_missing_record_that_cannot_be_made_is_422_at_the_payload_path(make: Maker) -> None:
    secret, _ = setup(make, "erp_code", {"name": "payload.order.customer_name"})
    r = post(make, secret, {"order": {"no": "SO-1", "customer": "K-20001"}})  # no name: 客户名称 is required
    assert r.status_code == 422, r.text
    assert [(d["path"], d["code"]) for d in r.json()["error"]["details"]] == [("payload.order.customer_name", "required")]
    assert orders(make) == [] and len(customers(make)) == 3


def test_bad_lookups_are_refused_at_their_path(make: Maker) -> None:
    make.app_def(ERP)
    bad = hook("nope", {"missing": "payload.x", "name": "payload.("})
    bad["lookups"]["amount"] = {"by": "name"}
    r = make.client.put("/api/v1/apps/erp/hooks/erp_orders", json=bad, headers=make.admin)
    assert r.status_code == 422, r.text
    found = {(d["path"], d["code"]) for d in r.json()["error"]["details"]}
    assert {("hooks[0].lookups.customer.by", "unknown_field"), ("hooks[0].lookups.customer.create.missing", "unknown_field"),
            ("hooks[0].lookups.amount", "not_a_relation")} <= found
    assert any(p == "hooks[0].lookups.customer.create.name" for p, _ in found)


def test_a_flows_create_record_match_compares_the_value_as_the_field_takes_it(make: Maker) -> None:
    make.app_def(ERP)
    first = make.record("customer", {"name": "甲"}, app="erp")["id"]
    for n, no in enumerate(("139-2468-1357", "139 2468 1357")):  # one phone number, written two ways
        make.record("order", {"no": no, "customer": first, "amount": 5 + n}, app="erp")
    assert [c["name"] for c in customers(make) if c.get("phone")] == ["登记 139-2468-1357"]  # found, not made again


def test_each_row_of_a_sub_table_names_its_product_by_code(make: Maker) -> None:
    make.app_def(ERP)
    buyer = make.record("customer", CUSTOMERS[0], app="erp")["id"]
    skus = {sku: make.record("product", {"sku": sku, "name": name}, app="erp")["id"]
            for sku, name in (("M-1001", "主轴"), ("M-1002", "刀塔"))}
    spec = {"name": "ERP 订单", "form": "order",
            "mapping": {"no": "payload.no", "customer": "payload.customer", "lines": "payload.lines"},
            "lookups": {"customer": {"by": "erp_code"}, "lines.product": {"by": "sku"}}}
    secret = make.client.put("/api/v1/apps/erp/hooks/erp_orders", json=spec, headers=make.admin).json()["secret"]
    lines = [{"product": "M-1002", "qty": 1}, {"product": "M-1001", "qty": 2}]
    r = post(make, secret, {"no": "SO-1", "customer": "K-10086", "lines": lines})
    assert r.status_code == 201, r.text
    [order] = orders(make)
    assert order["customer"]["id"] == buyer
    assert [(row["product"]["id"], row["qty"]) for row in order["lines"]] == [(skus["M-1002"], 1), (skus["M-1001"], 2)]
    r = post(make, secret, {"no": "SO-2", "customer": "K-10086", "lines": [lines[0], {"product": "M-9999", "qty": 1}]})
    assert r.status_code == 422, r.text
    assert [(d["path"], d["code"]) for d in r.json()["error"]["details"]] == [("payload.lines[1].product", "not_found")]
    assert len(orders(make)) == 1


def test_a_sub_table_lookup_is_of_a_relation_column_and_makes_nothing(make: Maker) -> None:
    make.app_def(ERP)
    spec = {"name": "ERP 订单", "form": "order", "mapping": {"no": "payload.no", "lines": "payload.lines"},
            "lookups": {"lines.product": {"by": "sku", "create": {}}, "lines.qty": {"by": "sku"},
                        "no.thing": {"by": "sku"}}}
    r = make.client.put("/api/v1/apps/erp/hooks/erp_orders", json=spec, headers=make.admin)
    assert r.status_code == 422, r.text
    found = {(d["path"], d["code"]) for d in r.json()["error"]["details"]}
    assert found == {("hooks[0].lookups.lines.product.create", "not_applicable"),
                     ("hooks[0].lookups.lines.qty", "not_a_relation"), ("hooks[0].lookups.no.thing", "not_a_relation")}
