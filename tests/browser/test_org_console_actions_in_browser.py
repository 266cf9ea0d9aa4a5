"""The console's buttons that the story tests do not press, in a real browser and in Chinese (issue 27): a
department renamed, given a head and deactivated from its edit panel; a user deactivated and reactivated,
unlocked after login throttling and signed out everywhere from their page, which shows their roles, tokens and
logins; a user's new API token (读写, 7 天) listed at once; an administrator revoking someone else's token
from 全部 API 令牌."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, Site
from tests.browser.signed_in import signed_in_page


def _login_status(site: Site, username: str, password: str = PASSWORD) -> int:
    return httpx.post(f"{site.url}/api/v1/auth/login", json={"username": username, "password": password}).status_code


def _user(site: Site, username: str, display: str, departments: list[str] | None = None) -> None:
    r = site.api.post(
        "/users",
        json={"username": username, "password": PASSWORD, "display_name": display, "departments": departments or []},
    )
    assert r.status_code == 201, r.text


def test_a_department_is_renamed_given_a_head_and_deactivated_from_its_panel(
    page: Any, site: Site, faults: list[str]
) -> None:
    assert site.api.post("/departments", json={"key": "kefu", "name": "客服组"}).status_code == 201
    _user(site, "sun.li", "孙丽", ["kefu"])
    page.goto(f"{site.url}/admin/org")
    page.get_by_role("button", name="编辑 客服组").click()
    panel = page.locator("#dept-edit")
    panel.get_by_label("部门名称").fill("客户服务部")
    panel.get_by_label("部门负责人（用户名）").fill("no.such")
    panel.get_by_role("button", name="保存").click()
    expect(panel.locator('[data-error-for="form"]')).to_contain_text("no.such")
    assert site.api.get("/departments").json()["items"][0]["name"] == "客服组"  # nothing saved
    head = panel.get_by_label("部门负责人（用户名）")
    head.fill("")
    head.press_sequentially("孙丽")  # typing the name offers the user, whose username the box then takes
    expect(page.locator('#dept-head-people option[value="sun.li"]')).to_have_attribute("label", "孙丽（sun.li）")
    head.fill("sun.li")
    with page.expect_navigation():
        panel.get_by_role("button", name="保存").click()
    item = page.locator('#dept-tree li[data-key="kefu"]')
    expect(item).to_contain_text("客户服务部")
    expect(item.locator(".dept-head")).to_have_text("部门负责人：孙丽")

    page.get_by_role("button", name="编辑 客户服务部").click()
    panel.get_by_label("启用").uncheck()
    with page.expect_navigation():
        panel.get_by_role("button", name="保存").click()
    expect(page.locator('#dept-tree li[data-key="kefu"]')).to_contain_text("已停用")
    kefu = next(d for d in site.api.get("/departments").json()["items"] if d["key"] == "kefu")
    assert kefu == {"key": "kefu", "name": "客户服务部", "parent": None, "head": "sun.li", "active": False}


def test_a_users_page_deactivates_unlocks_and_signs_them_out_everywhere(
    page: Any, site: Site, browser: Any, faults: list[str]
) -> None:
    _user(site, "qian.hao", "钱浩")
    assert site.api.put("/apps/crm/roles/sales_rep/members", json={"users": ["qian.hao"]}).status_code == 200
    theirs = signed_in_page(browser, site.url, "qian.hao", faults)  # a session the administrator will end

    page.goto(f"{site.url}/admin/users/qian.hao")
    expect(page.locator("#roles-title + dl")).to_contain_text("销售代表")
    expect(page.locator("#user-logins tbody tr").first).to_contain_text("登录成功")
    expect(page.locator("#user-sessions tbody tr")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="全部下线").click()
    expect(page.locator("#user-sessions")).to_contain_text("没有在线会话")
    theirs.goto(f"{site.url}/inbox")
    theirs.wait_for_url("**/login**")  # their browser's session ended
    theirs.context.close()

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="停用").click()
    expect(page.locator("#user-state")).to_have_text("已停用")
    assert _login_status(site, "qian.hao") == 401
    with page.expect_navigation():
        page.get_by_role("button", name="重新启用").click()
    expect(page.locator("#user-state")).to_have_count(0)
    assert _login_status(site, "qian.hao") == 200

    for _ in range(5):  # three free failures, then the name must wait: even the right password is refused
        _login_status(site, "qian.hao", "wrong-Pass-1")
    assert _login_status(site, "qian.hao") == 429
    page.reload()
    expect(page.locator("#user-login-holds tbody tr").first).to_contain_text("3")
    expect(page.locator("#user-logins tbody tr").first).to_contain_text("尝试过多被拒")
    with page.expect_navigation():
        page.get_by_role("button", name="解除登录锁定").click()
    expect(page.locator("#user-login-holds-none")).to_be_visible()
    assert _login_status(site, "qian.hao") == 200


def test_a_new_token_is_listed_at_once_and_an_administrator_revokes_anyones(
    page: Any, site: Site, browser: Any, faults: list[str]
) -> None:
    _user(site, "zhou.yu", "周瑜")
    assert site.api.put("/apps/crm/roles/sales_rep/members", json={"users": ["zhou.yu"]}).status_code == 200
    theirs = signed_in_page(browser, site.url, "zhou.yu", faults)
    theirs.get_by_role("link", name="我的账号").click()
    theirs.get_by_text("新建 API 令牌", exact=True).click()
    form = theirs.locator("#token-new")
    form.get_by_label("名称").fill("ERP 同步")
    form.get_by_label("客户关系管理").check()
    form.get_by_label("读写").check()
    form.get_by_label("有效期（天）").fill("7")
    form.get_by_role("button", name="创建").click()
    token = theirs.locator("#token-text code")
    token.wait_for()
    text = token.inner_text()
    row = theirs.locator("#my-tokens tbody tr", has_text="ERP 同步")
    expect(row).to_contain_text("读写")  # listed at once, beside the text shown this once
    expect(row).to_contain_text("crm")
    assert text not in theirs.locator("#my-tokens").inner_text()
    assert httpx.get(f"{site.url}/api/v1/me", headers={"Authorization": f"Bearer {text}"}).status_code == 200
    theirs.context.close()

    page.goto(f"{site.url}/admin/users/zhou.yu")  # their page lists it too
    expect(page.locator("#user-tokens tbody tr", has_text="ERP 同步")).to_contain_text("读写")
    page.goto(f"{site.url}/admin/org")
    page.get_by_role("link", name="全部 API 令牌").click()
    mine = page.locator("#all-tokens tbody tr", has_text="ERP 同步")
    expect(mine).to_contain_text("zhou.yu")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        mine.get_by_role("button", name="吊销").click()
    expect(page.locator("#all-tokens tbody tr", has_text="ERP 同步")).to_contain_text("已吊销")
    assert httpx.get(f"{site.url}/api/v1/me", headers={"Authorization": f"Bearer {text}"}).status_code == 401


def test_my_account_signs_me_out_everywhere(site: Site, browser: Any, faults: list[str]) -> None:
    _user(site, "lu.xun", "鲁迅")
    laptop = signed_in_page(browser, site.url, "lu.xun", faults)
    phone = signed_in_page(browser, site.url, "lu.xun", faults)
    laptop.goto(f"{site.url}/account")
    expect(laptop.locator("#my-sessions tbody tr")).to_have_count(2)
    laptop.once("dialog", lambda dialog: dialog.accept())
    laptop.get_by_role("button", name="全部下线").click()
    laptop.wait_for_url("**/login**")
    phone.goto(f"{site.url}/account")
    phone.wait_for_url("**/login**")  # the other browser's session ended too
    assert site.api.get("/users/lu.xun/sessions").json()["items"] == []
    laptop.context.close()
    phone.context.close()
