"""A builder who is not an administrator builds a trigger condition on a user field: the value is picked in
the people picker, searched in the app's people directory (by display name), not in the administrators'
user list, which refuses them; saved and reopened, it shows as a chip with the display name."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, Site
from tests.browser.people import chosen, set_people
from tests.browser.wait import wait_until

DESK = {
    "format": "tangram/app@1", "key": "desk", "name": "服务台", "version": "1.0.0",
    "forms": [{"key": "ticket", "name": "工单", "title_field": "title", "fields": [
        {"key": "title", "type": "text", "label": "标题", "required": True},
        {"key": "handler", "type": "user", "label": "处理人"},
    ]}],
    "roles": [{"key": "designer", "name": "应用设计", "permissions": {"*": {"manage": True, "read": "all"}}}],
    "flows": [{"key": "ticket_notice", "name": "工单提醒", "form": "ticket", "trigger": {"on": "create"},
               "steps": [{"type": "condition", "branches": [
                   {"name": "有处理人", "when": "TRUE", "steps": []}, {"name": "其他", "default": True, "steps": []}]}]}],
}


@pytest.fixture(scope="module")
def desk(site: Site) -> Site:
    r = site.api.post("/apps", json=DESK)
    assert r.status_code == 201, r.text
    r = site.api.put("/apps/desk/roles/designer/members", json={"users": ["zhang.wei"]})
    assert r.status_code == 200, r.text
    return site


def test_a_builders_user_condition_picks_from_the_apps_people_by_display_name(browser: Any, desk: Site) -> None:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    try:
        page.goto(f"{desk.url}/login")
        page.get_by_label("用户名").fill("zhang.wei")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{desk.url}/")
        page.goto(f"{desk.url}/apps/desk/builder/flows/ticket_notice")
        page.locator(".node.trigger").click()
        panel = page.locator("#trigger-panel")
        panel.wait_for(state="visible")
        panel.get_by_role("button", name="添加条件").click()
        row = panel.locator(".cp-row").nth(0)
        row.get_by_label("字段").select_option(label="处理人")
        set_people(row, "值", ["zhang.wei"], query={"zhang.wei": "张伟"})  # searched by display name
        assert row.locator("li.chip").inner_text().startswith("张伟")
        wait_until(page, "document.getElementById('trigger-when').value === 'handler = \"zhang.wei\"'")
        # read back: the saved condition shows its person as a chip with the display name
        with page.expect_response(lambda r: r.request.method in ("PATCH", "PUT") and "/draft/flows/" in r.url) as saved:
            panel.get_by_role("button", name="保存").click()
        assert saved.value.ok, saved.value.text()
        page.reload()
        page.locator(".node.trigger").click()
        panel.wait_for(state="visible")
        assert chosen(panel.locator(".cp-row").nth(0), "值") == ["zhang.wei"]
        wait_until(page, "document.querySelector('#trigger-panel .cp-row li.chip').textContent.startsWith('张伟')")
    finally:
        context.close()
