"""The task inbox in a real browser: an approval waiting for the user is approved from the list with a
comment, leaves the list, and the flow's timeline shows the decision."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site
from tests.factories import repair

FLOW = {"key": "cost_approval", "name": "费用审批", "form": "ticket", "trigger": {"on": "submit"},
        "steps": [{"type": "approval", "key": "lead", "name": "班组长审批", "approvers": {"users": ["admin"]}}]}


def test_approving_from_the_inbox_takes_the_task_off_the_list(page: Any, site: Site) -> None:
    definition = repair()
    definition["flows"] = [FLOW]
    assert site.api.post("/apps", json=definition).status_code == 201
    equipment = site.record("repair", "equipment", {"name": "冲床"})
    ticket = site.record("repair", "ticket", {"summary": "液压站漏油", "equipment": equipment["id"]})
    instance = site.api.post("/apps/repair/flows/cost_approval/instances", json={"record_id": ticket["id"]}).json()
    page.goto(site.url + "/inbox")
    task = page.locator("li.task", has_text="班组长审批")
    task.locator("input.comment").fill("同意维修")
    task.get_by_role("button", name="同意").click()
    page.wait_for_selector("li.task", state="detached")
    shown = site.api.get(f"/flow-instances/{instance['id']}").json()
    assert shown["status"] == "approved"
    assert any(e["comment"] == "同意维修" for e in shown["timeline"])
