"""The timeline (甘特图) page over HTTP, on every backend: the bars of the records in the window (a point for
a record without an end, overdue ones marked, grouped), the list's filters and the reader's row scope, a
hidden date field (no timeline, a clear message), read-only dates, the bound on bars, bad parameters (4xx),
and a timeline declared wrongly in a definition (422 naming where). Dragging is in tests/browser/."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.accounts.users import create_user
from tests.factories import Maker

PAGE = "/apps/plan/forms/task/timeline/schedule"
WEEK = {"scale": "week", "from": "2020-01-06"}  # sixteen weeks from Monday 6 January 2020: 2020-01-06 … 2020-04-26
TIMELINE = {"key": "schedule", "name": "排期", "name_en": "Schedule", "start": "starts_on", "end": "ends_on",
            "group_by": "project", "done": 'status = "已完成"'}


def plan(timelines: list[dict[str, Any]] | None = None, roles: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"format": "tangram/app@1", "key": "plan", "name": "计划", "version": "1.0.0", "forms": [
        {"key": "project", "name": "项目", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "项目名称", "required": True}]},
        {"key": "task", "name": "任务", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "任务名称", "required": True},
            {"key": "project", "type": "relation", "label": "项目", "target": "project"},
            {"key": "starts_on", "type": "date", "label": "开始日期"},
            {"key": "ends_on", "type": "date", "label": "结束日期"},
            {"key": "status", "type": "select", "label": "状态", "options": ["待办", "进行中", "已完成"]},
            {"key": "assignee", "type": "user", "label": "负责人"},
            {"key": "note", "type": "text", "label": "备注"}],
         "timelines": [TIMELINE] if timelines is None else timelines}],
        "roles": roles or []}


def _login(make: Maker, client: TestClient, username: str = "admin", admin: bool = True) -> None:
    make.user(username, admin=admin)
    r = client.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303, r.text


def _task(make: Maker, name: str, headers: dict[str, str] | None = None, **values: Any) -> int:
    r = make.client.post("/api/v1/apps/plan/forms/task/records", json={"data": {"name": name, **values}},
                         headers=headers or make.admin)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _bars(html: str) -> dict[int, str]:
    """record id -> the bar's class attribute."""
    return {int(i): c for c, i in re.findall(r'<div class="(tl-bar[^"]*)"[^>]*?data-id="(\d+)"', html, re.S)}


def test_the_window_shows_a_bar_per_record_in_it_points_for_records_without_an_end_and_marks_the_overdue(
        make: Maker, client: TestClient) -> None:
    make.app_def(plan())
    alpha = make.record("project", {"name": "甲项目"}, app="plan")["id"]
    inside = _task(make, "需求调研", project=alpha, starts_on="2020-01-08", ends_on="2020-01-20", status="进行中")
    done = _task(make, "方案设计", project=alpha, starts_on="2020-01-10", ends_on="2020-01-15", status="已完成")
    across = _task(make, "跨越窗口", starts_on="2019-12-01", ends_on="2020-08-01", status="待办")
    point = _task(make, "只有开始", project=alpha, starts_on="2020-02-03")
    before = _task(make, "更早的任务", starts_on="2019-10-01", ends_on="2019-12-31")
    after = _task(make, "更晚的任务", starts_on="2020-04-27", ends_on="2020-05-03")
    undated = _task(make, "没有日期")
    _login(make, client)
    r = client.get(PAGE, params=WEEK)
    assert r.status_code == 200, r.text
    bars = _bars(r.text)
    assert set(bars) == {inside, done, across, point}  # before, after and undated are not in the window
    assert {before, after, undated}.isdisjoint(bars)
    assert "overdue" in bars[inside] and "overdue" not in bars[done] and "done" in bars[done]
    assert "tl-point" in bars[point] and "overdue" in bars[point]  # its only date is long past
    assert "clipped-left" in bars[across] and "clipped-right" in bars[across]
    # 2020-01-08 is day 2 of 112: left 2/112, width 13 days
    assert re.search(rf'data-id="{inside}"[^>]*style="left: 1.7857%; width: 11.6071%"', r.text, re.S)
    # rows grouped by 项目: 甲项目 first, the tasks without a project last
    assert r.text.index("甲项目") < r.text.index("跨越窗口")
    assert "2020-01-06 至 2020-04-26" in r.text
    assert client.get(PAGE, params={"scale": "month", "from": "2020-01-15"}).text.count('class="tl-col"') == 12


