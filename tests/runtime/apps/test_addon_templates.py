"""进销存 and 项目管理 installed beside the CRM (into the CRM app, as add-on templates) on each database,
through the templates API, and their flows end to end over HTTP: purchase approval, receiving into
stock with running stock as rollups, the low-stock alert, a project from a won opportunity, milestone
approval."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runtime.cli import CRM_TEMPLATE
from tests.errors import shown
from tests.factories import Maker
from tests.flows import FlowWorld

ROLES = {"purchasing_manager": ["cgjl"], "gm": ["ceo"], "warehouse_keeper": ["keeper"], "purchasing": ["buyer"],
         "project_manager": ["pm"], "project_member": ["dev"]}


def install(w: FlowWorld, key: str, status: int = 201, **body: Any) -> dict[str, Any]:
    r = w.client.post(f"/api/v1/templates/{key}/install", json=body, headers=w.h("admin"))
    assert r.status_code == status, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture
def crm(make: Maker) -> FlowWorld:
    w = FlowWorld(make, json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")))
    install(w, "inventory")
    install(w, "projects")
    w.org([], {}, ROLES)
    return w


def states(w: FlowWorld) -> dict[str, str]:
    r = w.client.get("/api/v1/templates", headers=w.h("admin"))
    assert r.status_code == 200, r.text
    return {t["key"]: t["state"] for t in r.json()["items"]}


def test_templates_install_into_the_crm_once_each(make: Maker) -> None:
    w = FlowWorld(make, {"format": "tangram/app@1", "key": "other", "name": "其他"})
    assert states(w) == {"crm": "available", "inventory": "needs_app", "projects": "needs_app"}
    items = w.client.get("/api/v1/templates", headers=w.h("admin")).json()["items"]
    assert {t["key"]: (t["addon"], t["demo"], t["app"]) for t in items} == {
        "crm": (False, False, "crm"), "inventory": (True, True, "crm"), "projects": (True, True, "crm")}
    r = w.client.post("/api/v1/templates/inventory/install", json={}, headers=w.h("admin"))
    assert r.status_code == 404 and "crm" in shown(r)
    install(w, "crm")
    assert install(w, "inventory")["version"] == 2
    assert states(w) == {"crm": "installed", "inventory": "installed", "projects": "available"}
    r = w.client.post("/api/v1/templates/inventory/install", json={}, headers=w.h("admin"))
    assert r.status_code == 409 and "已安装" in shown(r)
    assert install(w, "projects")["version"] == 3
    forms = {f["key"] for f in w.client.get("/api/v1/apps/crm", headers=w.h("admin")).json()["definition"]["forms"]}
    assert {"customer", "product", "supplier", "purchase_order", "stock_move", "project", "task", "milestone"} <= forms
    r = w.client.post("/api/v1/templates/projects/install", json={}, headers=w.h("dev"))
    assert r.status_code == 403
    assert w.client.post("/api/v1/templates/nope/install", json={}, headers=w.h("admin")).status_code == 404


def test_an_addon_posted_to_the_apps_api_installs_into_its_app_and_a_clash_is_named(make: Maker) -> None:
    crm = json.loads(CRM_TEMPLATE.read_text(encoding="utf-8"))
    crm["forms"].append({"key": "supplier", "name": "我的供应商", "title_field": "name",
                         "fields": [{"key": "name", "type": "text", "label": "名称"}]})
    w = FlowWorld(make, crm)
    r = w.client.post("/api/v1/templates/inventory/install", json={}, headers=w.h("admin"))
    assert r.status_code == 422
    assert [i["path"] for i in r.json()["error"]["details"]] == ["forms[0].key"]
    assert w.client.get("/api/v1/apps/crm", headers=w.h("admin")).json()["version"] == 1  # nothing written
    projects = json.loads((CRM_TEMPLATE.parent / "projects_template.json").read_text("utf-8"))
    r = w.client.post("/api/v1/apps", json=projects, headers=w.h("admin"))
    assert r.status_code == 201, r.text
    assert r.json()["key"] == "crm" and r.json()["version"] == 2


def product(w: FlowWorld, sku: str = "TG-HW-SCN", level: int = 10) -> dict[str, Any]:
    return w.record({"sku": sku, "name": "手持扫码终端", "unit": "台", "reorder_level": level}, "product")


def purchase(w: FlowWorld, prod: int, qty: int, price: int) -> dict[str, Any]:
    supplier = w.record({"name": f"深圳市讯达电子有限公司{qty}"}, "supplier")
    warehouse = w.record({"name": f"苏州总仓{qty}"}, "warehouse")
    return w.record({"supplier": supplier["id"], "product": prod, "warehouse": warehouse["id"], "qty": qty,
                     "unit_price": price}, "purchase_order", user="buyer")


def test_a_purchase_order_is_approved_received_and_counted_in_running_stock(crm: FlowWorld) -> None:
    prod = product(crm)
    po = purchase(crm, prod["id"], 30, 2100)
    assert po["data"]["status"] == "草稿" and po["data"]["amount"] == "63000.00"
    inst = crm.submit(po["id"], "purchase_approval", user="buyer")
    assert crm.get_record(po["id"], "purchase_order")["data"]["status"] == "审批中"
    crm.decide("cgjl")
    assert crm.instance(inst["id"])["status"] == "approved"  # 63,000 ≤ 100,000: no 总经理
    assert crm.inbox("ceo") == []
    assert crm.get_record(po["id"], "purchase_order")["data"]["status"] == "已批准"
    assert "采购单已批准" in [m["title"] for m in crm.messages("keeper")]

    buttons = crm.client.get(f"/api/v1/apps/crm/forms/purchase_order/records/{po['id']}/flow-buttons", headers=crm.h("keeper"))
    assert [b["label"] for b in buttons.json()["items"]] == ["入库"]
    crm.submit(po["id"], "receive_purchase", user="keeper")
    received = crm.get_record(po["id"], "purchase_order")["data"]
    assert received["status"] == "已入库" and received["received_qty"] == "30"
    stock = crm.get_record(prod["id"], "product")["data"]
    assert (stock["stock_in"], stock["stock_out"], stock["stock_qty"]) == ("30", "0", "30")
    r = crm.client.post("/api/v1/apps/crm/flows/receive_purchase/instances", json={"record_id": po["id"]},
                        headers=crm.h("keeper"))
    assert r.status_code == 409  # received once: the button is gone


def test_a_purchase_over_100000_also_needs_the_general_manager_and_a_rejection_marks_it(crm: FlowWorld) -> None:
    prod = product(crm, "TG-HW-SRV", 2)
    po = purchase(crm, prod["id"], 3, 41000)
    inst = crm.submit(po["id"], "purchase_approval", user="buyer")
    crm.decide("cgjl")
    assert crm.instance(inst["id"])["status"] == "running"
    crm.decide("ceo", "reject", {"comment": "预算不足"})
    assert crm.get_record(po["id"], "purchase_order")["data"]["status"] == "已驳回"


def test_shipping_below_the_reorder_level_alerts_the_keepers_and_buyers(crm: FlowWorld) -> None:
    prod = product(crm, level=10)
    warehouse = crm.record({"name": "上海前置仓"}, "warehouse")
    move = {"product": prod["id"], "warehouse": warehouse["id"]}
    crm.record({**move, "kind": "入库", "qty": 25}, "stock_move", user="keeper")
    crm.record({**move, "kind": "出库", "qty": 10}, "stock_move", user="keeper")  # 15 left: no alert
    assert [m for m in crm.messages("keeper") if m["title"] == "库存不足"] == []
    crm.record({**move, "kind": "出库", "qty": 8}, "stock_move", user="keeper")  # 7 < 10
    [alert] = [m for m in crm.messages("keeper") if m["title"] == "库存不足"]
    assert "当前库存 7" in alert["body"] and "安全库存 10" in alert["body"]
    assert [m["title"] for m in crm.messages("buyer")].count("库存不足") == 1
    assert crm.get_record(prod["id"], "product")["data"]["stock_qty"] == "7"


def test_a_product_left_under_its_reorder_level_by_an_edit_is_reminded_at_nine(crm: FlowWorld) -> None:
    low, fine = product(crm, "TG-HW-PRN", 10), product(crm, "TG-HW-PAD", 5)
    warehouse = crm.record({"name": "苏州总仓"}, "warehouse")
    moves = [crm.record({"product": p["id"], "warehouse": warehouse["id"], "kind": "入库", "qty": 25}, "stock_move")
             for p in (low, fine)]
    r = crm.client.patch(f"/api/v1/apps/crm/forms/stock_move/records/{moves[0]['id']}", json={"data": {"qty": 6}},
                         headers=crm.h("admin"))  # a typo corrected: no 出库, so no alert at the time
    assert r.status_code == 200, r.text
    assert crm.messages("keeper") == []
    crm.run_jobs()
    crm.run_jobs(days=1)  # past 09:00 the next day
    reminders = [m["body"] for m in crm.messages("keeper") if m["title"] == "库存低于安全库存"]
    assert reminders == ["手持扫码终端 当前库存 6，安全库存 10"]


def test_a_won_opportunity_becomes_one_project_with_its_customer_and_owner(crm: FlowWorld) -> None:
    customer = crm.record({"name": "苏州恒瑞精密机械有限公司"}, "customer")
    opp = crm.record({"name": "恒瑞 CRM 项目", "customer": customer["id"], "amount": 680000, "manager": "pm",
                      "stage": "商务谈判"}, "opportunity")
    url = f"/api/v1/apps/crm/forms/opportunity/records/{opp['id']}"
    r = crm.client.patch(url, json={"data": {"stage": "赢单"}}, headers=crm.h("admin"))
    assert r.status_code == 200, r.text
    r = crm.client.get("/api/v1/apps/crm/forms/project/records", headers=crm.h("pm"))
    [project] = r.json()["items"]
    data = project["data"]
    assert data["name"] == "恒瑞 CRM 项目 实施项目" and data["manager"] == "pm" and data["budget"] == "680000.00"
    assert data["customer"]["id"] == customer["id"] and data["opportunity"]["id"] == opp["id"]
    assert data["status"] == "未启动"
    assert "已创建项目" in [m["title"] for m in crm.messages("pm")]
    crm.client.patch(url, json={"data": {"stage": "商务谈判"}}, headers=crm.h("admin"))
    crm.client.patch(url, json={"data": {"stage": "赢单"}}, headers=crm.h("admin"))  # won again: still one project
    assert len(crm.client.get("/api/v1/apps/crm/forms/project/records", headers=crm.h("pm")).json()["items"]) == 1

    for name, status in (("需求调研", "已完成"), ("系统配置", "进行中"), ("上线切换", "待办")):
        crm.record({"name": name, "project": project["id"], "assignee": "dev", "status": status}, "task", user="dev")
    counted = crm.get_record(project["id"], "project")["data"]
    assert (counted["task_count"], counted["open_tasks"], counted["progress"]) == ("3", "2", "0.3333")


def test_a_milestone_is_approved_by_the_project_manager_and_over_500000_by_the_general_manager(crm: FlowWorld) -> None:
    small = crm.record({"name": "仓储扫码项目", "budget": 320000}, "project", user="pm")
    big = crm.record({"name": "CRM 实施项目", "budget": 680000}, "project", user="pm")
    m1 = crm.record({"name": "上线", "project": small["id"]}, "milestone", user="pm")
    inst = crm.submit(m1["id"], "milestone_approval", user="pm")
    assert crm.get_record(m1["id"], "milestone")["data"]["status"] == "审批中"
    crm.decide("pm")
    assert crm.instance(inst["id"])["status"] == "approved"
    done = crm.get_record(m1["id"], "milestone")["data"]
    assert done["status"] == "已通过" and done["approved_on"]
    m2 = crm.record({"name": "终验", "project": big["id"]}, "milestone", user="pm")
    inst = crm.submit(m2["id"], "milestone_approval", user="pm")
    crm.decide("pm")
    assert crm.instance(inst["id"])["status"] == "running"
    crm.decide("ceo", "reject", {"comment": "交付物不全"})
    assert crm.get_record(m2["id"], "milestone")["data"]["status"] == "已驳回"


def test_installing_keeps_the_builders_unpublished_draft_with_the_addon_in_it(make: Maker) -> None:
    w = FlowWorld(make, json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")))
    r = w.client.post("/api/v1/apps/crm/forms", json={"key": "visit", "name": "拜访", "fields": []}, headers=w.h("admin"))
    assert r.status_code == 201, r.text
    install(w, "projects")
    draft = w.client.get("/api/v1/apps/crm/draft", headers=w.h("admin")).json()
    assert {"visit", "project", "task", "milestone"} <= {f["key"] for f in draft["forms"]}
    published = w.client.get("/api/v1/apps/crm", headers=w.h("admin")).json()["definition"]
    assert "project" in {f["key"] for f in published["forms"]} and "visit" not in {f["key"] for f in published["forms"]}
