"""Bad flow definitions are refused at save time (import, upgrade) with every problem at its JSON path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Maker
from tests.flows import tickets


def problems(make: Maker, *flows: dict[str, Any]) -> dict[str, str]:
    r = make.client.post("/api/v1/apps", json=tickets(*flows), headers=make.admin)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_definition"
    return {d["path"]: d["code"] for d in r.json()["error"]["details"]}


def submit(*steps: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"key": "f", "name": "流程", "form": "ticket", "trigger": {"on": "submit"}, "steps": list(steps), **more}


CASES = [
    ("unknown form", {"key": "f", "name": "x", "form": "nope", "trigger": {"on": "submit"}}, "flows[0].form",
     "unknown_form"),
    ("condition without default", submit({"type": "condition", "branches": [{"when": "cost > 1", "steps": []}]}),
     "flows[0].steps[0].branches", "no_default_branch"),
    ("branch after the default is unreachable", submit({"type": "condition", "branches": [
        {"default": True, "steps": []}, {"when": "cost > 1", "steps": []}]}),
     "flows[0].steps[0].branches[1]", "unreachable"),
    ("a FALSE branch is unreachable", submit({"type": "condition", "branches": [
        {"when": "FALSE", "steps": []}, {"default": True, "steps": []}]}), "flows[0].steps[0].branches[0]", "unreachable"),
    ("unknown role resolves to nobody", submit({"type": "approval", "approvers": {"role": "ghost"}}),
     "flows[0].steps[0].approvers.role", "unknown_role"),
    ("empty user list", submit({"type": "approval", "approvers": {"users": []}}), "flows[0].steps[0].approvers",
     "value_error"),
    ("2 of 1", submit({"type": "approval", "approvers": {"users": ["a"]}, "mode": "n_of_m", "required": 2}),
     "flows[0].steps[0].required", "no_approver"),
    ("approver field is not a user field", submit({"type": "approval", "approvers": {"field": "summary"}}),
     "flows[0].steps[0].approvers.field", "wrong_field_type"),
    ("an approver may edit an unknown field", submit({"type": "approval", "approvers": {"users": ["a"]},
                                                       "editable_fields": ["cost", "ghost"]}),
     "flows[0].steps[0].editable_fields[1]", "unknown_field"),
    ("approvers from a field that is not a department", submit({"type": "approval", "approvers": {
        "department_field": {"field": "keeper", "levels_up": 1}}}),
     "flows[0].steps[0].approvers.department_field.field", "wrong_field_type"),
    ("the owner's manager through a field that is not a user field", submit({"type": "cc", "to": {
        "owner_department_head": {"field": "summary"}}, "message": "x"}),
     "flows[0].steps[0].to.owner_department_head.field", "wrong_field_type"),
    ("both due and sla", submit({"type": "approval", "approvers": {"users": ["a"]}, "due": "P1D",
                                 "sla": [{"after": "P2D", "do": "remind"}]}), "flows[0].steps[0]", "value_error"),
    ("update of an unknown field", submit({"type": "action", "action": "update_record", "set": {"ghost": "1"}}),
     "flows[0].steps[0].set.ghost", "unknown_field"),
    ("bad expression in a nested branch", submit({"type": "condition", "branches": [
        {"when": "cost >", "steps": []}, {"default": True, "steps": []}]}), "flows[0].steps[0].branches[0].when",
     "invalid_expression"),
    ("create in an unknown form", submit({"type": "action", "action": "create_record", "form": "nope", "values": {}}),
     "flows[0].steps[0].form", "unknown_form"),
    ("trigger field unknown", {"key": "f", "name": "x", "form": "ticket", "trigger": {"on": "update",
                                                                                    "fields": ["ghost"]}},
     "flows[0].trigger.fields[0]", "unknown_field"),
    ("bad cron", {"key": "f", "name": "x", "form": "ticket", "trigger": {"on": "schedule", "cron": "61 * * * *"}},
     "flows[0].trigger.cron", "invalid_cron"),
    ("date trigger on a text field", {"key": "f", "name": "x", "form": "ticket",
                                      "trigger": {"on": "date", "field": "summary"}}, "flows[0].trigger.field",
     "wrong_field_type"),
    ("bad duration", submit({"type": "wait", "duration": "3 days"}), "flows[0].steps[0].duration", "value_error"),
    ("unknown step type", submit({"type": "teleport"}), "flows[0].steps[0]", "union_tag_invalid"),
    ("unknown action", submit({"type": "action", "action": "teleport"}), "flows[0].steps[0].action",
     "union_tag_invalid"),
    ("schedule without cron", {"key": "f", "name": "x", "form": "ticket", "trigger": {"on": "schedule"}},
     "flows[0].trigger", "value_error"),
    ("n_of_m without required", submit({"type": "approval", "approvers": {"users": ["a"]}, "mode": "n_of_m"}),
     "flows[0].steps[0]", "value_error"),
]
# A robot step without its URL is valid since 系统设置 holds the site's robots: it goes to them
# (tests/runtime/settings/test_robot_settings_api.py).


@pytest.mark.parametrize(("case", "flow", "path", "code"), CASES, ids=[c[0] for c in CASES])
def test_bad_flow_definition_is_refused_at_its_path(make: Maker, case: str, flow: dict[str, Any], path: str,
                                                    code: str) -> None:
    assert problems(make, flow).get(path) == code


def test_a_nested_action_error_is_reported_inside_its_branch(make: Maker) -> None:
    flow = submit({"type": "parallel", "branches": [{"steps": [
        {"type": "action", "action": "update_record", "set": {"status": '"不存在的选项"', "cost": "summary +"}}]}]})
    found = problems(make, flow)
    assert found["flows[0].steps[0].branches[0].steps[0].set.cost"] == "invalid_expression"


def test_duplicate_flow_keys_are_refused(make: Maker) -> None:
    assert problems(make, submit(), submit())["flows[1].key"] == "duplicate_key"


def test_an_upgrade_with_a_broken_flow_is_refused_and_the_app_keeps_its_version(make: Maker) -> None:
    make.client.post("/api/v1/apps", json=tickets(submit()), headers=make.admin)
    broken = tickets(submit({"type": "approval", "approvers": {"role": "ghost"}}))
    r = make.client.put("/api/v1/apps/tickets", json=broken, headers=make.admin)
    assert r.status_code == 422
    assert make.client.get("/api/v1/apps/tickets", headers=make.admin).json()["version"] == 1


def test_a_schedule_condition_that_cannot_run_in_the_database_is_refused(make: Maker) -> None:
    flow = {"key": "f", "name": "x", "form": "ticket", "trigger": {"on": "schedule", "cron": "0 9 * * *",
                                                                  "when": 'DATEADD(due_on, 1, "D") > TODAY()'}}
    found = problems(make, flow)
    assert found.get("flows[0].trigger.when") == "not_in_database"