def test_rows_grouped_by_a_user_field_are_headed_by_display_names_and_the_page_speaks_english(
        make: Maker, client: TestClient) -> None:
    by_person = TIMELINE | {"key": "by_person", "name": "按负责人", "name_en": "By assignee", "group_by": "assignee"}
    make.app_def(plan(timelines=[TIMELINE, by_person]))
    with make.app.state.db.write() as conn:
        create_user(conn, "li.na", "password-123", datetime.now(UTC), display_name="李娜")
    _task(make, "接口开发", starts_on="2020-01-07", ends_on="2020-01-09", assignee="li.na")
    _login(make, client)
    html = client.get("/apps/plan/forms/task/timeline/by_person", params=WEEK).text
    assert re.search(r'class="tl-group"[^>]*>李娜 ', html)
    assert 'value="/apps/plan/forms/task/timeline/schedule"' in html  # the switcher offers the other one
    english = client.get("/apps/plan/forms/task/timeline/by_person", params={**WEEK, "lang": "en"}).text
    assert "By assignee" in english and "2020-01-06 to 2020-04-26" in english and ">Week<" in english


def test_the_list_filters_and_the_row_scope_are_honoured(make: Maker, client: TestClient) -> None:
    member = {"key": "member", "name": "成员", "permissions": {"task": {"create": True, "read": "own", "update": "own"},
                                                             "project": {"read": "all"}}}
    make.app_def(plan(roles=[member]))
    mine = make.user("mine", admin=False)
    make.client.put("/api/v1/apps/plan/roles/member/members", json={"users": ["mine"]}, headers=make.admin)
    own = _task(make, "我的任务", mine, starts_on="2020-01-07", ends_on="2020-01-09", status="待办")
    own_done = _task(make, "我做完的", mine, starts_on="2020-01-07", ends_on="2020-01-09", status="已完成")
    other = _task(make, "别人的任务", starts_on="2020-01-07", ends_on="2020-01-09", status="待办")
    _login(make, client)
    assert set(_bars(client.get(PAGE, params={**WEEK, "filter[status]": "待办"}).text)) == {own, other}
    assert set(_bars(client.get(PAGE, params={**WEEK, "filter": 'name != "我的任务"'}).text)) == {own_done, other}
    client.post("/logout")
    _login(make, client, "mine", admin=False)
    html = client.get(PAGE, params=WEEK).text
    assert set(_bars(html)) == {own, own_done} and "别人的任务" not in html


def test_a_reader_without_the_date_field_gets_no_timeline_and_a_clear_message(make: Maker, client: TestClient) -> None:
    blind = {"key": "blind", "name": "外包", "permissions": {"task": {"read": "all", "update": "all",
                                                                     "fields": {"ends_on": "hidden"}}}}
    make.app_def(plan(roles=[blind]))
    make.user("blind", admin=False)
    make.client.put("/api/v1/apps/plan/roles/blind/members", json={"users": ["blind"]}, headers=make.admin)
    task = _task(make, "保密任务", starts_on="2020-01-07", ends_on="2020-01-09")
    _login(make, client, "blind", admin=False)
    r = client.get(PAGE, params=WEEK)
    assert r.status_code == 403
    assert "此时间线所用的日期字段对你不可见" in r.text and "2020-01-09" not in r.text and task not in _bars(r.text)
    assert "/timeline/schedule" not in client.get("/apps/plan/forms/task").text  # not offered on the list either
    [form] = [f for f in client.get("/api/v1/apps/plan").json()["definition"]["forms"] if f["key"] == "task"]
    assert "ends_on" not in str(form) and not form.get("timelines")  # nor in the definition they may read


def test_dates_a_reader_may_not_change_make_the_timeline_read_only_and_say_why(make: Maker, client: TestClient) -> None:
    fixed = {"key": "fixed", "name": "只读日期", "permissions": {"task": {"read": "all", "update": "all",
                                                                        "fields": {"starts_on": "read"}}}}
    make.app_def(plan(roles=[fixed]))
    make.user("fixed", admin=False)
    make.client.put("/api/v1/apps/plan/roles/fixed/members", json={"users": ["fixed"]}, headers=make.admin)
    _task(make, "固定任务", starts_on="2020-01-07", ends_on="2020-01-09")
    _login(make, client, "fixed", admin=False)
    html = client.get(PAGE, params=WEEK).text
    assert "你不能修改日期字段，时间线只读" in html and 'class="timeline scale-week read-only"' in html
    assert '"reason": "你不能修改日期字段，时间线只读"' in html  # timeline.js reads it and moves nothing


