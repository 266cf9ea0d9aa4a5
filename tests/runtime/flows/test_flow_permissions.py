"""Flows through the permission gate: an approver reads the record they decide without a role on it, a
stranger sees neither the record nor its flow instance, and a submitter needs to see the record."""

from __future__ import annotations

from typing import Any

from tests.factories import repair

FLOW = {"key": "cost_approval", "name": "费用审批", "form": "ticket", "trigger": {"on": "submit"},
        "steps": [{"type": "approval", "key": "lead", "name": "班组长审批", "approvers": {"users": ["approver"]}}]}
ROLE = {"key": "reporter", "name": "报修人", "permissions": {
    "ticket": {"create": True, "read": "own", "update": "own"}, "equipment": {"read": "all"}}}


def _setup(make: Any) -> tuple[int, dict[str, str]]:
    definition = repair()
    definition["flows"] = [FLOW]
    definition["roles"] = [ROLE]
    make.app_def(definition)
    people = {name: make.user(name, admin=False) for name in ("reporter", "approver", "stranger")}
    r = make.client.put("/api/v1/apps/repair/roles/reporter/members", json={"users": ["reporter", "stranger"]},
                        headers=make.admin)
    assert r.status_code == 200, r.text
    equipment = make.record("equipment", {"name": "冲床"}, app="repair")["id"]
    r = make.client.post(make.url("ticket", "repair"), json={"data": {"summary": "漏油", "equipment": equipment}},
                         headers=people["reporter"])
    assert r.status_code == 201, r.text
    return r.json()["id"], people


def test_the_approver_reads_the_record_only_once_a_task_is_theirs(make: Any) -> None:
    record_id, people = _setup(make)
    url = f"{make.url('ticket', 'repair')}/{record_id}"
    assert make.client.get(url, headers=people["approver"]).status_code == 404
    r = make.client.post("/api/v1/apps/repair/flows/cost_approval/instances", json={"record_id": record_id},
                         headers=people["reporter"])
    assert r.status_code == 201, r.text
    instance = r.json()["id"]
    assert make.client.get(url, headers=people["approver"]).json()["data"]["summary"] == "漏油"
    assert make.client.patch(url, json={"data": {"summary": "改"}}, headers=people["approver"]).status_code in (403, 404)
    assert make.client.get(f"/api/v1/flow-instances/{instance}", headers=people["approver"]).status_code == 200
    # a colleague with the same role but not the owner sees neither the record nor its flow
    assert make.client.get(url, headers=people["stranger"]).status_code == 404
    assert make.client.get(f"/api/v1/flow-instances/{instance}", headers=people["stranger"]).status_code == 404
    assert make.client.get(f"{url}/flows", headers=people["stranger"]).status_code == 404
    assert make.client.post(f"/api/v1/flow-instances/{instance}/cancel", headers=people["stranger"]).status_code == 404


def test_nobody_submits_a_record_they_cannot_see(make: Any) -> None:
    record_id, people = _setup(make)
    r = make.client.post("/api/v1/apps/repair/flows/cost_approval/instances", json={"record_id": record_id},
                         headers=people["stranger"])
    assert r.status_code == 404
    assert make.client.get("/api/v1/tasks", params={"assignee": "me", "status": "open"},
                           headers=people["approver"]).json()["items"] == []


def test_flow_tokens_and_secrets_are_shown_only_to_managers(make: Any) -> None:
    definition = repair()
    definition["roles"] = [ROLE]
    definition["flows"] = [{"key": "inbound", "name": "外部报修", "form": "ticket",
                            "trigger": {"on": "webhook", "token": "very-secret-token"},
                            "steps": [{"type": "action", "action": "webhook", "url": "http://127.0.0.1:9/x",
                                       "secret": "signing-secret", "body": {"id": "id"}}]}]
    make.app_def(definition)
    reporter = make.user("reporter", admin=False)
    make.client.put("/api/v1/apps/repair/roles/reporter/members", json={"users": ["reporter"]}, headers=make.admin)
    seen = make.client.get("/api/v1/apps/repair", headers=reporter).text
    assert "very-secret-token" not in seen and "signing-secret" not in seen and "外部报修" in seen
    assert "very-secret-token" in make.client.get("/api/v1/apps/repair", headers=make.admin).text
