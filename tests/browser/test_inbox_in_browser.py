"""The task inbox in a real browser: an approval waiting for the user is approved from the list with a
comment, leaves the list, and the flow's timeline shows the decision; the filters by app and by flow."""

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


LEAVE = {
    "format": "tangram/app@1", "key": "leave", "name": "请假", "version": "1.0.0",
    "forms": [{"key": "request", "name": "请假单", "title_field": "reason",
               "fields": [{"key": "reason", "type": "text", "label": "事由", "required": True}]}],
    "flows": [{"key": "leave_approval", "name": "请假审批", "form": "request", "trigger": {"on": "submit"},
               "steps": [{"type": "approval", "name": "主管审批", "approvers": {"users": ["admin"]}}]}],
}


def test_the_inbox_filters_by_app_and_by_flow(page: Any, site: Site) -> None:
    if site.api.get("/apps/repair").status_code != 200:
        definition = repair()
        definition["flows"] = [FLOW]
        assert site.api.post("/apps", json=definition).status_code == 201
    assert site.api.post("/apps", json=LEAVE).status_code == 201
    equipment = site.record("repair", "equipment", {"name": "车床"})
    ticket = site.record("repair", "ticket", {"summary": "主轴异响", "equipment": equipment["id"]})
    leave = site.record("leave", "request", {"reason": "回老家办事"})
    for app, flow, record in (("repair", "cost_approval", ticket), ("leave", "leave_approval", leave)):
        r = site.api.post(f"/apps/{app}/flows/{flow}/instances", json={"record_id": record["id"]})
        assert r.status_code == 201, r.text

    def shown() -> set[str]:  # the steps waiting for me, by name
        return set(page.locator("li.task .task-head strong").all_inner_texts())

    page.goto(site.url + "/inbox")
    assert {"班组长审批", "主管审批"} <= shown()
    with page.expect_navigation():
        page.locator("#filter-flow").select_option("leave_approval")  # 按流程
    assert "flow=leave_approval" in page.url and shown() == {"主管审批"}
    with page.expect_navigation():
        page.locator("#filter-flow").select_option("")
    with page.expect_navigation():
        page.locator("#filter-app").select_option("repair")  # 按应用: its flows only, in the flow filter too
    assert shown() == {"班组长审批"}
    flows = page.locator("#filter-flow option").evaluate_all("(options) => options.map((o) => o.value)")
    assert flows == ["", "cost_approval"]
    # the filter stays on when the tab changes
    with page.expect_navigation():
        page.locator('nav.inbox-tabs a[data-tab="done"]').click()
    assert "app=repair" in page.url and page.locator("#filter-app").input_value() == "repair"
