"""Triggers (create, update, schedule, date, inbound webhook) and actions (update, create, assign, to-do),
parallel branches, through the HTTP API with the injected clock."""

from __future__ import annotations

from typing import Any

from tests.factories import Maker
from tests.flows import FlowWorld, approval, tickets
from tests.runtime.flows.test_approval_api import ORG


def flow(trigger: dict[str, Any], *steps: dict[str, Any], key: str = "auto") -> dict[str, Any]:
    return {"key": key, "name": "自动化", "form": "ticket", "trigger": trigger, "steps": list(steps)}


def set_note(expr: str) -> dict[str, Any]:
    return {"type": "action", "action": "update_record", "set": {"note": expr}}


def test_create_trigger_with_a_condition_runs_only_for_matching_records(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "create", "when": 'urgency = "特急"'}, set_note('"加急处理"'))))
    hot = w.record({"summary": "a", "urgency": "特急"})
    cold = w.record({"summary": "b", "urgency": "一般"})
    assert w.get_record(hot["id"])["data"]["note"] == "加急处理"
    assert "note" not in w.get_record(cold["id"])["data"]


def test_update_trigger_fires_only_when_a_listed_field_changes_and_does_not_loop(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "update", "fields": ["cost"], "when": "cost > 100"},
                                     set_note('"费用变更：" & cost'))))
    rec = w.record({"summary": "a", "cost": 50})
    url = f"/api/v1/apps/tickets/forms/ticket/records/{rec['id']}"
    w.client.patch(url, json={"data": {"summary": "b"}}, headers=w.h("admin"))
    assert "note" not in w.get_record(rec["id"])["data"]
    w.client.patch(url, json={"data": {"cost": 500}}, headers=w.h("admin"))
    data = w.get_record(rec["id"])["data"]
    assert data["note"] == "费用变更：500"
    r = w.client.get(f"{url}/flows", headers=w.h("admin"))
    assert [i["status"] for i in r.json()["items"]] == ["completed"]  # its own update did not start it again


def test_create_record_in_another_form_with_mapped_values(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "create"}, {"type": "action", "action": "create_record", "form": "work_order",
                                                         "values": {"title": '"工单：" & summary', "ticket": "id",
                                                                    "budget": "cost * 1.1"}})))
    rec = w.record({"summary": "漏水", "cost": 100})
    items = w.client.get("/api/v1/apps/tickets/forms/work_order/records", headers=w.h("admin")).json()["items"]
    assert [(i["data"]["title"], i["data"]["ticket"]["id"], i["data"]["budget"]) for i in items] == \
        [("工单：漏水", rec["id"], "110.00")]


def test_assign_round_robin_within_the_rule_table_and_open_a_follow_up_task(make: Maker) -> None:
    assign = {"type": "action", "action": "assign", "field": "keeper", "strategy": "round_robin",
              "rules": [{"when": 'urgency = "特急"', "users": ["tian"]}, {"role": "board"}],
              "task": {"name": "首次联系", "due": "PT2H"}}
    w = FlowWorld(make, tickets(flow({"on": "create"}, assign)))
    w.org(*ORG)
    keepers = [w.get_record(w.record({"summary": str(i)})["id"])["data"]["keeper"] for i in range(4)]
    assert keepers == ["b1", "b2", "b3", "b1"]
    assert w.get_record(w.record({"summary": "急", "urgency": "特急"})["id"])["data"]["keeper"] == "tian"
    [todo] = w.inbox("b2")
    assert todo["kind"] == "todo" and todo["step_name"] == "首次联系"
    assert todo["due_at"].startswith("2026-11-23T04:00")
    r = w.client.post(f"/api/v1/tasks/{todo['id']}/complete", json={"comment": "已电话联系"}, headers=w.h("b2"))
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert w.client.post(f"/api/v1/tasks/{todo['id']}/complete", headers=w.h("b2")).status_code == 409


def test_assign_fewest_open_picks_the_least_loaded_user(make: Maker) -> None:
    assign = {"type": "action", "action": "assign", "field": "keeper", "strategy": "fewest_open",
              "open_when": 'status = "草稿"', "rules": [{"users": ["b1", "b2"]}]}
    w = FlowWorld(make, tickets(flow({"on": "create", "when": "ISBLANK(keeper)"}, assign)))
    w.users("b1", "b2")
    w.record({"summary": "a", "keeper": "b1"})
    w.record({"summary": "b", "keeper": "b1"})
    assert w.get_record(w.record({"summary": "c"})["id"])["data"]["keeper"] == "b2"


