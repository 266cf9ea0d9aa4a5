"""The designer's trigger panel offers both kinds of 定时, in Chinese: 逐条记录 (once per record matching a
condition built with the field / operator / value picker) and 每次运行一次 (a scheduled pull on no record,
`each_record: false`); each saved, read back after a reload, and dropped again when the trigger becomes
another type. The stored definition is checked through the API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site
from tests.browser.wait import wait_until

FOLLOW = {
    "format": "tangram/app@1", "key": "follow", "name": "跟进", "version": "1.0.0",
    "forms": [{"key": "deal", "name": "商机", "title_field": "name", "fields": [
        {"key": "name", "type": "text", "label": "名称", "required": True},
        {"key": "status", "type": "select", "label": "状态", "options": ["跟进中", "已成交", "已流失"]},
        {"key": "amount", "type": "money", "label": "金额"},
    ]}],
    "flows": [{"key": "remind", "name": "跟进提醒", "form": "deal", "trigger": {"on": "create"}, "steps": [
        {"type": "cc", "to": {"users": ["admin"]}, "message": "请跟进 {name}"}]}],
}
URL = "/apps/follow/builder/flows/remind"


@pytest.fixture(scope="module")
def follow(site: Site) -> Site:
    r = site.api.post("/apps", json=FOLLOW)
    assert r.status_code == 201, r.text
    return site


def _trigger(site: Site) -> dict[str, Any]:
    return next(i["flow"]["trigger"] for i in site.api.get("/apps/follow/draft/flows").json()["items"]
                if i["flow"]["key"] == "remind")


def _open(page: Any) -> Any:
    page.locator(".node.trigger").click()
    panel = page.locator("#trigger-panel")
    panel.wait_for(state="visible")
    return panel


def _next_runs_at(page: Any, time: str) -> None:
    """The schedule's next runs shown (they arrive after the panel is drawn and push 保存 down: a click
    meanwhile can land beside it)."""
    wait_until(page, """(time) => {
        const runs = [...document.querySelectorAll('#trigger-next-runs li')];
        return runs.length === 3 && runs.every((run) => run.textContent.endsWith(time));
    }""", time)


def _save(page: Any, panel: Any) -> None:
    page.evaluate("document.getElementById('toast').textContent = ''")
    panel.get_by_role("button", name="保存").click()
    wait_until(page, "document.getElementById('toast').textContent !== ''")
    # a refusal shows its message in the same toast: the assertion then names it
    assert page.locator("#toast").text_content() == "已保存"


def test_a_schedule_per_matching_record_and_a_scheduled_pull_are_set_in_the_panel(page: Any, follow: Site) -> None:
    page.goto(f"{follow.url}{URL}")
    panel = _open(page)
    panel.get_by_label("触发方式").select_option(label="定时")
    panel.get_by_label("频率").select_option(label="每天")
    panel.get_by_label("时间", exact=True).fill("08:30")
    _next_runs_at(page, "08:30")
    each = panel.get_by_label("逐条记录：符合下方条件的每条记录各运行一次")
    assert each.is_visible() and each.is_checked()  # per record is the default
    panel.get_by_role("button", name="添加条件").click()
    row = panel.locator(".cp-row").nth(0)
    row.get_by_label("字段").select_option(label="状态")
    row.get_by_label("值").select_option("跟进中")
    _save(page, panel)
    assert _trigger(follow) == {"on": "schedule", "cron": "30 8 * * *", "when": 'status = "跟进中"'}

    page.reload()
    panel = _open(page)
    _next_runs_at(page, "08:30")
    assert panel.get_by_label("逐条记录：符合下方条件的每条记录各运行一次").is_checked()
    panel.get_by_label("每次运行一次，不针对记录（如定时拉取 ERP 数据）").check()
    panel.locator(".cp-row").nth(0).get_by_role("button", name="移除").click()
    _save(page, panel)
    assert _trigger(follow) == {"on": "schedule", "cron": "30 8 * * *", "each_record": False}

    page.reload()
    panel = _open(page)
    _next_runs_at(page, "08:30")
    assert panel.get_by_label("每次运行一次，不针对记录（如定时拉取 ERP 数据）").is_checked()
    panel.get_by_label("触发方式").select_option(label="新建时")
    assert not panel.get_by_label("每次运行一次，不针对记录（如定时拉取 ERP 数据）").is_visible()
    _save(page, panel)
    assert _trigger(follow) == {"on": "create"}
