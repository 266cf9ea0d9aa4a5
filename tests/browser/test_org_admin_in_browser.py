"""管理 → 组织架构 in the browser: the administrator builds a department tree, creates two users, resets one's
password; that user must choose their own at the next login; the administrator finds it in the audit log."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import Site


def _new_department(page: Any, key: str, name: str, parent: str | None) -> None:
    form = page.locator("#dept-new")
    if not form.is_visible():
        page.get_by_text("新建部门", exact=True).click()
    form.get_by_label("部门名称").fill(name)
    form.get_by_label("部门编码（英文）").fill(key)
    form.get_by_label("上级部门").select_option(parent or "")
    form.get_by_role("button", name="创建").click()
    page.locator(f'#dept-tree li[data-key="{key}"]').wait_for()


def _new_user(page: Any, username: str, name: str, departments: list[str], mobile: str) -> None:
    page.goto(page.url.split("/admin")[0] + "/admin/org")
    page.get_by_text("新建用户", exact=True).click()
    form = page.locator("#user-new")
    form.get_by_label("用户名").fill(username)
    form.get_by_label("姓名").fill(name)
    form.get_by_label("初始密码").fill("Chu-shi-2026")
    form.get_by_label("部门").select_option(departments)
    form.get_by_label("手机").fill(mobile)
    form.get_by_role("button", name="创建").click()
    page.wait_for_url(f"**/admin/users/{username}")


def test_admin_builds_the_organisation_and_forces_a_password_change(browser: Any, site: Site, page: Any) -> None:
    faults: list[str] = []  # the pages run under the strict policy: no violation, no script error
    page.on("console", lambda m: faults.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: faults.append(f"script error: {e}"))
    page.get_by_role("link", name="管理", exact=True).click()
    page.wait_for_url("**/admin/org")
    _new_department(page, "zongbu", "总部", None)
    _new_department(page, "xiaoshou", "销售部", "zongbu")
    _new_department(page, "huadong", "华东区", "xiaoshou")
    depths = page.locator("#dept-tree li.dept").evaluate_all(
        "items => items.map(li => li.dataset.key + ':' + li.style.getPropertyValue('--depth').trim())"
    )
    assert depths == ["zongbu:0", "xiaoshou:1", "huadong:2"]
    # 华东区 dragged to the top level and back under 销售部; 总部 cannot go under its own 华东区.
    page.locator('#dept-tree li[data-key="huadong"]').drag_to(page.locator("#dept-root"))
    expect(page.locator('#dept-tree li[data-key="huadong"]')).to_have_attribute("style", "--depth: 0")
    page.locator('#dept-tree li[data-key="huadong"]').drag_to(page.locator('#dept-tree li[data-key="xiaoshou"]'))
    expect(page.locator('#dept-tree li[data-key="huadong"]')).to_have_attribute("style", "--depth: 2")
    page.locator('#dept-tree li[data-key="zongbu"]').drag_to(page.locator('#dept-tree li[data-key="huadong"]'))
    expect(page.locator("#toast")).to_contain_text("部门不能成为自己的下级")
    assert site.api.get("/departments").json()["items"][2] == {
        "key": "zongbu",
        "name": "总部",
        "parent": None,
        "head": None,
        "active": True,
    }

    # A bad mobile number is named at its field, and nothing is created.
    page.get_by_text("新建用户", exact=True).click()
    form = page.locator("#user-new")
    form.get_by_label("用户名").fill("wang.fang")
    form.get_by_label("初始密码").fill("Chu-shi-2026")
    form.get_by_label("手机").fill("12345")
    form.get_by_role("button", name="创建").click()
    expect(form.locator('[data-error-for="mobile"]')).to_contain_text("手机号")
    assert site.api.get("/users/wang.fang").status_code == 404

    _new_user(page, "wang.fang", "王芳", ["huadong"], "13800138000")
    _new_user(page, "li.na", "李娜", ["xiaoshou", "zongbu"], "13900139000")
    assert site.api.get("/users/li.na").json()["primary_department"] == "zongbu"  # the first in the tree
    page.locator("#user-edit").get_by_label("主部门").select_option("xiaoshou")
    page.locator("#user-edit").get_by_label("邮箱").fill("li.na@example.cn")
    with page.expect_navigation():  # the page reloads to show the stored state
        page.locator("#user-edit").get_by_role("button", name="保存").click()
    expect(page.locator("#toast")).to_contain_text("已保存")
    assert site.api.get("/users/li.na").json()["primary_department"] == "xiaoshou"
    assert site.api.get("/users/li.na").json()["email"] == "li.na@example.cn"
    page.locator("#user-edit").get_by_label("下次登录时必须修改密码").check()
    with page.expect_navigation():
        page.locator("#user-edit").get_by_role("button", name="保存").click()
    expect(page.locator("#user-must-change")).to_be_visible()
    assert site.api.get("/users/li.na").json()["must_change_password"] is True

    page.goto(f"{site.url}/admin/users/wang.fang")
    reset = page.locator("#password-reset")
    reset.get_by_role("button", name="重置密码").click()
    shown = page.locator("#new-password code")
    shown.wait_for()
    temporary = shown.inner_text()
    assert len(temporary) >= 8 and site.api.get("/users/wang.fang").json()["must_change_password"] is True

    # 王芳 logs in with it and is taken to 修改密码 before anything else.
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    user_page = context.new_page()
    user_page.goto(f"{site.url}/login")
    user_page.get_by_label("用户名").fill("wang.fang")
    user_page.get_by_label("密码").fill(temporary)
    user_page.get_by_role("button", name="登录").click()
    user_page.wait_for_url("**/account/password?next=%2F")
    assert "管理员要求你修改密码" in user_page.locator("#forced-note").inner_text()
    user_page.goto(f"{site.url}/inbox")
    user_page.wait_for_url("**/account/password?next=%2Finbox")
    user_page.get_by_label("当前密码").fill(temporary)
    user_page.get_by_label("新密码", exact=True).fill("Wo-de-mima-88")
    user_page.get_by_label("再次输入新密码").fill("Wo-de-mima-89")
    user_page.get_by_role("button", name="修改密码").click()
    expect(user_page.locator('[data-error-for="again"]')).to_contain_text("不一致")
    user_page.get_by_label("再次输入新密码").fill("Wo-de-mima-88")
    user_page.get_by_role("button", name="修改密码").click()
    user_page.wait_for_url(f"{site.url}/inbox")
    context.close()
    assert site.api.get("/users/wang.fang").json()["must_change_password"] is False

    # The administrator finds the reset and the change in the audit log, with what the reset did.
    page.goto(f"{site.url}/admin/org")
    page.get_by_role("link", name="审计日志").click()
    page.wait_for_url("**/admin/audit")
    filters = page.locator("#audit-filters")
    filters.get_by_label("用户名").fill("wang.fang")
    filters.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/admin/audit?user=wang.fang**")
    rows = page.locator("#audit-entries tbody tr")
    expect(rows.first).to_contain_text("修改密码")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.action)")[:2] == ["user.password_change", "login"]
    page.goto(f"{site.url}/admin/audit?action=user.password_reset")
    reset_row = page.locator("#audit-entries tbody tr").first
    expect(reset_row).to_contain_text("重置密码")
    reset_row.get_by_text("详情", exact=True).click()
    expect(reset_row.locator(".audit-detail")).to_contain_text("wang.fang")
    page.get_by_role("link", name="登录记录").click()
    expect(page.locator("#audit-entries tbody tr").first).to_contain_text("登录")
    assert faults == []


def test_a_user_creates_a_token_sees_it_once_and_revokes_it(site: Site, page: Any) -> None:
    page.get_by_role("link", name="我的账号").click()
    page.wait_for_url("**/account")
    page.get_by_text("新建 API 令牌", exact=True).click()
    form = page.locator("#token-new")
    form.get_by_label("名称").fill("报表同步")
    form.get_by_label("客户关系管理").check()
    form.get_by_role("button", name="创建").click()
    text = page.locator("#token-text code")
    text.wait_for()
    token = text.inner_text()
    assert token.startswith("tg_")
    assert httpx.get(f"{site.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page.reload()
    assert token not in page.content()  # shown once: never again
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#my-tokens tr", has_text="报表同步").get_by_role("button", name="吊销").click()
    expect(page.locator("#my-tokens tr", has_text="报表同步")).to_contain_text("已吊销")
    assert httpx.get(f"{site.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_deactivated_department_is_not_offered_to_a_new_user_and_stays_with_its_members(
        site: Site, page: Any) -> None:
    for key, name in (("chexiao", "撤销组"), ("huanan", "华南组")):
        assert site.api.post("/departments", json={"key": key, "name": name}).status_code == 201
    r = site.api.post("/users", json={"username": "zhou.min", "password": "Chu-shi-2026", "display_name": "周敏",
                                      "departments": ["chexiao"]})
    assert r.status_code == 201, r.text
    assert site.api.patch("/departments/chexiao", json={"active": False}).status_code == 200
    page.goto(f"{site.url}/admin/org")
    page.get_by_text("新建用户", exact=True).click()
    offered = page.locator("#user-new").get_by_label("部门").locator("option")
    expect(offered.filter(has_text="华南组")).to_have_count(1)
    expect(offered.filter(has_text="撤销组")).to_have_count(0)
    page.goto(f"{site.url}/admin/users/zhou.min")
    kept = page.locator("#user-departments option:checked")
    expect(kept).to_have_text(["撤销组（已停用）"])
