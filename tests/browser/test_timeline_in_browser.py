"""The tasks' timeline (甘特图) of the installed 项目管理 add-on in a real browser: dragging a bar moves both
dates, dragging its right edge moves the end, the arrow keys move it a day, each saved through the API
with the version check; a move the server refuses puts the bar back and says why."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Site
from tests.browser.wait import wait_until

TIMELINE = "/apps/crm/forms/task/timeline/schedule?scale=day"


@pytest.fixture(scope="module")
def projects(site: Site) -> int:
    """The 项目管理 add-on installed into the CRM, and one project; its id."""
    r = site.api.post("/templates/projects/install", json={})
    assert r.status_code == 201, r.text
    return int(site.record("crm", "project", {"name": "云帆仓储扫码 实施项目"})["id"])


def _task(page: Any, site: Site, project: int, name: str, start: int, end: int) -> tuple[dict[str, Any], date]:
    """A task from `start` to `end` days after the first day of the page's window, and that first day; the
    page reloaded to show it."""
    page.goto(site.url + TIMELINE)
    first = date.fromisoformat(json.loads(page.locator("#timeline-data").text_content())["first"])
    task = site.record("crm", "task", {"name": name, "project": project, "assignee": "zhang.wei",
                                       "starts_on": (first + timedelta(days=start)).isoformat(),
                                       "due_on": (first + timedelta(days=end)).isoformat()})
    page.goto(site.url + TIMELINE)
    return task, first


def _drag(page: Any, bar: Any, days: int, *, from_right_edge: bool = False) -> None:
    """Press on the bar (or its right edge), move by `days` day columns in small steps, release."""
    box = bar.bounding_box()
    track = bar.locator("xpath=..").bounding_box()
    day = track["width"] / json.loads(page.locator("#timeline-data").text_content())["days"]
    x = box["x"] + (box["width"] - 3 if from_right_edge else box["width"] / 2)
    y = box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + day * days, y, steps=12)
    page.mouse.up()


def _saved(page: Any, record_id: int, before: str) -> None:
    """Wait until the bar's version changed: the server has saved the move."""
    wait_until(page, """([id, before]) => { const b = document.querySelector(`.tl-bar[data-id="${id}"]`);
        return b !== null && b.dataset.version !== before; }""", arg=[str(record_id), before])


def test_dragging_a_bar_moves_both_dates_and_its_right_edge_moves_the_end(page: Any, site: Site, projects: int,
                                                                         faults: list[str]) -> None:
    task, first = _task(page, site, projects, "需求调研", 10, 14)
    bar = page.locator(f'.tl-bar[data-id="{task["id"]}"]')
    assert bar.locator(".tl-text").inner_text() == "需求调研"
    assert page.locator(".tl-group").first.inner_text().startswith("云帆仓储扫码 实施项目")
    _drag(page, bar, 3)
    _saved(page, task["id"], "1")
    data = site.api.get(f"/apps/crm/forms/task/records/{task['id']}").json()["data"]
    assert (data["starts_on"], data["due_on"]) == ((first + timedelta(days=13)).isoformat(),
                                                   (first + timedelta(days=17)).isoformat())
    assert bar.get_attribute("data-start") == data["starts_on"]

    version = bar.get_attribute("data-version")
    _drag(page, bar, 2, from_right_edge=True)
    _saved(page, task["id"], version)
    data = site.api.get(f"/apps/crm/forms/task/records/{task['id']}").json()["data"]
    assert (data["starts_on"], data["due_on"]) == ((first + timedelta(days=13)).isoformat(),
                                                   (first + timedelta(days=19)).isoformat())

    version = bar.get_attribute("data-version")
    bar.focus()
    page.keyboard.press("ArrowLeft")
    _saved(page, task["id"], version)
    data = site.api.get(f"/apps/crm/forms/task/records/{task['id']}").json()["data"]
    assert data["starts_on"] == (first + timedelta(days=12)).isoformat()


