"""查看为 shows pages read-only (issue 27): while the administrator views the CRM as a 销售代表 who may create
and edit their customers, 新建, 编辑, 保存 and 提交审批 are shown disabled with the tooltip 查看为模式下只读 and
lead nowhere; after 退出查看 they work again."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, Site

FLOW = {"key": "customer_check", "name": "客户核对", "form": "customer", "trigger": {"on": "submit"},
        "steps": [{"type": "approval", "key": "check", "name": "核对", "approvers": {"users": ["admin"]}}]}
READ_ONLY = "查看为模式下只读"


def _arrange(site: Site) -> int:
    """韩梅 (销售代表) owns 江南纺织."""
    api = site.api
    r = api.post("/users", json={"username": "han.mei", "password": PASSWORD, "display_name": "韩梅"})
    assert r.status_code == 201, r.text
    assert api.put("/apps/crm/roles/sales_rep/members", json={"users": ["han.mei"]}).status_code == 200
    assert api.put("/apps/crm/draft/flows/customer_check", json=FLOW).status_code == 200
    assert api.post("/apps/crm/publish").status_code == 200
    record = site.record("crm", "customer", {"name": "江南纺织"})
    assert api.post("/users/admin/handover", json={"to": "han.mei"}).status_code == 200
    return int(record["id"])


def test_viewing_as_a_user_shows_their_write_buttons_disabled(page: Any, site: Site) -> None:
    record = _arrange(site)
    base = f"{site.url}/apps/crm/forms/customer"
    page.goto(f"{site.url}/apps/crm/builder/roles")
    page.get_by_label("用户名").select_option("han.mei")
    page.get_by_role("button", name="查看为此用户").click()
    page.wait_for_url(f"{site.url}/apps/crm")
    page.goto(base)
    new = page.get_by_role("link", name="新建").or_(page.locator("a.view-as-locked", has_text="新建")).first
    expect(new).to_have_attribute("aria-disabled", "true")
    expect(new).to_have_attribute("title", READ_ONLY)
    new.click(force=True)
    assert page.url == base  # a locked link leads nowhere
    page.goto(f"{base}/records/{record}")
    expect(page.get_by_text("江南纺织").first).to_be_visible()
    edit = page.locator(".titlebar .actions a", has_text="编辑")
    expect(edit).to_have_attribute("title", READ_ONLY)
    expect(page.locator("button[data-start-flow]")).to_be_disabled()
    page.goto(f"{base}/records/{record}/edit")  # typed by hand: the form shows, its buttons do not save
    expect(page.locator("form#record-form button[type=submit]")).to_be_disabled()
    expect(page.locator("form#record-form button[type=submit]")).to_have_attribute("title", READ_ONLY)
    page.goto(f"{site.url}/apps/crm")
    page.get_by_role("button", name="退出查看").click()
    page.wait_for_url(f"{site.url}/")
    page.goto(f"{base}/records/{record}")
    expect(page.locator(".titlebar .actions a", has_text="编辑")).not_to_have_attribute("aria-disabled", "true")
    expect(page.locator("button[data-start-flow]")).to_be_enabled()