def test_parallel_branches_join_before_the_flow_goes_on(make: Maker) -> None:
    par = {"type": "parallel", "branches": [{"steps": [approval({"role": "tech"})]},
                                            {"steps": [approval({"role": "buyer"})]}]}
    w = FlowWorld(make, tickets(flow({"on": "submit"}, par, set_note('"会签完成"'), key="approve")))
    w.org(*ORG)
    rec = w.record({"summary": "x"})
    inst = w.submit(rec["id"])
    w.decide("tian")
    assert w.instance(inst["id"])["status"] == "running"
    w.decide("cai")
    assert w.instance(inst["id"])["status"] == "approved"
    assert w.get_record(rec["id"])["data"]["note"] == "会签完成"


def test_a_reject_in_a_parallel_branch_ends_the_flow_unless_configured_otherwise(make: Maker) -> None:
    branches = [{"steps": [approval({"role": "tech"})]}, {"steps": [approval({"role": "buyer"})]}]
    w = FlowWorld(make, tickets(
        flow({"on": "submit"}, {"type": "parallel", "branches": branches}, key="strict"),
        flow({"on": "submit"}, {"type": "parallel", "branches": branches, "reject_ends_flow": False},
             set_note('"继续"'), key="lenient")))
    w.org(*ORG)
    strict = w.submit(w.record({"summary": "a"})["id"], "strict")
    w.decide("tian", "reject")
    assert w.instance(strict["id"])["status"] == "rejected"
    assert w.inbox("cai") == []
    rec = w.record({"summary": "b"})
    lenient = w.submit(rec["id"], "lenient")
    w.decide("tian", "reject")
    assert w.instance(lenient["id"])["status"] == "running"
    w.decide("cai")
    assert w.instance(lenient["id"])["status"] == "approved"
    assert w.get_record(rec["id"])["data"]["note"] == "继续"


def test_task_action_opens_a_to_do_for_a_user_field(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "create"}, {"type": "action", "action": "task", "to": {"field": "keeper"},
                                                         "task": {"name": "跟进 {summary}", "due": "P1D"}})))
    w.users("wang")
    w.record({"summary": "回访", "keeper": "wang"})
    [todo] = w.inbox("wang")
    assert todo["step_name"] == "跟进 回访" and todo["kind"] == "todo"


def test_schedule_runs_at_its_cron_time_over_the_matching_records_only(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "schedule", "cron": "0 9 * * *", "when": 'urgency = "特急"'},
                                     set_note('"每日提醒"'))))
    hot = w.record({"summary": "a", "urgency": "特急"})
    cold = w.record({"summary": "b", "urgency": "一般"})
    w.run_jobs()  # 10:00 local on the 23rd: queues tomorrow 09:00
    assert "note" not in w.get_record(hot["id"])["data"]
    w.run_jobs(hours=22, minutes=59)  # 08:59 on the 24th
    assert "note" not in w.get_record(hot["id"])["data"]
    w.run_jobs(minutes=1)
    assert w.get_record(hot["id"])["data"]["note"] == "每日提醒"
    assert "note" not in w.get_record(cold["id"])["data"]
    assert w.run_jobs(days=1) == 1  # the next day's run is queued and runs too


def test_date_trigger_fires_before_a_date_and_is_rescheduled_when_the_date_changes(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "date", "field": "due_on", "offset": "-P3D", "at": "09:00"},
                                     set_note('"即将到期"'))))
    rec = w.record({"summary": "a", "due_on": "2026-11-30"})
    url = f"/api/v1/apps/tickets/forms/ticket/records/{rec['id']}"
    w.client.patch(url, json={"data": {"due_on": "2026-12-10"}}, headers=w.h("admin"))
    w.run_jobs(days=5)  # the 28th: the old date would have fired on the 27th
    assert "note" not in w.get_record(rec["id"])["data"]
    w.run_jobs(days=9)  # 7 December, 10:00
    assert w.get_record(rec["id"])["data"]["note"] == "即将到期"


