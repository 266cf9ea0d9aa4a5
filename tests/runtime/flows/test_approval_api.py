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
