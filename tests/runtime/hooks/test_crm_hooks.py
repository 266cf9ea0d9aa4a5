"""The CRM template's shipped hooks (docs/integrations.md's examples), on SQLite and PostgreSQL: an ERP pushes
customers (upserted by name) and sales orders with their lines, signed with HMAC; the website posts leads with
a bearer token. A template's hooks have no secret until a manager makes one: until then every call is refused."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from tests.factories import Maker

CRM = Path(__file__).resolve().parents[3] / "apps" / "crm_template.json"


def _secret(make: Maker, hook: str) -> str:
    r = make.client.post(f"/api/v1/apps/crm/hooks/{hook}/secret", headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()["secret"]  # type: ignore[no-any-return]


def _push(make: Maker, hook: str, secret: str, payload: Any, delivery: str) -> Any:
    body = json.dumps(payload, ensure_ascii=False).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return make.client.post(f"/api/v1/hooks/crm/{hook}", content=body, headers={
        "Content-Type": "application/json", "X-Tangram-Signature": signature, "X-Tangram-Delivery": delivery})


def _get(make: Maker, form: str, record_id: int) -> dict[str, Any]:
    r = make.client.get(f"/api/v1/apps/crm/forms/{form}/records/{record_id}", headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()["data"]  # type: ignore[no-any-return]


def test_the_crm_takes_customers_orders_and_leads_from_its_hooks(make: Maker) -> None:
    make.app_def(json.loads(CRM.read_text(encoding="utf-8")))
    customer = {"customer": {"code": "K-10086", "name": "苏州恒瑞精密机械有限公司", "short_name": "恒瑞精密",
                             "revenue": 52000000, "region": "华东", "phone": "0512-66881234"}}
    assert _push(make, "erp_customers", "whsec_guess", customer, "c-0").status_code == 401  # no secret yet
    erp = _secret(make, "erp_customers")
    made = _push(make, "erp_customers", erp, customer, "c-1")
    assert made.status_code == 201, made.text
    customer["customer"]["region"] = "华南"
    updated = _push(make, "erp_customers", erp, customer, "c-2")
    assert updated.json()["outcome"] == "updated" and updated.json()["record_id"] == made.json()["record_id"]
    data = _get(make, "customer", made.json()["record_id"])
    assert (data["region"], data["note"]) == ("华南", "ERP 客户编号：K-10086")

    orders = _secret(make, "erp_orders")
    product = make.record("product", {"sku": "CNC-SP-01", "name": "数控车床主轴"}, app="crm")
    customer_name = _get(make, "customer", made.json()["record_id"])["name"]
    order = {"order": {"customer_name": customer_name, "date": "2026-12-06", "total": 12800,
                       "lines": [{"product": "CNC-SP-01", "item": "数控车床主轴", "qty": 2, "unit_price": 6400}]}}
    r = _push(make, "erp_orders", orders, order, "so-0815")
    assert r.status_code == 201, r.text
    stored = _get(make, "order", r.json()["record_id"])
    assert stored["customer"]["id"] == made.json()["record_id"]  # the ERP named its customer, not a Tangram id
    assert [(line["product"]["id"], line["qty"]) for line in stored["lines"]] == [(product["id"], 2)]
    unknown = _push(make, "erp_orders", orders, {"order": order["order"] | {"customer_name": "不存在的公司"}}, "so-0817")
    assert unknown.status_code == 422
    assert [d["path"] for d in unknown.json()["error"]["details"]] == ["payload.order.customer_name"]
    order["order"]["lines"][0]["qty"] = "两台"
    bad = _push(make, "erp_orders", orders, order, "so-0816")
    assert bad.status_code == 422
    assert [d["path"] for d in bad.json()["error"]["details"]] == ["payload.order.lines[0].qty"]

    leads = _secret(make, "web_leads")
    lead = make.client.post("/api/v1/hooks/crm/web_leads", headers={"Authorization": f"Bearer {leads}"}, json={
        "company": "杭州云栖科技有限公司", "name": "周敏", "phone": "13900139000", "email": "zhou@example.cn",
        "message": "想了解报价"})
    assert lead.status_code == 201, lead.text
    data = _get(make, "lead", lead.json()["record_id"])
    assert (data["company"], data["source"], data["mobile"]) == ("杭州云栖科技有限公司", "官网", "13900139000")