def test_a_window_with_more_records_than_the_bound_draws_the_first_and_says_how_many_there_are(
        make: Maker, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("builder_ui.timeline.MAX_BARS", 3)
    make.app_def(plan())
    ids = [_task(make, f"任务{i}", starts_on=f"2020-01-{10 + i}", ends_on="2020-02-01") for i in range(5)]
    _login(make, client)
    html = client.get(PAGE, params=WEEK).text
    assert set(_bars(html)) == set(ids[:3])  # by start date
    assert "时间范围内共 5 条，只显示按开始日期排序的前 3 条" in html


@pytest.mark.parametrize("params, status, field", [
    ({"scale": "year"}, 400, "scale"),
    ({"from": "2020-13-45"}, 400, "from"),
    ({"filter[nope]": "x"}, 400, "nope"),
    ({"filter": "status = "}, 400, "表达式"),  # an expression that does not parse: where it stops
], ids=["unknown-scale", "bad-date", "unknown-filter-field", "broken-expression"])
def test_bad_parameters_are_a_4xx_page_naming_what(make: Maker, client: TestClient, params: dict[str, str],
                                                    status: int, field: str) -> None:
    make.app_def(plan())
    _login(make, client)
    r = client.get(PAGE, params=params)
    assert r.status_code == status and field in r.text


def test_an_unknown_timeline_is_a_404_naming_the_ones_there_are(make: Maker, client: TestClient) -> None:
    make.app_def(plan())
    _login(make, client)
    r = client.get("/apps/plan/forms/task/timeline/gantt")
    assert r.status_code == 404 and "schedule" in r.text


def test_the_list_kanban_and_app_page_offer_the_timelines_the_list_with_its_filters(make: Maker, client: TestClient) -> None:
    make.app_def(plan())
    _login(make, client)
    html = client.get("/apps/plan/forms/task", params={"filter[status]": "待办"}).text
    assert 'href="/apps/plan/forms/task/timeline/schedule?filter%5Bstatus%5D=%E5%BE%85%E5%8A%9E"' in html
    assert 'href="/apps/plan/forms/task/timeline/schedule"' in client.get("/apps/plan/forms/task/kanban/status").text
    assert 'href="/apps/plan/forms/task/timeline/schedule"' in client.get("/apps/plan").text


@pytest.mark.parametrize("timeline, path, code", [
    ({"start": "name"}, "forms[1].timelines[0].start", "not_a_date"),
    ({"end": "due"}, "forms[1].timelines[0].end", "unknown_field"),
    ({"end": "starts_on"}, "forms[1].timelines[0].end", "same_field"),
    ({"group_by": "note"}, "forms[1].timelines[0].group_by", "not_groupable"),
    ({"done": "status = "}, "forms[1].timelines[0].done", None),  # the parser's own code
    ({"scale": "year"}, "forms[1].timelines[0].scale", None),
], ids=["start-not-a-date", "unknown-end", "end-is-start", "group-by-text", "broken-done", "unknown-scale"])
def test_a_wrong_timeline_in_a_definition_is_refused_naming_where(make: Maker, timeline: dict[str, Any], path: str,
                                                                  code: str | None) -> None:
    r = make.client.post("/api/v1/apps", json=plan(timelines=[TIMELINE | timeline]), headers=make.admin)
    assert r.status_code == 422, r.text
    details = r.json()["error"]["details"]
    assert any(d["path"].startswith(path) and (code is None or d["code"] == code) for d in details), details


def test_removing_a_date_field_in_the_builder_drops_the_timelines_it_starts_and_ends_others_as_points(
        make: Maker) -> None:
    by_end = TIMELINE | {"key": "by_end", "name": "按结束", "start": "ends_on", "end": "starts_on"}
    make.app_def(plan(timelines=[TIMELINE, by_end]))
    r = make.client.delete("/api/v1/apps/plan/forms/task/fields/starts_on", headers=make.admin)
    assert r.status_code == 200, r.text
    assert make.client.post("/api/v1/apps/plan/publish", headers=make.admin).status_code == 200
    form = make.client.get("/api/v1/apps/plan", headers=make.admin).json()["definition"]["forms"][1]
    assert [(v["key"], v.get("end")) for v in form["timelines"]] == [("by_end", None)]


def test_a_done_condition_through_a_related_field_hidden_from_the_reader_marks_nothing_and_breaks_nothing(
        make: Maker, client: TestClient) -> None:
    by_project = dict(TIMELINE, done='project.name = "甲项目"')
    member = {"key": "member", "name": "成员", "permissions": {
        "task": {"read": "all"}, "project": {"read": "all", "fields": {"name": "hidden"}}}}
    make.app_def(plan(timelines=[by_project], roles=[member]))
    make.user("member", admin=False)
    make.client.put("/api/v1/apps/plan/roles/member/members", json={"users": ["member"]}, headers=make.admin)
    alpha = make.record("project", {"name": "甲项目"}, app="plan")["id"]
    task = _task(make, "甲的任务", project=alpha, starts_on="2020-01-07", ends_on="2020-01-09")
    _login(make, client)
    assert "done" in _bars(client.get(PAGE, params=WEEK).text)[task]  # the administrator sees it done
    _login(make, client, "member", admin=False)
    r = client.get(PAGE, params=WEEK)
    assert r.status_code == 200, r.text
    assert "done" not in _bars(r.text)[task]  # a mark would tell the member the hidden 项目名称
