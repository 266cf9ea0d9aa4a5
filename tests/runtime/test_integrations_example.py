"""docs/integrations.md's worked example "An ERP names the customer by its code, and Tangram's own orders go to
the ERP", run as written, over HTTP on SQLite and PostgreSQL, the ERP a local fake on 127.0.0.1: a signed
delivery whose order names its customer by the ERP's code finds (or makes) the customer; an order made in
Tangram is sent to the ERP by a flow that waits for the answer, writes the ERP's order number back and quotes
it in a notice; the ERP refusing the order (400) is not sent again, and the order stays 未同步."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from tests.factories import Maker
from tests.fakes import http_fake
from tests.flows import FlowWorld

SALES = {
    "format": "tangram/app@1", "key": "sales", "name": "销售", "version": "1.0.0",
    "forms": [
        {"key": "customer", "name": "客户", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "客户名称", "required": True},
            {"key": "erp_code", "type": "text", "label": "ERP 客户编码", "unique": True}]},
        {"key": "order", "name": "订单", "title_field": "title", "fields": [
            {"key": "title", "type": "text", "label": "摘要", "required": True},
            {"key": "customer", "type": "relation", "label": "客户", "target": "customer", "required": True},
            {"key": "amount", "type": "money", "label": "金额"},
            {"key": "erp_no", "type": "text", "label": "ERP 单号"},
            {"key": "erp_status", "type": "select", "label": "同步状态", "options": ["未同步", "已同步"],
             "default": "未同步"}]}],
    "hooks": [
        {"key": "erp_orders", "name": "ERP 销售订单", "form": "order", "auth": "hmac", "mode": "upsert",
         "upsert_key": ["erp_no"],
         "mapping": {"erp_no": "payload.order.no", "title": "payload.order.title",
                     "customer": "payload.order.customer_code", "amount": "payload.order.total",
                     "erp_status": '"已同步"'},
         "lookups": {"customer": {"by": "erp_code", "create": {"name": "payload.order.customer_name"}}}}],
    "flows": [
        {"key": "send_to_erp", "name": "推送到 ERP", "form": "order",
         "trigger": {"on": "create", "when": "ISBLANK(erp_no)"}, "steps": [
             {"type": "action", "action": "http_request", "key": "erp", "method": "POST",
              "url": "{{$secret.erp_server}}/api/sales-orders",
              "auth": {"type": "bearer", "secret": "erp_token"},
              "body": {"customerCode": "{{customer.erp_code}}", "title": "{{title}}", "amount": "{{amount}}"},
              "success": {"path": "response.body.code", "equals": 0}},
             {"type": "action", "action": "update_record",
              "set": {"erp_no": "http.erp.body.data.orderNo", "erp_status": '"已同步"'}},
             {"type": "notify", "to": {"submitter": True}, "title": "订单已进 ERP",
              "message": "{title}：ERP 单号 {http.erp.body.data.orderNo}"}]}],
}




pytestmark = pytest.mark.usefixtures("with_key")  # an encryption key (tests/conftest.py)


def secrets(w: FlowWorld, url: str) -> None:
    for name, value in {"erp_server": url, "erp_token": "tok-erp-0001"}.items():
        r = w.client.put(f"/api/v1/settings/connector-secrets/{name}", json={"value": value}, headers=w.h("admin"))
        assert r.status_code == 200, r.text


def deliver(w: FlowWorld, secret: str, payload: Any, delivery: str) -> Any:
    body = json.dumps(payload, ensure_ascii=False).encode()
    sig = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return w.client.post("/api/v1/hooks/sales/erp_orders", content=body, headers={
        "Content-Type": "application/json", "X-Tangram-Signature": f"sha256={sig}", "X-Tangram-Delivery": delivery})


def orders(w: FlowWorld) -> list[dict[str, Any]]:
    return [i["data"] for i in w.client.get("/api/v1/apps/sales/forms/order/records?sort=id",
                                           headers=w.h("admin")).json()["items"]]


def test_the_erp_pushes_orders_naming_customers_by_code_and_tangrams_orders_get_the_erps_number(make: Maker) -> None:
    with http_fake(reply={"code": 0, "data": {"orderNo": "SO-2026-0042"}}) as erp:
        w = FlowWorld(make, SALES)
        secrets(w, erp.url)
        known = w.record({"name": "苏州恒瑞精密机械有限公司", "erp_code": "K-10086"}, form="customer")
        secret = w.client.post("/api/v1/apps/sales/hooks/erp_orders/secret", headers=w.h("admin")).json()["secret"]

        pushed = {"order": {"no": "SO-2026-0007", "title": "主轴 2 台", "customer_code": "K-10086", "total": 12800}}
        r = deliver(w, secret, pushed, "erp-so-0007")
        assert r.status_code == 201, r.text
        new = {"order": {"no": "SO-2026-0008", "title": "刀塔 1 台", "customer_code": "K-20001",
                         "customer_name": "宁波海天塑机集团", "total": 5600}}
        assert deliver(w, secret, new, "erp-so-0008").status_code == 201
        first, second = orders(w)
        assert first["customer"]["id"] == known["id"] and second["customer"]["title"] == "宁波海天塑机集团"
        w.run_jobs()
        assert erp.received == []  # pushed orders carry their ERP number: not sent back

        mine = w.record({"title": "卡盘 3 套", "customer": known["id"], "amount": 4500}, form="order")
        assert w.get_record(mine["id"], form="order")["data"]["erp_status"] == "未同步"  # waiting for the ERP
        w.run_jobs()
        [sent] = erp.received
        assert sent.headers["authorization"] == "Bearer tok-erp-0001"
        assert sent.json == {"customerCode": "K-10086", "title": "卡盘 3 套", "amount": 4500}
        data = w.get_record(mine["id"], form="order")["data"]
        assert (data["erp_no"], data["erp_status"]) == ("SO-2026-0042", "已同步")
        assert [m["body"] for m in w.messages("admin") if m["title"] == "订单已进 ERP"] == ["卡盘 3 套：ERP 单号 SO-2026-0042"]

        unknown = deliver(w, secret, {"order": {"no": "SO-2026-0009", "title": "x", "customer_code": ""}}, "erp-so-0009")
        assert unknown.status_code == 422  # no customer named: the relation is required


def test_an_order_the_erp_refuses_with_400_is_not_sent_again(make: Maker) -> None:
    with http_fake([400], reply={"code": 40001, "message": "客户编码 K-10086 未审核"}) as erp:
        w = FlowWorld(make, SALES)
        secrets(w, erp.url)
        known = w.record({"name": "苏州恒瑞精密机械有限公司", "erp_code": "K-10086"}, form="customer")
        mine = w.record({"title": "卡盘 3 套", "customer": known["id"], "amount": 4500}, form="order")
        w.run_jobs()
        w.run_jobs(hours=3)
        assert len(erp.received) == 1
        [instance] = w.client.get("/api/v1/apps/sales/flows/send_to_erp/instances", headers=w.h("admin")).json()["items"]
        [job] = w.client.get(f"/api/v1/apps/sales/flows/send_to_erp/instances/{instance['id']}",
                             headers=w.h("admin")).json()["jobs"]
        assert job["status"] == "dead" and "HTTP 400" in job["last_error"] and "40001" in job["deliveries"][0]["response"]
        assert w.get_record(mine["id"], form="order")["data"]["erp_status"] == "未同步"
