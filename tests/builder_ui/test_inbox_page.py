"""The inbox page lists the user's open tasks with their record, and a decision made from it (the page's
session and CSRF token, the tasks API) takes the task off the list."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Maker, repair

FLOW = {"key": "cost_approval", "name": "费用审批", "form": "ticket", "trigger": {"on": "submit"},
        "steps": [{"type": "approval", "key": "lead", "name": "班组长审批", "approvers": {"users": ["approver"]}}]}


def test_an_approver_sees_the_task_and_approves_it_from_the_inbox(make: Maker, app: Any) -> None:
    definition = repair()
    definition["flows"] = [FLOW]
    make.app_def(definition)
    make.user("approver", admin=False)
    equipment = make.record("equipment", {"name": "冲床"}, app="repair")["id"]
    ticket = make.record("ticket", {"summary": "漏油", "equipment": equipment}, app="repair")["id"]
    r = make.client.post("/api/v1/apps/repair/flows/cost_approval/instances", json={"record_id": ticket},
                         headers=make.admin)
    assert r.status_code == 201, r.text
    with TestClient(app) as browser:
        assert browser.post("/login", data={"username": "approver", "password": "password-123"},
                            follow_redirects=False).status_code == 303
        page = browser.get("/inbox").text
        assert "班组长审批" in page and f"/apps/repair/forms/ticket/records/{ticket}" in page
        # the record is named by its title, which the approver reads through the task
        assert f'<a href="/apps/repair/forms/ticket/records/{ticket}">漏油</a>' in page
        task = re.search(r'data-task="(\d+)"', page).group(1)  # type: ignore[union-attr]
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        assert browser.post(f"/api/v1/tasks/{task}/approve", json={"comment": "同意"}).status_code == 403  # no token
        r = browser.post(f"/api/v1/tasks/{task}/approve", json={"comment": "同意"}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200 and r.json()["status"] == "approved"
        assert "data-task" not in browser.get("/inbox").text
        # the record the approver decided stays readable to them through the task
        assert browser.get(f"/apps/repair/forms/ticket/records/{ticket}").status_code == 200


def test_a_cc_row_names_its_record_by_id_for_a_reader_who_may_not_read_it(make: Maker, app: Any) -> None:
    definition = repair()
    definition["flows"] = [{"key": "notice", "name": "报修抄送", "form": "ticket", "trigger": {"on": "submit"},
                            "steps": [{"type": "cc", "name": "抄送设备科", "to": {"users": ["watcher"]}, "message": "新报修"}]}]
    make.app_def(definition)
    make.user("watcher", admin=False)  # no role in the app: the cc does not let them read the record
    equipment = make.record("equipment", {"name": "冲床"}, app="repair")["id"]
    ticket = make.record("ticket", {"summary": "漏油", "equipment": equipment}, app="repair")["id"]
    r = make.client.post("/api/v1/apps/repair/flows/notice/instances", json={"record_id": ticket}, headers=make.admin)
    assert r.status_code == 201, r.text
    with TestClient(app) as browser:
        assert browser.post("/login", data={"username": "watcher", "password": "password-123"},
                            follow_redirects=False).status_code == 303
        page = browser.get("/inbox?tab=cc").text
        assert f'<a href="/apps/repair/forms/ticket/records/{ticket}">#{ticket}</a>' in page
        assert "漏油" not in page
