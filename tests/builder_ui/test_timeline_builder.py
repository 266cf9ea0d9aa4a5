"""时间线设置 over HTTP, on every backend: a form's timelines added, changed and removed on the draft through
the builder API (`PUT / DELETE /api/v1/apps/{app}/forms/{form}/timelines/{key}`), refused with the
definition's paths when wrong, for those who manage the form only; the builder page lists them and offers
the date and group fields."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.builder_ui.test_timeline_page import TIMELINE, plan
from tests.factories import Maker

API = "/api/v1/apps/plan/forms/task/timelines"
PAGE = "/apps/plan/builder/forms/task/timelines"


def _task_form(make: Maker, draft: bool = True) -> dict[str, Any]:
    body = make.client.get(f"/api/v1/apps/plan{'/draft' if draft else ''}", headers=make.admin).json()
    forms = body["forms"] if draft else body["definition"]["forms"]
    return next(f for f in forms if f["key"] == "task")


def test_a_timeline_put_on_the_draft_is_published_and_its_page_opens(make: Maker, client: TestClient) -> None:
    make.app_def(plan(timelines=[]))
    view = {k: v for k, v in TIMELINE.items() if k != "key"} | {"scale": "month"}
    r = make.client.put(f"{API}/gantt", json=view, headers=make.admin)
    assert r.status_code == 200, r.text
    assert r.json()["timelines"] == [view | {"key": "gantt"}]
    assert not _task_form(make, draft=False).get("timelines")  # the draft only, until published
    r = make.client.put(f"{API}/gantt", json=view | {"name": "新排期", "group_by": "assignee"}, headers=make.admin)
    assert [v["name"] for v in r.json()["timelines"]] == ["新排期"]  # replaced in place
    assert make.client.post("/api/v1/apps/plan/publish", headers=make.admin).status_code == 200
    assert _task_form(make, draft=False)["timelines"][0]["group_by"] == "assignee"
    make.user("admin")
    client.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
    assert client.get("/apps/plan/forms/task/timeline/gantt").status_code == 200
    r = make.client.delete(f"{API}/gantt", headers=make.admin)
    assert r.status_code == 200 and r.json().get("timelines", []) == []


def test_a_wrong_timeline_is_refused_with_its_path_and_leaves_the_draft_as_it_was(make: Maker) -> None:
    make.app_def(plan())
    r = make.client.put(f"{API}/wrong", json={"name": "错", "start": "name", "group_by": "note"}, headers=make.admin)
    assert r.status_code == 422, r.text
    paths = {d["path"]: d["code"] for d in r.json()["error"]["details"]}
    assert paths == {"forms[1].timelines[1].start": "not_a_date", "forms[1].timelines[1].group_by": "not_groupable"}
    assert [v["key"] for v in _task_form(make)["timelines"]] == ["schedule"]
    assert make.client.delete(f"{API}/nope", headers=make.admin).status_code == 404


def test_only_those_who_manage_the_form_edit_its_timelines(make: Maker, client: TestClient) -> None:
    member = {"key": "member", "name": "成员", "permissions": {"task": {"read": "all", "update": "all"}}}
    make.app_def(plan(roles=[member]))
    headers = make.user("member", admin=False)
    make.client.put("/api/v1/apps/plan/roles/member/members", json={"users": ["member"]}, headers=make.admin)
    assert make.client.put(f"{API}/mine", json={"name": "我的", "start": "starts_on"}, headers=headers).status_code == 403
    assert make.client.delete(f"{API}/schedule", headers=headers).status_code == 403
    client.post("/login", data={"username": "member", "password": "password-123"}, follow_redirects=False)
    assert client.get(PAGE).status_code == 403


def test_the_builder_page_lists_the_timelines_and_offers_date_and_group_fields(make: Maker, client: TestClient) -> None:
    make.app_def(plan())
    make.client.put(f"{API}/draft_only", json={"name": "草稿中的", "start": "ends_on"}, headers=make.admin)
    make.user("admin")
    client.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
    html = client.get(PAGE).text
    assert 'href="/apps/plan/forms/task/timeline/schedule">排期</a>' in html  # published: a link to it
    assert "草稿中的 <span class=\"muted\">(未发布)</span>" in html
    start = html[html.index('name="start"'):html.index("</select>", html.index('name="start"'))]
    assert 'value="starts_on"' in start and 'value="ends_on"' in start and 'value="name"' not in start
    group = html[html.index('name="group_by"'):html.index("</select>", html.index('name="group_by"'))]
    assert all(f'value="{k}"' in group for k in ("project", "status", "assignee")) and 'value="note"' not in group
    assert 'id="timelines-link"' in client.get("/apps/plan/builder/forms/task").text
