"""The inbox's tabs page through any number of rows (keyset: `before` / `next_before`) with a total under
the filters, in the API and on the page; people are shown by their display names there, on the record's
approval timeline and in the run log."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from builder_ui import inbox
from runtime.accounts import user_search
from runtime.db.tables import users
from tests.factories import Maker
from tests.flows import FlowWorld, approval, approval_flow, tickets


def world(make: Maker) -> FlowWorld:
    make.user("li", admin=False)  # with a password: li signs in to the pages
    flow = approval_flow(
        approval({"users": ["li"]}, name="主管审批"),
        {"type": "cc", "to": {"users": ["cai"]}, "title": "抄送", "message": "已审批"},
    )
    w = FlowWorld(make, tickets(flow))
    w.users("wang", "cai", "zhang")
    with make.app.state.db.write() as conn:
        for name, shown in (("wang", "王小明"), ("li", "李主管"), ("zhang", "张三")):
            conn.execute(update(users).where(users.c.username == name).values(display_name=shown))
        user_search.refresh_all(conn)  # the names changed behind the API's back
    return w


def submitted(w: FlowWorld, n: int) -> list[int]:
    ids = []
    for i in range(n):
        record = w.record({"summary": f"报修 {i}"}, user="wang")["id"]
        w.submit(record, user="wang")
        ids.append(record)
    return ids


def test_open_tasks_page_by_keyset_with_the_total_and_the_submitters_name(make: Maker) -> None:
    w = world(make)
    records = submitted(w, 7)
    seen: list[int] = []
    before = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"before": before} if before else {})}
        page = w.client.get("/api/v1/tasks/open", params=params, headers=w.h("li")).json()
        assert page["total"] == 7 and len(page["items"]) <= 3
        seen += [t["record_id"] for t in page["items"]]
        before = page["next_before"]
        if before is None:
            break
    assert seen == list(reversed(records))  # newest first, each once
    first = w.client.get("/api/v1/tasks/open?limit=3", headers=w.h("li")).json()["items"][0]
    assert (first["submitter"], first["submitter_name"], first["assignee_name"]) == ("wang", "王小明", "李主管")
    assert first["actions"]  # what li may do with it
    assert w.client.get("/api/v1/tasks/open?flow=other", headers=w.h("li")).json() == {
        "items": [],
        "next_before": None,
        "total": 0,
    }


def test_done_and_cc_page_on_too(make: Maker) -> None:
    w = world(make)
    submitted(w, 5)
    for _ in range(5):
        w.decide("li")
    done = w.client.get("/api/v1/tasks/done?limit=2", headers=w.h("li")).json()
    assert done["total"] == 5 and len(done["items"]) == 2 and done["next_before"]
    rest = w.client.get(f"/api/v1/tasks/done?limit=10&before={done['next_before']}", headers=w.h("li")).json()
    assert len(rest["items"]) == 3 and rest["next_before"] is None
    cc = w.client.get("/api/v1/tasks/cc?limit=2", headers=w.h("cai")).json()
    more = w.client.get(f"/api/v1/tasks/cc?limit=10&before={cc['next_before']}", headers=w.h("cai")).json()
    ids = [c["instance_id"] for c in cc["items"] + more["items"]]
    assert len(ids) == 5 and len(set(ids)) == 5 and more["next_before"] is None
    assert cc["items"][0]["submitter_name"] == "王小明"


def signed_in(app: Any, user: str) -> TestClient:
    browser = TestClient(app)
    assert (
        browser.post("/login", data={"username": user, "password": "password-123"}, follow_redirects=False).status_code
        == 303
    )
    return browser


def test_the_inbox_page_shows_a_page_a_total_and_the_next_page(
    make: Maker, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox, "SHOWN", 3)
    w = world(make)
    submitted(w, 5)
    with signed_in(app, "li") as browser:
        page = browser.get("/inbox").text
        first = re.findall(r'<li class="task" data-task="(\d+)"', page)
        assert len(first) == 3 and 'data-total="5"' in page and "共 5 条" in page
        assert "发起人 王小明" in page
        assert '<span class="who" title="li">李主管</span>' in page  # the top bar names me by my display name
        after = re.search(r'id="inbox-next" href="[^"]*before=(\d+)"|href="[^"]*before=(\d+)" id="inbox-next"', page)
        assert after is not None
        nxt = browser.get(f"/inbox?tab=todo&before={after.group(1) or after.group(2)}").text
        second = re.findall(r'<li class="task" data-task="(\d+)"', nxt)
        assert len(second) == 2 and not set(first) & set(second)
        assert 'id="inbox-first"' in nxt and 'id="inbox-next"' not in nxt
        # batch approval of a whole page leaves the rest for the first page
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        r = browser.post(
            "/api/v1/tasks/batch-approve", json={"ids": [int(i) for i in first]}, headers={"X-CSRF-Token": csrf}
        )
        assert r.status_code == 200, r.text
        again = browser.get("/inbox").text
        assert sorted(re.findall(r'<li class="task" data-task="(\d+)"', again)) == sorted(second)
        assert "共 2 条" in again and 'id="inbox-next"' not in again


def test_people_are_shown_by_display_name_on_the_timeline_and_in_the_run_log(make: Maker, app: Any) -> None:
    w = world(make)
    [record] = submitted(w, 1)
    task = w.inbox("li")[0]
    r = w.client.post(f"/api/v1/tasks/{task['id']}/transfer", json={"to": "zhang"}, headers=w.h("li"))
    assert r.status_code == 200, r.text
    instance = w.client.get(f"/api/v1/flow-instances/{task['instance_id']}", headers=w.h("admin")).json()
    transferred = next(e for e in instance["timeline"] if e["kind"] == "transferred")
    assert (transferred["message"], transferred["actor_name"]) == ("转交给 张三", "李主管")
    waiting = next(e for e in instance["timeline"] if e["kind"] == "approval")
    assert waiting["message"] == "等待 李主管 审批"
    assert instance["submitter_name"] == "王小明"
    log = w.client.get("/api/v1/apps/tickets/flows/approve/instances", headers=w.h("admin")).json()
    assert log["items"][0]["submitter_name"] == "王小明"
    assert log["items"][0]["waiting"][0]["assignee_names"] == ["张三"]
    with signed_in(app, "li") as browser:
        page = browser.get(f"/apps/tickets/forms/ticket/records/{record}").text
        assert "转交给 张三" in page and "李主管" in page and "王小明" in page
        assert "转交给 zhang" not in page


def test_the_designer_and_its_trial_name_the_chosen_people_by_display_name(make: Maker, app: Any) -> None:
    w = world(make)
    [record] = submitted(w, 1)
    r = w.client.post(
        "/api/v1/apps/tickets/draft/flows/approve/trial", json={"record_id": record}, headers=w.h("admin")
    )
    assert r.status_code == 200, r.text
    assert r.json()["people"] == {"li": "李主管"}
    assert "等待 李主管 审批" in [e["message"] for e in r.json()["timeline"]]
    make.user("boss")  # an administrator with a password, to sign in
    with TestClient(app) as browser:
        assert (
            browser.post(
                "/login", data={"username": "boss", "password": "password-123"}, follow_redirects=False
            ).status_code
            == 303
        )
        page = browser.get("/apps/tickets/builder/flows/approve").text
        data = re.search(r'<script type="application/json" id="designer-data">(.*?)</script>', page, re.S)
        assert data is not None and json.loads(data.group(1))["people"] == {"li": "李主管", "cai": "cai"}