def test_a_refused_move_puts_the_bar_back_and_says_why(page: Any, site: Site, projects: int,
                                                       faults: list[str]) -> None:
    task, _first = _task(page, site, projects, "系统配置", 8, 12)
    bar = page.locator(f'.tl-bar[data-id="{task["id"]}"]')
    left = bar.evaluate("b => b.style.left")
    # Someone else changes the task after the timeline was drawn: the bar's version is stale.
    r = site.api.patch(f"/apps/crm/forms/task/records/{task['id']}", json={"data": {"hours": 8}})
    assert r.status_code == 200, r.text
    _drag(page, bar, 4)
    toast = page.locator("#toast.show")
    toast.wait_for()
    assert toast.inner_text().startswith("无法移动：") and "已被" in toast.inner_text()
    wait_until(page, """([id, left]) => document.querySelector(`.tl-bar[data-id="${id}"]`).style.left === left""",
               arg=[str(task["id"]), left])
    assert site.api.get(f"/apps/crm/forms/task/records/{task['id']}").json()["data"]["starts_on"] == task["data"]["starts_on"]


def test_a_click_on_a_bar_opens_its_record(page: Any, site: Site, projects: int, faults: list[str]) -> None:
    task, _first = _task(page, site, projects, "用户培训", 5, 6)
    page.locator(f'.tl-bar[data-id="{task["id"]}"]').click()
    page.wait_for_url(f"**/apps/crm/forms/task/records/{task['id']}")


def test_viewing_as_someone_the_bars_do_not_move_and_say_why(page: Any, site: Site, projects: int,
                                                             faults: list[str]) -> None:
    assert site.api.put("/apps/crm/roles/project_member/members", json={"users": ["zhang.wei"]}).status_code == 200
    task, _first = _task(page, site, projects, "上线切换", 6, 9)
    r = page.evaluate("() => window.tangram.api('POST', '/api/v1/view-as', {user: 'zhang.wei'}).then((r) => r.status)")
    assert r in (200, 201, 204)
    page.goto(site.url + TIMELINE)
    bar = page.locator(f'.tl-bar[data-id="{task["id"]}"]')
    assert "查看为模式下只读" in bar.get_attribute("title")
    left = bar.evaluate("b => b.style.left")
    _drag(page, bar, 3)
    toast = page.locator("#toast.show")
    toast.wait_for()
    assert toast.inner_text() == "无法移动：查看为模式下只读"
    assert bar.evaluate("b => b.style.left") == left and page.url.endswith(TIMELINE)
    page.evaluate("() => window.tangram.api('DELETE', '/api/v1/view-as')")
    assert site.api.get(f"/apps/crm/forms/task/records/{task['id']}").json()["version"] == 1


def test_a_timeline_added_in_the_builder_is_offered_on_the_list_once_published(page: Any, site: Site, projects: int,
                                                                              faults: list[str]) -> None:
    page.goto(site.url + "/apps/crm/builder/forms/task")
    with page.expect_navigation():
        page.locator("#timelines-link").click()
    form = page.locator("#tlb-form")
    form.get_by_label("标识（英文）").fill("by_priority")
    form.get_by_label("名称", exact=True).fill("按优先级")
    form.locator("select[name=start]").select_option("starts_on")
    form.locator("select[name=end]").select_option("starts_on")  # the same field: refused, next to the input
    form.locator("#tlb-save").click()
    expect(form.locator('[data-error-for="end"]')).to_contain_text("结束日期字段不能与开始日期字段相同")
    form.locator("select[name=end]").select_option("due_on")
    form.locator("select[name=group_by]").select_option("priority")
    with page.expect_navigation():
        form.locator("#tlb-save").click()
    expect(page.locator('#tlb-list tr[data-key="by_priority"]')).to_contain_text("未发布")
    page.locator("#tlb-publish").click()
    expect(page.locator('#tlb-list tr[data-key="by_priority"] a')).to_have_text("按优先级")
    page.goto(site.url + "/apps/crm/forms/task")
    with page.expect_navigation():
        page.locator("a.timeline-link", has_text="按优先级").click()
    expect(page.locator("h1")).to_have_text("任务 · 按优先级")