def test_a_yearly_date_trigger_fires_every_year(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "date", "field": "due_on", "repeat": "yearly"},
                                     {"type": "notify", "to": {"users": ["admin"]}, "message": "周年：{summary}"})))
    w.record({"summary": "合作", "due_on": "2020-11-25"})
    w.run_jobs(days=2)
    w.run_jobs(days=365)
    assert [m["body"] for m in w.messages("admin")] == ["周年：合作", "周年：合作"]


def test_inbound_webhook_needs_its_token_and_starts_the_flow_on_a_new_record(make: Maker) -> None:
    token = "t0k3n-0123456789abcdef"
    w = FlowWorld(make, tickets(flow({"on": "webhook", "token": token}, set_note('"来自网站"'), key="inbound")))
    assert w.client.post("/api/v1/hooks/tickets/inbound", json={"summary": "x"}).status_code == 401
    assert w.client.post("/api/v1/hooks/tickets/inbound?token=wrong", json={"summary": "x"}).status_code == 401
    assert w.client.post("/api/v1/hooks/tickets/nope", json={"summary": "x"},
                         headers={"X-Tangram-Token": token}).status_code == 404
    bad = w.client.post("/api/v1/hooks/tickets/inbound", json={"cost": "abc"}, headers={"X-Tangram-Token": token})
    assert bad.status_code == 422
    r = w.client.post("/api/v1/hooks/tickets/inbound", json={"summary": "官网报修"}, headers={"X-Tangram-Token": token})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "completed"
    assert w.get_record(r.json()["record_id"])["data"]["note"] == "来自网站"


def test_a_non_submit_flow_cannot_be_started_by_hand(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "create"}, set_note('"x"'))))
    rec = w.record({"summary": "a"})
    r = w.client.post("/api/v1/apps/tickets/flows/auto/instances", json={"record_id": rec["id"]}, headers=w.h("admin"))
    assert r.status_code == 409 and r.json()["error"]["field"] == "flow"


def test_a_date_flow_published_later_sets_timers_for_the_records_that_already_exist(make: Maker) -> None:
    w = FlowWorld(make, tickets())
    old = w.record({"summary": "旧记录", "due_on": "2026-11-27"})
    w.record({"summary": "无日期"})
    upgraded = tickets(flow({"on": "date", "field": "due_on", "offset": "-P1D"}, set_note('"明天到期"')))
    assert w.client.put("/api/v1/apps/tickets", json=upgraded, headers=w.h("admin")).status_code == 200
    w.run_jobs()  # the first worker round sets the timers of the new version's date flow
    assert "note" not in w.get_record(old["id"])["data"]
    w.run_jobs(days=3)  # the 26th, 10:00 local
    assert w.get_record(old["id"])["data"]["note"] == "明天到期"


def test_an_automation_whose_write_is_refused_fails_visibly_without_refusing_the_users_write(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "create"}, {"type": "action", "action": "update_record",
                                                         "set": {"status": '"不存在的状态"'}})))
    rec = w.record({"summary": "a"})  # 201: the record is kept
    [inst] = w.client.get(f"/api/v1/apps/tickets/forms/ticket/records/{rec['id']}/flows",
                          headers=w.h("admin")).json()["items"]
    assert inst["status"] == "failed"
    assert inst["timeline"][-1]["message"].startswith("执行失败")
    assert w.get_record(rec["id"])["data"]["status"] == "草稿"


def test_an_approval_whose_final_write_is_refused_keeps_the_decision_and_fails_the_instance(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "submit"}, approval({"role": "team_lead"}),
                                     {"type": "action", "action": "update_record", "set": {"cost": '"abc"'}},
                                     key="approve")))
    w.org(*ORG)
    rec = w.record({"summary": "a"})
    inst = w.submit(rec["id"])
    decided = w.decide("li")
    assert decided["status"] == "approved"  # the task's decision stands
    body = w.instance(inst["id"])
    assert body["status"] == "failed" and not body["locks_record"]
    r = w.client.patch(f"/api/v1/apps/tickets/forms/ticket/records/{rec['id']}", json={"data": {"cost": 1}},
                       headers=w.h("admin"))
    assert r.status_code == 200  # no longer locked
