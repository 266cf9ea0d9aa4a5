"""The CRM template's seed flows end to end over HTTP: quote and contract approvals, lead assignment, lead
conversion and nurturing, stuck opportunities, A-class follow-ups, won → order, ticket routing with SLA
escalation, overdue payments."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runtime.cli import CRM_TEMPLATE
from tests.factories import Maker
from tests.flows import FlowWorld

ROLES = {"sales_manager": ["manager1"], "finance": ["cfo"], "gm": ["ceo"], "tech_support": ["engineer"],
         "purchasing": ["buyer"], "sales_rep": ["rep0"], "customer_service": ["svc"], "service_manager": ["svc_boss"]}
DEPARTMENTS = [("sales", None, "manager1"), ("sales_east", "sales", "manager1"), ("service_field", None, "svc_boss")]
MEMBERS = {"rep1": ["sales_east"], "rep2": ["sales_east"], "tech1": ["service_field"], "tech2": ["service_field"]}


@pytest.fixture
def crm(make: Maker) -> FlowWorld:
    w = FlowWorld(make, json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")))
    w.org(DEPARTMENTS, MEMBERS, ROLES)
    return w


def customer(w: FlowWorld, **data: Any) -> dict[str, Any]:
    return w.record({"name": data.pop("name", "上海华东机电有限公司"), **data}, "customer")


def quote(w: FlowWorld, *lines: tuple[str, int, int, bool]) -> dict[str, Any]:
    rows = [{"item": item, "qty": qty, "unit_price": price, "non_standard": odd} for item, qty, price, odd in lines]
    return w.record({"customer": customer(w)["id"], "lines": rows, "status": "草稿", "manager": "rep1"}, "quote",
                    user="rep1")


def test_a_600000_quote_passes_sales_manager_finance_and_general_manager(crm: FlowWorld) -> None:
    q = quote(crm, ("服务器集群", 2, 300000, False))
    assert q["data"]["amount"] == "600000.00"
    inst = crm.submit(q["id"], "quote_approval", user="rep1")
    assert crm.get_record(q["id"], "quote")["data"]["status"] == "审批中"
    crm.decide("manager1")
    crm.decide("cfo")
    assert crm.instance(inst["id"])["status"] == "running"
    assert crm.inbox("ceo")[0]["step_name"] == "总经理审批"
    crm.decide("ceo")
    assert crm.instance(inst["id"])["status"] == "approved"
    assert crm.get_record(q["id"], "quote")["data"]["status"] == "已批准"
    assert "报价已批准" in [m["title"] for m in crm.messages("rep1")]


def test_a_400000_quote_skips_the_general_manager(crm: FlowWorld) -> None:
    q = quote(crm, ("实施服务", 1, 400000, False))
    inst = crm.submit(q["id"], "quote_approval", user="rep1")
    crm.decide("manager1")
    crm.decide("cfo")
    assert crm.instance(inst["id"])["status"] == "approved"
    assert crm.inbox("ceo") == []
    branch = [e for e in crm.instance(inst["id"])["timeline"] if e["kind"] == "branch"][0]
    assert "其他" in branch["message"]


def test_non_standard_items_add_a_tech_and_purchasing_countersign(crm: FlowWorld) -> None:
    q = quote(crm, ("标准软件", 1, 100000, False), ("定制接口", 1, 50000, True))
    inst = crm.submit(q["id"], "quote_approval", user="rep1")
    crm.decide("manager1")
    crm.decide("cfo")
    assert len(crm.inbox("engineer")) == len(crm.inbox("buyer")) == 1
    crm.decide("buyer")
    assert crm.instance(inst["id"])["status"] == "running"
    crm.decide("engineer")
    assert crm.instance(inst["id"])["status"] == "approved"


def test_a_rejected_quote_is_marked_and_unlocked(crm: FlowWorld) -> None:
    q = quote(crm, ("服务器", 1, 1000, False))
    crm.submit(q["id"], "quote_approval", user="rep1")
    url = f"/api/v1/apps/crm/forms/quote/records/{q['id']}"
    assert crm.client.patch(url, json={"data": {"note": "改"}}, headers=crm.h("rep1")).status_code == 423
    crm.decide("manager1", "reject", {"comment": "价格太低"})
    assert crm.get_record(q["id"], "quote")["data"]["status"] == "已驳回"
    assert crm.client.patch(url, json={"data": {"note": "改"}}, headers=crm.h("rep1")).status_code == 200


def test_contract_approval_sets_the_contract_running(crm: FlowWorld) -> None:
    c = crm.record({"title": "年度框架合同", "customer": customer(crm)["id"], "amount": 2000000, "status": "草稿"},
                   "contract")
    crm.submit(c["id"], "contract_approval")
    for user in ("manager1", "cfo", "ceo"):
        crm.decide(user)
    assert crm.get_record(c["id"], "contract")["data"]["status"] == "执行中"


def test_leads_are_assigned_round_robin_within_their_region_with_a_two_hour_first_contact(crm: FlowWorld) -> None:
    owners = [crm.get_record(crm.record({"company": f"公司{i}", "region": "华东"}, "lead")["id"], "lead")["data"]
              for i in range(3)]
    assert [o["assignee"] for o in owners] == ["rep1", "rep2", "rep1"]
    assert owners[0]["first_contact_due"].startswith("2026-11-23T04:00")
    [todo] = crm.inbox("rep2")
    assert todo["step_name"] == "首次联系" and todo["due_at"].startswith("2026-11-23T04:00")
    elsewhere = crm.record({"company": "西北公司", "region": "西北"}, "lead")
    assert crm.get_record(elsewhere["id"], "lead")["data"]["assignee"] == "rep0"  # no 西北 team: all reps


def test_an_opportunity_stuck_for_seven_days_gives_its_owner_a_task(crm: FlowWorld) -> None:
    cust = customer(crm)["id"]
    stuck = crm.record({"name": "ERP 项目", "customer": cust, "stage": "需求确认", "manager": "rep1"}, "opportunity")
    crm.record({"name": "已赢", "customer": cust, "stage": "赢单", "manager": "rep2"}, "opportunity")
    crm.run_jobs()
    crm.run_jobs(days=5, hours=23)  # 09:00 on the 29th: 6 calendar days in the stage
    assert crm.inbox("rep1") == []
    crm.run_jobs(days=1)
    [task] = crm.inbox("rep1")
    assert task["record_id"] == stuck["id"] and "需求确认" in task["step_name"]
    assert crm.inbox("rep2") == []


def test_moving_an_opportunity_to_won_creates_its_order_and_stamps_the_stage_time(crm: FlowWorld) -> None:
    opp = crm.record({"name": "CRM 项目", "customer": customer(crm)["id"], "stage": "商务谈判", "amount": 880000,
                      "manager": "rep1"}, "opportunity")
    r = crm.client.patch(f"/api/v1/apps/crm/forms/opportunity/records/{opp['id']}", json={"data": {"stage": "赢单"}},
                         headers=crm.h("admin"))
    assert r.status_code == 200
    assert crm.get_record(opp["id"], "opportunity")["data"]["stage_changed_at"].startswith("2026-11-23T02:00")
    [order] = crm.client.get("/api/v1/apps/crm/forms/order/records", headers=crm.h("admin")).json()["items"]
    assert (order["data"]["amount"], order["data"]["status"], order["data"]["manager"]) == ("880000.00", "待发货", "rep1")
    assert order["data"]["ordered_on"] == "2026-11-23"


def test_an_a_class_customer_not_followed_up_for_three_days_is_notified_to_its_owner(crm: FlowWorld) -> None:
    a = customer(crm, name="重点客户", level="A", manager="rep1")
    customer(crm, name="普通客户", level="B", manager="rep2")
    crm.record({"summary": "电话沟通", "customer": a["id"], "followed_at": "2026-11-23T09:00:00+08:00"}, "followup")
    crm.run_jobs()
    crm.run_jobs(days=3, hours=23)  # 09:00 on the 27th: 4 days since the follow-up
    assert [m["body"] for m in crm.messages("rep1")] == ["A 类客户“重点客户”已超过 3 天未跟进"]
    assert crm.messages("rep2") == []


def test_tickets_are_routed_by_category_with_an_sla_and_escalated_when_late(crm: FlowWorld) -> None:
    cust = customer(crm)["id"]
    t1 = crm.record({"subject": "设备无法启动", "customer": cust, "category": "故障维修", "urgency": "特急",
                     "description": "开机无反应"}, "ticket")
    t2 = crm.record({"subject": "异响", "customer": cust, "category": "故障维修", "urgency": "一般",
                     "description": "运行有异响"}, "ticket")
    d1, d2 = crm.get_record(t1["id"], "ticket")["data"], crm.get_record(t2["id"], "ticket")["data"]
    assert {d1["assignee"], d2["assignee"]} == {"tech1", "tech2"}  # fewest open tickets first
    assert d1["sla_due_at"].startswith("2026-11-23T06:00") and d1["status"] == "待处理"
    crm.client.patch(f"/api/v1/apps/crm/forms/ticket/records/{t2['id']}", json={"data": {"status": "已解决"}},
                     headers=crm.h("admin"))
    crm.run_jobs(hours=4)
    assert "工单超时" in [m["title"] for m in crm.messages("svc_boss")]
    assert [t["step_name"] for t in crm.inbox("svc_boss")] == [f"升级处理工单 {d1['code']}"]
    crm.run_jobs(hours=44)  # the 一般 ticket's 48 h SLA passes: it was solved, nobody is told
    assert len(crm.inbox("svc_boss")) == 1


def test_an_overdue_payment_is_marked_and_its_owner_reminded(crm: FlowWorld) -> None:
    c = crm.record({"title": "合同", "customer": customer(crm)["id"], "amount": 100000}, "contract")
    p = crm.record({"contract": c["id"], "planned_amount": 50000, "planned_on": "2026-11-25", "status": "未回款",
                    "manager": "rep1"}, "payment")
    paid = crm.record({"contract": c["id"], "planned_amount": 50000, "planned_on": "2026-11-25", "status": "已回款",
                       "manager": "rep2"}, "payment")
    crm.run_jobs(days=2, hours=22)  # 08:00 on the 26th
    assert crm.get_record(p["id"], "payment")["data"]["status"] == "未回款"
    crm.run_jobs(hours=1)
    assert crm.get_record(p["id"], "payment")["data"]["status"] == "已逾期"
    assert [m["title"] for m in crm.messages("rep1") if m["title"] == "回款逾期"] == ["回款逾期"]
    assert crm.inbox("rep1")[0]["step_name"].startswith("催收回款")
    assert crm.get_record(paid["id"], "payment")["data"]["status"] == "已回款"


def lead(w: FlowWorld, company: str = "苏州天成精密机械有限公司", **data: Any) -> dict[str, Any]:
    return w.record({"company": company, "contact_name": "张伟", "mobile": "13812345678", "email": "zw@tc.cn",
                     "source": "展会", "region": "华东", "assignee": "rep1", **data}, "lead")


def convert(w: FlowWorld, lead_id: int, user: str = "rep1") -> Any:
    return w.client.post("/api/v1/apps/crm/flows/lead_conversion/instances", json={"record_id": lead_id},
                         headers=w.h(user))


def items(w: FlowWorld, form: str) -> list[dict[str, Any]]:
    return w.client.get(f"/api/v1/apps/crm/forms/{form}/records", headers=w.h("admin")).json()["items"]


def linked(data: dict[str, Any]) -> dict[str, Any]:
    """A lead's or record's relation values as plain ids (the API gives `{id, title}`)."""
    return {k: v["id"] if isinstance(v, dict) and "id" in v else v for k, v in data.items()}


def buttons(w: FlowWorld, lead_id: int) -> list[str]:
    r = w.client.get(f"/api/v1/apps/crm/forms/lead/records/{lead_id}/flow-buttons", headers=w.h("rep1"))
    assert r.status_code == 200, r.text
    return [b["label"] for b in r.json()["items"]]


def test_converting_a_lead_creates_its_customer_contact_and_opportunity_and_links_them(crm: FlowWorld) -> None:
    new = lead(crm)
    assert buttons(crm, new["id"]) == ["转化为客户"]
    r = convert(crm, new["id"])
    assert r.status_code == 201, r.text
    assert crm.instance(r.json()["id"])["status"] == "completed"
    data = linked(crm.get_record(new["id"], "lead")["data"])
    assert data["status"] == "已转化"
    customer_ = crm.get_record(data["customer"], "customer")["data"]
    assert (customer_["name"], customer_["source"], customer_["region"], customer_["manager"], customer_["status"]) == (
        "苏州天成精密机械有限公司", "展会", "华东", "rep1", "意向客户")
    contact = linked(crm.get_record(data["contact"], "contact")["data"])
    assert (contact["name"], contact["mobile"], contact["email"], contact["customer"], contact["is_primary"]) == (
        "张伟", "13812345678", "zw@tc.cn", data["customer"], True)
    opp = linked(crm.get_record(data["opportunity"], "opportunity")["data"])
    assert (opp["name"], opp["customer"], opp["contact"], opp["stage"], opp["manager"]) == (
        "苏州天成精密机械有限公司 新商机", data["customer"], data["contact"], "初步接洽", "rep1")
    assert buttons(crm, new["id"]) == []  # converted: no longer offered


def test_a_second_lead_of_the_same_company_links_the_existing_customer(crm: FlowWorld) -> None:
    first, second = lead(crm), lead(crm, contact_name="李娜", mobile="13987654321", email="ln@tc.cn")
    assert convert(crm, first["id"]).status_code == 201
    assert convert(crm, second["id"]).status_code == 201
    a, b = (linked(crm.get_record(x["id"], "lead")["data"]) for x in (first, second))
    assert a["customer"] == b["customer"] and len(items(crm, "customer")) == 1
    assert a["contact"] != b["contact"] and crm.get_record(b["contact"], "contact")["data"]["name"] == "李娜"
    assert len(items(crm, "opportunity")) == 2 and b["status"] == "已转化"


def test_an_existing_customer_made_by_hand_is_linked_not_duplicated(crm: FlowWorld) -> None:
    existing = customer(crm, name="苏州天成精密机械有限公司", level="A")
    new = lead(crm, contact_name=None)  # no contact name: no contact is made
    assert convert(crm, new["id"]).status_code == 201
    data = linked(crm.get_record(new["id"], "lead")["data"])
    assert data["customer"] == existing["id"] and data.get("contact") is None
    assert crm.get_record(existing["id"], "customer")["data"]["level"] == "A"  # linked, not overwritten
    assert crm.get_record(data["opportunity"], "opportunity")["data"].get("contact") is None


def test_a_lead_spelling_an_existing_customer_otherwise_links_it_by_the_duplicate_rules(crm: FlowWorld) -> None:
    existing = customer(crm, name="苏州恒瑞精密机械有限公司", level="A")
    new = lead(crm, "恒瑞精密机械(苏州)有限公司")
    assert convert(crm, new["id"]).status_code == 201
    data = linked(crm.get_record(new["id"], "lead")["data"])
    assert data["customer"] == existing["id"] and len(items(crm, "customer")) == 1
    assert crm.get_record(existing["id"], "customer")["data"]["name"] == "苏州恒瑞精密机械有限公司"  # not renamed
    assert linked(crm.get_record(data["contact"], "contact")["data"])["customer"] == existing["id"]


def test_only_a_likely_duplicate_is_linked_a_branch_or_another_company_gets_its_own_customer(crm: FlowWorld) -> None:
    head = customer(crm, name="苏州恒瑞精密机械有限公司")
    same = lead(crm, "恒瑞精密机械（苏州）有限公司")
    other = lead(crm, "杭州云帆网络科技有限公司", contact_name="王强", mobile="13900000008", email="wq@yf.cn")
    branch = lead(crm, "苏州恒瑞精密机械有限公司上海分公司", contact_name="李娜", mobile="13900000009", email="ln@hr.cn")
    for made in (same, other, branch):
        assert convert(crm, made["id"]).status_code == 201
    customers = {c["id"]: c["data"]["name"] for c in items(crm, "customer")}
    ids = [linked(crm.get_record(x["id"], "lead")["data"])["customer"] for x in (same, other, branch)]
    assert [customers[i] for i in ids] == ["苏州恒瑞精密机械有限公司", "杭州云帆网络科技有限公司",
                                          "苏州恒瑞精密机械有限公司上海分公司"]
    assert ids[0] == head["id"] and len(customers) == 3


def test_the_conversion_timeline_names_the_forms_and_fields_not_their_keys(crm: FlowWorld) -> None:
    r = convert(crm, lead(crm)["id"])
    assert r.status_code == 201, r.text
    said = [e["message"] for e in crm.instance(r.json()["id"])["timeline"] if e["kind"] in ("created", "updated")]
    assert said == ["在“客户”中关联或新建记录", "在“联系人”中关联或新建记录", "在“商机”中新建记录", "更新记录：线索状态"]
    trial = crm.client.post("/api/v1/apps/crm/draft/flows/lead_conversion/trial", json={"record_id": lead(crm, "试算公司")["id"]},
                            headers=crm.h("admin"))
    assert "在“客户”中关联或新建记录" in [e["message"] for e in trial.json()["timeline"]]


def test_the_conversion_button_is_refused_on_a_converted_or_closed_lead(crm: FlowWorld) -> None:
    new = lead(crm)
    assert convert(crm, new["id"]).status_code == 201
    r = convert(crm, new["id"])
    assert r.status_code == 409 and r.json()["error"]["field"] == "trigger.when", r.text
    closed = lead(crm, "无效公司", status="无效")
    assert buttons(crm, closed["id"]) == [] and convert(crm, closed["id"]).status_code == 409
    assert len(items(crm, "customer")) == 1 and len(items(crm, "opportunity")) == 1


def test_unconverted_leads_are_nurtured_on_days_one_three_and_seven(crm: FlowWorld) -> None:
    quiet = lead(crm, "沉默公司")
    talking = lead(crm, "在谈公司", mobile="13900000001", assignee="rep2")
    won = lead(crm, "成交公司", mobile="13900000002", assignee="rep0")
    assert convert(crm, won["id"], user="rep0").status_code == 201
    crm.run_jobs(hours=23)
    assert crm.inbox("rep1") == []
    crm.run_jobs(hours=1)  # day 1
    assert [(t["step_name"], t["record_id"]) for t in crm.inbox("rep1")] == [("跟进线索 沉默公司", quiet["id"])]
    assert [t["step_name"] for t in crm.inbox("rep2")] == ["跟进线索 在谈公司"]
    assert crm.inbox("rep0") == []  # converted: the sequence stopped
    crm.client.patch(f"/api/v1/apps/crm/forms/lead/records/{talking['id']}", json={"data": {"status": "跟进中"}},
                     headers=crm.h("rep2"))
    crm.run_jobs(days=2)  # day 3
    notices = {u: [m["body"] for m in crm.messages(u) if m["title"] == "线索培育提醒"] for u in ("rep0", "rep1", "rep2")}
    assert notices == {"rep0": [], "rep1": ["线索“沉默公司”已创建 3 天，仍未转化，请继续跟进"],
                       "rep2": ["线索“在谈公司”已创建 3 天，仍未转化，请继续跟进"]}
    crm.run_jobs(days=4)  # day 7: only the lead nobody contacted reaches the manager
    assert [m["body"] for m in crm.messages("manager1") if m["title"] == "线索 7 天未联系"] == [
        "线索“沉默公司”（负责人 rep1）已创建 7 天仍未联系"]


def test_the_day_7_reminder_goes_to_the_manager_of_each_leads_owner_not_to_the_sales_managers(make: Maker) -> None:
    w = FlowWorld(make, json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")))
    w.org([("sales_east", None, "east_boss"), ("sales_south", None, "south_boss")],
          {"rep1": ["sales_east"], "rep2": ["sales_south"]}, {"sales_manager": ["manager1"], "sales_rep": ["rep1"]})
    east = lead(w, "华东沉默公司", assignee="rep1")
    south = lead(w, "华南沉默公司", mobile="13900000003", region="华南", assignee="rep2")
    w.run_jobs(days=1)
    w.run_jobs(days=2)
    w.run_jobs(days=4)  # day 7: neither was contacted
    late = {u: [m["body"] for m in w.messages(u) if m["title"] == "线索 7 天未联系"]
            for u in ("east_boss", "south_boss", "manager1")}
    assert late == {"east_boss": ["线索“华东沉默公司”（负责人 rep1）已创建 7 天仍未联系"],
                    "south_boss": ["线索“华南沉默公司”（负责人 rep2）已创建 7 天仍未联系"], "manager1": []}
    assert {m["record_id"] for m in w.messages("east_boss")} >= {east["id"]}
    assert south["id"] in {m["record_id"] for m in w.messages("south_boss")}


def test_the_lead_flows_open_in_the_designer_and_a_trial_shows_the_path(crm: FlowWorld) -> None:
    new = lead(crm)
    for flow in ("lead_conversion", "lead_nurture"):
        r = crm.client.get(f"/api/v1/apps/crm/draft/flows/{flow}/choices", headers=crm.h("admin"))
        assert r.status_code == 200, r.text
        rules = {f["key"]: f["duplicate_rules"] for f in r.json()["forms"]}  # 新建记录's 按查重规则 option
        assert (rules["customer"], rules["opportunity"]) == (["客户名称相近", "总机电话相同"], [])
        r = crm.client.post(f"/api/v1/apps/crm/draft/flows/{flow}/trial", json={"record_id": new["id"]},
                            headers=crm.h("admin"))
        assert r.status_code == 200 and r.json()["status"] == "completed", r.text
    r = crm.client.post("/api/v1/apps/crm/draft/flows/lead_conversion/trial", json={"record_id": new["id"]},
                        headers=crm.h("admin"))
    created = [e for e in r.json()["effects"] if e["effect"] == "CreateRecord"]
    assert [(e["form"], e["link"]) for e in created] == [
        ("customer", "customer"), ("contact", "contact"), ("opportunity", "opportunity")]
    assert created[2]["values"]["customer"] == {"step": "steps[0].branches[0].steps[0]"}  # the customer made before
    assert "进入“未关联客户”" in "".join(e["message"] for e in r.json()["timeline"])
    assert crm.get_record(new["id"], "lead")["data"]["status"] == "新线索"  # a trial writes nothing


def test_a_conversion_the_records_refuse_fails_whole_and_leaves_the_lead_convertible(crm: FlowWorld) -> None:
    other = customer(crm, name="别家公司")
    crm.record({"name": "王五", "customer": other["id"], "mobile": "13812345678"}, "contact")  # the lead's mobile
    new = lead(crm)
    r = convert(crm, new["id"])
    assert r.status_code == 201 and crm.instance(r.json()["id"])["status"] == "failed", r.text
    data = crm.get_record(new["id"], "lead")["data"]
    assert data["status"] == "新线索" and data.get("customer") is None  # the customer made before is rolled back
    assert [c["data"]["name"] for c in items(crm, "customer")] == ["别家公司"]
    assert buttons(crm, new["id"]) == ["转化为客户"]
