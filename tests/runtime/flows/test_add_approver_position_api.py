"""加签 before oneself (前加签) and after (后加签) through the tasks API."""

from __future__ import annotations

from typing import Any

from tests.factories import Maker
from tests.flows import FlowWorld, approval, approval_flow, tickets

ORG = (
    [("plant", None, "boss")],
    {"wang": ["plant"]},
    {"team_lead": ["li"], "director": ["zhang"], "board": ["b1", "b2", "b3"], "buyer": ["cai"], "tech": ["tian"]},
)


def world(make: Maker, *steps: dict[str, Any]) -> FlowWorld:
    w = FlowWorld(make, tickets(approval_flow(*steps)))
    w.org(*ORG)
    return w


def added(w: FlowWorld, instance_id: int) -> list[str]:
    return [e["message"] for e in w.instance(instance_id)["timeline"] if e["kind"] == "added_approvers"]


def test_before_asks_the_added_one_first_then_the_task_comes_back_to_the_adder(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}), approval({"role": "director"}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    task = w.decide("li", "add-approvers", {"users": ["cai"], "position": "before", "comment": "请采购先看"})
    assert task["status"] == "added_before" and task["actions"] == []
    assert w.inbox("li") == [] and len(w.inbox("cai")) == 1
    w.decide("cai")
    assert w.inbox("zhang") == []  # the step is not passed: it went back to li
    assert [t["step_name"] for t in w.inbox("li")] == ["审批"]
    w.decide("li")
    w.decide("zhang")
    done = w.instance(inst["id"])
    assert done["status"] == "approved"
    assert added(w, inst["id"]) == ["前加签：cai（同意后回到 li 审批）"]
    kinds = [e["kind"] for e in done["timeline"]]
    assert kinds.index("back_to_approver") < max(i for i, k in enumerate(kinds) if k == "approved" and i > 0)


def test_before_waits_for_everyone_asked_before_going_back(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.decide("li", "add-approvers", {"users": ["cai", "tian"], "position": "before"})
    w.decide("cai")
    assert w.inbox("li") == []
    w.decide("tian")
    assert len(w.inbox("li")) == 1
    assert w.instance(inst["id"])["status"] == "running"


def test_a_rejection_by_the_one_asked_first_rejects_as_the_adder_would(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}), approval({"role": "director"}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.decide("li", "add-approvers", {"users": ["cai", "tian"], "position": "before"})
    w.decide("cai", "reject")
    done = w.instance(inst["id"])
    assert done["status"] == "rejected"
    assert w.inbox("tian") == [] and w.inbox("li") == [] and w.inbox("zhang") == []


def test_before_in_all_mode_does_not_count_the_asked_one_as_an_approver(make: Maker) -> None:
    w = world(make, approval({"role": "board"}, "all"))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.decide("b1", "add-approvers", {"users": ["cai"], "position": "before"})
    w.decide("b2")
    w.decide("b3")
    w.decide("cai")
    assert w.instance(inst["id"])["status"] == "running"  # b1 has not decided yet
    w.decide("b1")
    assert w.instance(inst["id"])["status"] == "approved"


def test_a_transferred_task_asked_first_still_goes_back_to_the_adder(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.decide("li", "add-approvers", {"users": ["cai"], "position": "before"})
    w.decide("cai", "transfer", {"to": "tian"})
    w.decide("tian")
    w.decide("li")
    assert w.instance(inst["id"])["status"] == "approved"


def test_one_asked_first_may_ask_another_first_and_it_comes_back_along_the_chain(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.decide("li", "add-approvers", {"users": ["cai"], "position": "before"})
    w.decide("cai", "add-approvers", {"users": ["tian"], "position": "before"})
    w.decide("tian")
    assert len(w.inbox("cai")) == 1 and w.inbox("li") == []
    w.decide("cai")
    w.decide("li")
    assert w.instance(inst["id"])["status"] == "approved"


def test_an_overdue_task_asked_first_escalates_and_still_comes_back_to_the_adder(make: Maker) -> None:
    w = world(
        make, approval({"role": "team_lead"}, due={"after": "PT1H", "action": "escalate", "escalate_to": ["zhang"]})
    )
    inst = w.submit(w.record({"summary": "x"})["id"])
    w.decide("li", "add-approvers", {"users": ["cai"], "position": "before"})
    w.run_jobs(hours=2)
    assert w.inbox("cai") == [] and len(w.inbox("zhang")) == 1
    w.decide("zhang")
    assert len(w.inbox("li")) == 1
    w.decide("li")
    assert w.instance(inst["id"])["status"] == "approved"


def test_after_is_the_default_and_adds_after_the_adder(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}, "sequential"))
    inst = w.submit(w.record({"summary": "x"})["id"])
    task = w.decide("li", "add-approvers", {"users": ["cai"]})
    assert task["status"] == "open"  # li still decides first
    assert w.inbox("cai") == []
    w.decide("li")
    w.decide("cai")
    assert w.instance(inst["id"])["status"] == "approved"
    assert added(w, inst["id"]) == ["后加签：cai"]


def test_before_naming_only_people_already_in_the_step_is_409_and_changes_nothing(make: Maker) -> None:
    w = world(make, approval({"role": "board"}, "all"))
    w.submit(w.record({"summary": "x"})["id"])
    r = w.decide("b1", "add-approvers", {"users": ["b2", "b1"], "position": "before"}, status=409)
    assert r["error"]["code"] == "flow_state" and r["error"]["field"] == "users"
    assert len(w.inbox("b1")) == 1


def test_an_unknown_position_is_422_naming_it_and_the_two_it_may_be(make: Maker) -> None:
    w = world(make, approval({"role": "team_lead"}))
    w.submit(w.record({"summary": "x"})["id"])
    r = w.decide("li", "add-approvers", {"users": ["cai"], "position": "middle"}, status=422)
    [detail] = r["error"]["details"]
    assert detail["path"] == "body.position" and "before" in detail["message"] and "after" in detail["message"]
    assert w.inbox("cai") == []
