"""The delete trigger (a soft-deleted record starts the flow, its `when` read on the record's last values,
inside the delete's transaction) and the button trigger (a user presses the record's button: the start
endpoint accepts it only while `when` holds), through the HTTP API."""

from __future__ import annotations

from typing import Any

from tests.factories import Maker
from tests.flows import FlowWorld, approval, tickets

RECORDS = "/api/v1/apps/tickets/forms/ticket/records"


def flow(trigger: dict[str, Any], *steps: dict[str, Any], key: str = "auto") -> dict[str, Any]:
    return {"key": key, "name": "自动化", "form": "ticket", "trigger": trigger, "steps": list(steps)}


def notify(message: str) -> dict[str, Any]:
    return {"type": "notify", "to": {"users": ["admin"]}, "message": message}


def test_deleting_a_record_starts_the_delete_flow_when_its_last_values_meet_the_condition(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "delete", "when": "cost > 1000"}, notify("已删除：{summary}"))))
    big = w.record({"summary": "锅炉", "cost": "5000"})
    small = w.record({"summary": "灯泡", "cost": "20"})
    for rec in (big, small):
        assert w.client.delete(f"{RECORDS}/{rec['id']}", headers=w.h("admin")).status_code == 200
    assert [m["body"] for m in w.messages("admin")] == ["已删除：锅炉"]


def test_a_delete_flow_with_an_approval_keeps_running_after_the_delete(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "delete"}, approval({"users": ["li"]}, name="确认删除"))))
    rec = w.record({"summary": "锅炉"})
    assert w.client.delete(f"{RECORDS}/{rec['id']}", headers=w.h("admin")).status_code == 200
    tasks = w.inbox("li")
    assert [t["step_name"] for t in tasks] == ["确认删除"] and tasks[0]["record_id"] == rec["id"]
    instance = w.instance(tasks[0]["instance_id"])
    assert instance["status"] == "running" and instance["submitter"] == "admin"


def test_a_refused_delete_starts_no_delete_flow(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "delete"}, notify("已删除：{summary}"))))
    rec = w.record({"summary": "锅炉"})
    r = w.client.delete(f"{RECORDS}/{rec['id']}", headers={**w.h("admin"), "If-Match": '"99"'})
    assert r.status_code == 412
    assert w.messages("admin") == []


def test_a_button_is_offered_and_pressed_only_while_its_condition_holds(make: Maker) -> None:
    button = {"on": "button", "label": "加急处理", "when": 'urgency = "特急"'}
    w = FlowWorld(make, tickets(flow(button, {"type": "action", "action": "update_record", "set": {"note": '"已加急"'}})))
    hot = w.record({"summary": "a", "urgency": "特急"})
    cold = w.record({"summary": "b", "urgency": "一般"})
    offered = w.client.get(f"{RECORDS}/{hot['id']}/flow-buttons", headers=w.h("wang"))
    assert offered.status_code == 200 and offered.json()["items"] == [{"flow": "auto", "name": "自动化", "label": "加急处理"}]
    assert w.client.get(f"{RECORDS}/{cold['id']}/flow-buttons", headers=w.h("wang")).json()["items"] == []
    refused = w.client.post("/api/v1/apps/tickets/flows/auto/instances", json={"record_id": cold["id"]},
                            headers=w.h("wang"))
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["field"] == "trigger.when" and error["condition"] == 'urgency = "特急"'
    assert 'urgency = "特急"' in error["message"] and "加急处理" in error["message"]
    assert "note" not in w.get_record(cold["id"])["data"]
    started = w.submit(hot["id"], flow="auto", user="wang")
    assert started["status"] == "completed" and started["submitter"] == "wang"
    assert w.get_record(hot["id"])["data"]["note"] == "已加急"


def test_a_button_flow_running_on_a_record_is_not_started_twice(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "button", "label": "复核"}, approval({"users": ["li"]}))))
    rec = w.record({"summary": "a"})
    w.submit(rec["id"], flow="auto")
    again = w.client.post("/api/v1/apps/tickets/flows/auto/instances", json={"record_id": rec["id"]},
                          headers=w.h("admin"))
    assert again.status_code == 409 and again.json()["error"]["field"] == "record_id"


def test_create_and_delete_flows_still_cannot_be_started_by_hand(make: Maker) -> None:
    w = FlowWorld(make, tickets(flow({"on": "delete"}, notify("x"))))
    rec = w.record({"summary": "a"})
    r = w.client.post("/api/v1/apps/tickets/flows/auto/instances", json={"record_id": rec["id"]}, headers=w.h("admin"))
    assert r.status_code == 409 and r.json()["error"]["field"] == "flow"


def test_a_button_without_label_and_a_label_on_another_trigger_are_refused_at_their_paths(make: Maker) -> None:
    w = FlowWorld(make, tickets())
    draft = "/api/v1/apps/tickets/draft/flows"
    r = w.client.put(f"{draft}/auto", json=flow({"on": "button"}), headers=w.h("admin"))
    assert r.status_code == 422, r.text
    [detail] = r.json()["error"]["details"]
    assert detail["path"] == "flows[0].trigger.label" and "自动化" in detail["message"]
    r = w.client.put(f"{draft}/auto", json=flow({"on": "create", "label": "加急"}), headers=w.h("admin"))
    assert r.status_code == 422
    assert [d["path"] for d in r.json()["error"]["details"]] == ["flows[0].trigger.label"]
    r = w.client.put(f"{draft}/auto", json=flow({"on": "button", "label": "加急", "when": "nosuch = 1"}),
                     headers=w.h("admin"))
    assert [d["path"] for d in r.json()["error"]["details"]] == ["flows[0].trigger.when"]
