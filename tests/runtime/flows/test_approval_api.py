"""Approval steps through the HTTP API: every mode, every decision, the lock, the timeline."""

from __future__ import annotations

from typing import Any

from tests.factories import Maker
from tests.flows import FlowWorld, approval, approval_flow, tickets

ORG = ([("plant", None, "boss"), ("workshop", "plant", "lead")], {"wang": ["workshop"], "lead": ["workshop"]},
       {"team_lead": ["li"], "director": ["zhang"], "board": ["b1", "b2", "b3"], "tech": ["tian"], "buyer": ["cai"]})


def world(make: Maker, *steps: dict[str, Any], **flow: Any) -> FlowWorld:
    w = FlowWorld(make, tickets(approval_flow(*steps, **flow)))
    w.org(*ORG)
    return w


def test_design_example_passes_lead_then_director_above_5000_and_marks_the_record_approved(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}), {"type": "condition", "branches": [
        {"when": "cost > 5000", "steps": [approval({"role": "director"}, name="厂长审批")]},
        {"default": True, "steps": []}]})
    rec = w.record({"summary": "电机异响", "cost": 6000}, user="wang")
    inst = w.submit(rec["id"], user="wang")
    assert inst["status"] == "running"
    w.decide("li")
    assert w.inbox("zhang")[0]["step_name"] == "厂长审批"
    w.decide("zhang")
    done = w.instance(inst["id"])
    assert done["status"] == "approved"
    assert w.get_record(rec["id"])["data"]["status"] == "已批准"
    kinds = [e["kind"] for e in done["timeline"]]
    assert kinds[0] == "started" and "branch" in kinds and kinds[-1] == "approved"
    branch = next(e for e in done["timeline"] if e["kind"] == "branch")
    assert "cost > 5000" in branch["message"]
    decided = [e for e in done["timeline"] if e["kind"] == "approved" and e["actor"]]
    assert [(e["actor"], e["comment"]) for e in decided][:2] == [("li", "li approve"), ("zhang", "zhang approve")]


def test_any_mode_first_decision_wins_and_closes_the_other_tasks(make: Maker) -> None:
    w = world(make, approval({"role": "board"}, "any"))
    inst = w.submit(w.record({"summary": "x"})["id"])
    assert len(w.inbox("b1")) == len(w.inbox("b2")) == 1
    w.decide("b2")
    assert w.instance(inst["id"])["status"] == "approved"
    assert w.inbox("b1") == [] and w.inbox("b3") == []
    statuses = sorted(t["status"] for t in w.instance(inst["id"])["tasks"])
    assert statuses == ["approved", "skipped", "skipped"]


def test_all_mode_needs_every_approver(make: Maker) -> None:
    w = world(make, approval({"role": "board"}, "all"))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.decide("b1")
    w.decide("b3")
    assert w.instance(inst["id"])["status"] == "running"
    w.decide("b2")
    assert w.instance(inst["id"])["status"] == "approved"


def test_n_of_m_passes_at_n_approvals_and_survives_one_reject(make: Maker) -> None:
    w = world(make, approval({"role": "board"}, "n_of_m", required=2))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.decide("b1", "reject")
    assert w.instance(inst["id"])["status"] == "running"
    w.decide("b2")
    w.decide("b3")
    assert w.instance(inst["id"])["status"] == "approved"


def test_n_of_m_rejects_once_n_can_no_longer_be_reached(make: Maker) -> None:
    w = world(make, approval({"role": "board"}, "n_of_m", required=2))
    rec = w.record({"summary": "x"})
    inst = w.submit(rec["id"])
    w.decide("b1", "reject")
    w.decide("b2", "reject")
    assert w.instance(inst["id"])["status"] == "rejected"
    assert w.get_record(rec["id"])["data"]["status"] == "已驳回"


def test_sequential_mode_asks_one_approver_after_the_other_in_order(make: Maker) -> None:
    w = world(make, approval({"users": ["b3", "b1"]}, "sequential"))
    inst = w.submit(w.record({"summary": "x"})["id"])
    assert w.inbox("b1") == [] and len(w.inbox("b3")) == 1
    w.decide("b3")
    assert len(w.inbox("b1")) == 1
    w.decide("b1")
    assert w.instance(inst["id"])["status"] == "approved"


def test_department_head_and_levels_up_follow_the_submitters_department(make: Maker) -> None:
    w = world(make, approval({"department_head": 0}, name="主管"), approval({"department_head": 1}, name="厂长"))
    inst = w.submit(w.record({"summary": "x"}, user="wang")["id"], user="wang")
    assert w.inbox("lead")[0]["step_name"] == "主管"
    w.decide("lead")
    assert w.inbox("boss")[0]["step_name"] == "厂长"
    w.decide("boss")
    assert w.instance(inst["id"])["status"] == "approved"


