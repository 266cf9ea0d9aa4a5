"""A builder who is not an administrator builds a trigger condition on a user field: the value's suggestions
come from the app's people directory (display names beside usernames), not from the administrators' user
list, which refuses them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, Site
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


def test_a_builders_user_condition_suggests_the_apps_people_by_display_name(browser: Any, desk: Site) -> None:
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
        wait_until(page, "document.querySelectorAll('#trigger-panel .cp-row datalist option').length >= 2")
        offered = page.eval_on_selector_all("#trigger-panel .cp-row datalist option",
                                            "options => options.map(o => [o.value, o.textContent])")
        assert ["admin", "管理员"] in offered and ["zhang.wei", "张伟"] in offered
        row.get_by_label("值").fill("admin")
        wait_until(page, "document.getElementById('trigger-when').value === 'handler = \"admin\"'")
    finally:
        context.close()
