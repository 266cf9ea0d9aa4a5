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