def test_user_field_names_the_approver(make: Maker) -> None:
    w = world(make, approval({"field": "keeper"}))
    inst = w.submit(w.record({"summary": "x", "keeper": "tian"})["id"])
    w.decide("tian")
    assert w.instance(inst["id"])["status"] == "approved"


def test_reject_ends_the_flow_and_applies_on_reject(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}), approval({"role": "director"}))
    rec = w.record({"summary": "x"})
    inst = w.submit(rec["id"])
    w.decide("li", "reject", {"comment": "预算不足"})
    body = w.instance(inst["id"])
    assert body["status"] == "rejected"
    assert any(e["kind"] == "rejected" and e["comment"] == "预算不足" and e["actor"] == "li" for e in body["timeline"])
    assert w.inbox("zhang") == []
    assert w.get_record(rec["id"])["data"]["status"] == "已驳回"


def test_return_sends_back_to_the_submitter_who_edits_and_resubmits(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    rec = w.record({"summary": "x"}, user="wang")
    inst = w.submit(rec["id"], user="wang")
    w.decide("li", "return", {"comment": "请补充费用"})
    assert w.instance(inst["id"])["status"] == "returned"
    assert any(m["title"] == "已退回" for m in w.messages("wang"))
    r = w.client.patch(f"/api/v1/apps/tickets/forms/ticket/records/{rec['id']}", json={"data": {"cost": 100}},
                       headers=w.h("wang"))
    assert r.status_code == 200, r.text  # a returned record is editable again
    r = w.client.post(f"/api/v1/flow-instances/{inst['id']}/resubmit", headers=w.h("wang"))
    assert r.status_code == 200 and r.json()["status"] == "running"
    w.decide("li")
    assert w.instance(inst["id"])["status"] == "approved"


def test_transfer_hands_the_task_to_another_user(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    moved = w.decide("li", "transfer", {"to": "tian", "comment": "出差，转交"})
    assert moved["status"] == "transferred"
    w.decide("tian")
    assert w.instance(inst["id"])["status"] == "approved"


def test_transfer_to_an_unknown_user_is_refused_with_its_field(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    w.submit(w.record({"summary": "x"})["id"])
    body = w.decide("li", "transfer", {"to": "nobody"}, status=400)
    assert body["error"]["field"] == "to"
    assert len(w.inbox("li")) == 1


def test_add_approvers_in_all_mode_waits_for_the_added_one_too(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}, "all"))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.decide("li", "add-approvers", {"users": ["cai"], "comment": "请采购确认"})
    w.decide("li")
    assert w.instance(inst["id"])["status"] == "running"
    w.decide("cai")
    assert w.instance(inst["id"])["status"] == "approved"


def test_only_the_assignee_can_decide_a_task(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    w.submit(w.record({"summary": "x"})["id"])
    task = w.inbox("li")[0]
    r = w.client.post(f"/api/v1/tasks/{task['id']}/approve", json={}, headers=w.h("zhang"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_assignee"


def test_a_decided_task_cannot_be_decided_again(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}), approval({"role": "director"}))
    w.submit(w.record({"summary": "x"})["id"])
    task = w.inbox("li")[0]
    assert w.client.post(f"/api/v1/tasks/{task['id']}/approve", json={}, headers=w.h("li")).status_code == 200
    r = w.client.post(f"/api/v1/tasks/{task['id']}/reject", json={}, headers=w.h("li"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "flow_state"


def test_record_under_approval_is_locked_until_the_approval_ends(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    rec = w.record({"summary": "x"})
    w.submit(rec["id"])
    url = f"/api/v1/apps/tickets/forms/ticket/records/{rec['id']}"
    r = w.client.patch(url, json={"data": {"cost": 1}}, headers=w.h("admin"))
    assert r.status_code == 423 and r.json()["error"]["code"] == "record_locked"
    assert w.client.delete(url, headers=w.h("admin")).status_code == 423
    w.decide("li")
    assert w.client.patch(url, json={"data": {"cost": 1}}, headers=w.h("admin")).status_code == 200


def test_a_flow_with_lock_record_false_leaves_the_record_editable(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}), lock_record=False)
    rec = w.record({"summary": "x"})
    w.submit(rec["id"])
    r = w.client.patch(f"/api/v1/apps/tickets/forms/ticket/records/{rec['id']}", json={"data": {"cost": 1}},
                       headers=w.h("admin"))
    assert r.status_code == 200


def test_submitter_withdraws_and_open_tasks_are_cancelled(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    inst = w.submit(w.record({"summary": "x"}, user="wang")["id"], user="wang")
    assert w.client.post(f"/api/v1/flow-instances/{inst['id']}/cancel", headers=w.h("li")).status_code == 403
    r = w.client.post(f"/api/v1/flow-instances/{inst['id']}/cancel", json={"comment": "填错了"}, headers=w.h("wang"))
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert w.inbox("li") == []
    again = w.client.post(f"/api/v1/flow-instances/{inst['id']}/cancel", headers=w.h("wang"))
    assert again.status_code == 409


def test_a_record_cannot_be_submitted_twice_while_its_approval_runs(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    rec = w.record({"summary": "x"})
    w.submit(rec["id"])
    r = w.client.post("/api/v1/apps/tickets/flows/approve/instances", json={"record_id": rec["id"]},
                      headers=w.h("admin"))
    assert r.status_code == 409 and r.json()["error"]["field"] == "record_id"


def test_approvers_that_resolve_to_nobody_fail_the_instance_visibly(make: Maker) -> None:
    w = world(make, approval({"field": "keeper"}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    assert inst["status"] == "failed"
    assert "找不到审批人" in inst["timeline"][-1]["message"]


def test_starting_an_unknown_flow_or_record_is_404_and_a_bad_body_422(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    h = w.h("admin")
    assert w.client.post("/api/v1/apps/tickets/flows/nope/instances", json={"record_id": 1}, headers=h).status_code == 404
    assert w.client.post("/api/v1/apps/tickets/flows/approve/instances", json={"record_id": 99},
                         headers=h).status_code == 404
    assert w.client.post("/api/v1/apps/tickets/flows/approve/instances", json={"id": 1}, headers=h).status_code == 422
    assert w.client.get("/api/v1/flow-instances/12345", headers=h).status_code == 404
    assert w.client.post("/api/v1/tasks/12345/approve", json={}, headers=h).status_code == 404


def test_record_flows_lists_the_instances_with_their_timeline(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    rec = w.record({"summary": "x"})
    w.submit(rec["id"])
    w.decide("li")
    r = w.client.get(f"/api/v1/apps/tickets/forms/ticket/records/{rec['id']}/flows", headers=w.h("admin"))
    assert r.status_code == 200
    [item] = r.json()["items"]
    assert item["status"] == "approved" and item["tasks"][0]["decided_by"] == "li"


def test_approvers_get_an_in_app_message_for_their_task(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    w.submit(w.record({"summary": "x"})["id"])
    [message] = w.messages("li")
    assert message["title"] == "待审批"
    r = w.client.post(f"/api/v1/messages/{message['id']}/read", headers=w.h("li"))
    assert r.status_code == 200 and r.json()["read_at"]
    assert w.client.get("/api/v1/messages?unread=true", headers=w.h("li")).json()["items"] == []


def test_an_instance_finishes_on_the_version_it_started_with(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    rec = w.record({"summary": "x"})
    old = w.submit(rec["id"])
    upgraded = tickets(approval_flow(approval({"role": "team_lead"}), approval({"role": "director"})))
    assert w.client.put("/api/v1/apps/tickets", json=upgraded, headers=w.h("admin")).status_code == 200
    w.decide("li")
    assert w.instance(old["id"])["status"] == "approved"  # version 1 had no director step
    assert w.instance(old["id"])["def_version"] == 1
    new = w.submit(w.record({"summary": "y"})["id"])
    w.decide("li")
    assert w.instance(new["id"])["status"] == "running" and len(w.inbox("zhang")) == 1


def test_a_task_is_visible_to_its_assignee_and_administrators_only(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    w.submit(w.record({"summary": "x"})["id"])
    task = w.inbox("li")[0]
    assert w.client.get(f"/api/v1/tasks/{task['id']}", headers=w.h("li")).status_code == 200
    assert w.client.get(f"/api/v1/tasks/{task['id']}", headers=w.h("admin")).status_code == 200
    assert w.client.get(f"/api/v1/tasks/{task['id']}", headers=w.h("zhang")).status_code == 404
    assert w.client.get("/api/v1/tasks?assignee=li", headers=w.h("zhang")).status_code == 400
    assert len(w.client.get("/api/v1/tasks?assignee=li", headers=w.h("admin")).json()["items"]) == 1


def test_the_timeline_speaks_english_when_asked(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    r = w.client.get(f"/api/v1/flow-instances/{inst['id']}", headers={**w.h("admin"), "Accept-Language": "en"})
    assert [e["message"] for e in r.json()["timeline"]] == ["started", "waiting for li"]


def test_my_submissions_list_newest_first_by_status(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    a = w.submit(w.record({"summary": "a"}, user="wang")["id"], user="wang")
    b = w.submit(w.record({"summary": "b"}, user="wang")["id"], user="wang")
    w.submit(w.record({"summary": "c"})["id"])  # admin's own
    w.decide("li")  # approves a (the oldest open task)
    mine = w.client.get("/api/v1/flow-instances", headers=w.h("wang")).json()["items"]
    assert [i["id"] for i in mine] == [b["id"], a["id"]] and "timeline" not in mine[0]
    running = w.client.get("/api/v1/flow-instances?status=running", headers=w.h("wang")).json()["items"]
    assert [i["id"] for i in running] == [b["id"]]
    assert w.client.get("/api/v1/flow-instances?submitter=admin", headers=w.h("wang")).status_code == 400
    assert len(w.client.get("/api/v1/flow-instances?submitter=all", headers=w.h("admin")).json()["items"]) == 3
