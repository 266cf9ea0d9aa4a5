"""The flow's run log page (运行记录): reached from the flow list, it shows the counts by status, each
instance with its record, submitter, version, status and where it waits, and marks one whose webhook
failed; a status filter narrows the table; a member of the app who does not manage it gets no page."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Maker
from tests.fakes import http_fake
from tests.flows import FlowWorld, approval, tickets

MANAGER = {"key": "flow_admin", "name": "流程管理员", "permissions": {"*": {"manage": True}}}
PAGE = "/apps/tickets/builder/flows/approve/instances"


def world(make: Maker, url: str) -> FlowWorld:
    for name in ("admin", "boss", "wang"):
        make.user(name, admin=name == "admin")  # with a password: these log in to pages
    flow = {"key": "approve", "name": "费用审批", "form": "ticket", "trigger": {"on": "submit"}, "steps": [
        approval({"users": ["li"]}, name="主管审批"),
        {"type": "action", "action": "webhook", "url": url, "attempts": 1, "body": {"s": "summary"}}]}
    w = FlowWorld(make, tickets(flow, roles=[*tickets()["roles"], MANAGER]))
    w.org([], {}, {"flow_admin": ["boss"], "member": ["boss", "wang", "li"]})
    return w


def logged_in(app: Any, username: str) -> TestClient:
    browser = TestClient(app)
    r = browser.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return browser


def test_the_run_log_shows_counts_instances_where_they_wait_and_a_failed_webhook(make: Maker, app: Any) -> None:
    with http_fake(statuses=[500]) as fake:
        w = world(make, fake.url)
        done = w.submit(w.record({"summary": "泵坏了"})["id"])
        w.decide("li")
        w.run_jobs()  # the webhook answers 500: dead after its one attempt
        waiting = w.submit(w.record({"summary": "漏水"})["id"])
        with logged_in(app, "boss") as browser:
            assert f'href="{PAGE}"' in browser.get("/apps/tickets/builder/flows").text
            r = browser.get(PAGE)
            assert r.status_code == 200, r.text
            page = r.text
            rows = dict(re.findall(r'<tr data-instance="(\d+)">(.*?)</tr>', page, re.S))
            assert list(rows) == [str(waiting["id"]), str(done["id"])]
            assert "漏水" in rows[str(waiting["id"])] and "主管审批：li" in rows[str(waiting["id"])]
            assert "运行中" in rows[str(waiting["id"])] and "任务失败" not in rows[str(waiting["id"])]
            assert "已通过" in rows[str(done["id"])] and "1 个任务失败" in rows[str(done["id"])]
            counts = re.search(r'<ul class="fi-counts".*?</ul>', page, re.S).group(0)  # type: ignore[union-attr]
            assert re.sub(r"<[^>]+>|\s+", "", counts) == "全部2运行中1已通过1"  # in the order of the statuses
            filtered = browser.get(f"{PAGE}?status=approved").text
            assert re.findall(r'<tr data-instance="(\d+)">', filtered) == [str(done["id"])]
            english = browser.get(f"{PAGE}?lang=en").text
            assert "Runs" in english and "1 failed job(s)" in english and "Waiting at" in english


def test_a_member_who_does_not_manage_the_app_gets_no_run_log(make: Maker, app: Any) -> None:
    with http_fake() as fake:
        world(make, fake.url)
        with logged_in(app, "wang") as browser:
            r = browser.get(PAGE)
            assert r.status_code == 403 and "data-instance" not in r.text
