"""What an approval step lets its approvers do (退回, 转交, 加签 switches; fields they may edit), through the
HTTP API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Maker
from tests.flows import FlowWorld, approval, approval_flow, tickets
from tests.runtime.flows.test_approval_api import ORG

RECORDS = "/api/v1/apps/tickets/forms/ticket/records"


def world(make: Maker, *steps: dict[str, Any], **flow: Any) -> FlowWorld:
    w = FlowWorld(make, tickets(approval_flow(*steps, **flow)))
    w.org(*ORG)
    return w


@pytest.mark.parametrize(("option", "action", "body"), [
    ("allow_return", "return", {"comment": "请补充"}),
    ("allow_transfer", "transfer", {"to": "tian"}),
    ("allow_add_approver", "add-approvers", {"users": ["cai"]}),
    ("allow_add_approver", "add-approver", {"users": ["cai"]}),  # the singular route too
], ids=["return", "transfer", "add-approvers", "add-approver"])
def test_a_switched_off_action_is_refused_409_naming_its_option_and_the_task_stays_open(
        make: Maker, option: str, action: str, body: dict[str, Any]) -> None:
    w = world(make, approval({"role": "team_lead"}, **{option: False}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    refused = w.decide("li", action, body, status=409)
    assert refused["error"]["code"] == "flow_state" and refused["error"]["field"] == option
    assert option in refused["error"]["message"]
    [task] = w.inbox("li")
    assert task["status"] == "open" and w.inbox("tian") == [] and w.inbox("cai") == []
    assert w.instance(inst["id"])["status"] == "running"


def test_the_inbox_and_the_task_say_which_actions_the_step_allows(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}, allow_return=False, allow_add_approver=False),
              approval({"role": "director"}))
    w.submit(w.record({"summary": "x"})["id"])
    [task] = w.inbox("li")
    assert task["actions"] == ["approve", "reject", "transfer"]
    one = w.client.get(f"/api/v1/tasks/{task['id']}", headers=w.h("li")).json()
    assert one["actions"] == ["approve", "reject", "transfer"]
    decided = w.decide("li")
    assert decided["actions"] == []  # decided: nothing left to do
    assert w.inbox("zhang")[0]["actions"] == ["approve", "reject", "return", "transfer", "add-approvers"]


def test_allowed_actions_still_work_when_others_are_switched_off(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}, allow_return=False, allow_add_approver=False))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.decide("li", "transfer", {"to": "tian"})
    w.decide("tian")
    assert w.instance(inst["id"])["status"] == "approved"


def with_total(definition: dict[str, Any]) -> dict[str, Any]:
    """The tickets app with a formula field (doubled cost) on the ticket form."""
    definition["forms"][0]["fields"].append({"key": "total", "type": "formula", "label": "合计", "formula": "cost * 2"})
    return definition


def editing_world(make: Maker) -> FlowWorld:
    w = FlowWorld(make, with_total(tickets(approval_flow(
        approval({"users": ["li", "tian"]}, "sequential", editable_fields=["cost", "note"]),
        approval({"role": "director"})))))
    w.org(*ORG)
    return w


def patch(w: FlowWorld, record_id: int, user: str, data: dict[str, Any]) -> Any:
    return w.client.patch(f"{RECORDS}/{record_id}", json={"data": data}, headers=w.h(user))


def test_the_approver_of_an_open_task_may_change_exactly_the_steps_editable_fields(make: Maker) -> None:
    w = editing_world(make)
    rec = w.record({"summary": "x", "cost": 100}, user="wang")
    w.submit(rec["id"], user="wang")
    r = patch(w, rec["id"], "li", {"cost": 80, "note": "核减"})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["total"] == "160"  # its formula follows (exact numbers as text)
    refused = patch(w, rec["id"], "li", {"summary": "改标题", "cost": 70})
    assert refused.status_code == 423 and refused.json()["error"]["field"] == "summary"
    assert "summary" in refused.json()["error"]["message"]
    assert w.get_record(rec["id"])["data"]["cost"] == "80.00"  # nothing of the refused write is kept


def test_everyone_else_still_finds_the_record_locked(make: Maker) -> None:
    w = editing_world(make)
    rec = w.record({"summary": "x", "cost": 100}, user="wang")
    w.submit(rec["id"], user="wang")
    for user in ("tian", "wang", "admin"):  # the next approver, the submitter, an administrator
        r = patch(w, rec["id"], user, {"cost": 1})
        assert r.status_code == 423 and r.json()["error"]["code"] == "record_locked", user
    w.decide("li")
    assert patch(w, rec["id"], "li", {"cost": 1}).status_code == 423  # decided: the task is no longer open
    assert patch(w, rec["id"], "tian", {"note": "二审"}).status_code == 200  # now tian's turn
    w.decide("tian")
    assert patch(w, rec["id"], "zhang", {"note": "三审"}).status_code == 423  # the director's step lists none


def test_a_computed_field_cannot_be_made_editable(make: Maker) -> None:
    definition = with_total(tickets(approval_flow(approval({"users": ["li"]}, editable_fields=["total"]))))
    r = make.client.post("/api/v1/apps", json=definition, headers=make.admin)
    assert r.status_code == 422, r.text
    found = {d["path"]: d["code"] for d in r.json()["error"]["details"]}
    assert found["flows[0].steps[0].editable_fields[0]"] == "not_writable"


def with_department(definition: dict[str, Any]) -> dict[str, Any]:
    definition["forms"][0]["fields"].append({"key": "dept", "type": "department", "label": "所属部门"})
    return definition


def test_a_department_field_names_its_head_or_the_head_n_levels_up(make: Maker) -> None:
    w = FlowWorld(make, with_department(tickets(approval_flow(
        approval({"department_field": "dept"}, name="部门负责人"),
        approval({"department_field": {"field": "dept", "levels_up": 1}}, name="上级负责人")))))
    w.org(*ORG)
    inst = w.submit(w.record({"summary": "x", "dept": "workshop"}, user="wang")["id"], user="wang")
    assert w.inbox("lead")[0]["step_name"] == "部门负责人"
    w.decide("lead")
    assert w.inbox("boss")[0]["step_name"] == "上级负责人"
    w.decide("boss")
    assert w.instance(inst["id"])["status"] == "approved"


def test_a_record_without_a_department_fails_the_step_visibly(make: Maker) -> None:
    w = FlowWorld(make, with_department(tickets(approval_flow(approval({"department_field": "dept"})))))
    w.org(*ORG)
    inst = w.submit(w.record({"summary": "x"})["id"])
    assert inst["status"] == "failed" and "找不到审批人" in inst["timeline"][-1]["message"]
