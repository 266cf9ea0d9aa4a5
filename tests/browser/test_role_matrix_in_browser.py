"""角色与权限 beyond the department story, in a real browser and in Chinese (issue 27): the administrator copies
销售代表, renames the copy, lets it read every customer of 客户等级 A through a condition built with the
condition picker, sets 新增字段的默认权限 to 隐藏, publishes and gives it to one user by name; a field added to
客户 afterwards stays hidden from that user, who sees only the A customers."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, Site
from tests.browser.signed_in import signed_in_page
from tests.browser.wait import wait_until


def test_a_copied_role_with_a_picked_condition_hides_fields_added_later(
    page: Any, site: Site, browser: Any, faults: list[str]
) -> None:
    r = site.api.post("/users", json={"username": "he.jing", "password": PASSWORD, "display_name": "何静"})
    assert r.status_code == 201, r.text
    for name, level in (("长江实业", "A"), ("黄河商贸", "B")):
        site.record("crm", "customer", {"name": name, "level": level})

    page.goto(f"{site.url}/apps/crm/builder/roles?role=sales_rep")
    page.once("dialog", lambda dialog: dialog.accept("key_account"))
    page.get_by_role("button", name="复制", exact=True).click()
    page.wait_for_url("**?role=key_account")
    expect(page.locator("#role-name")).to_have_value("销售代表（副本）")
    copied = next(r for r in site.api.get("/apps/crm/draft/roles").json()["roles"] if r["key"] == "key_account")
    assert copied["permissions"]["customer"]["fields"] == {"total_contract_amount": "read"}  # the rights came along

    page.locator("#role-name").fill("重点客户代表")
    page.get_by_label("客户 查看").select_option("all")
    customer = page.locator("details.form-detail[data-form=customer]")
    customer.locator("summary").click()
    read = customer.locator(".when-row").first
    read.get_by_role("button", name="添加条件").click()
    row = read.locator(".cp-row").first
    row.get_by_label("字段").select_option(label="客户等级")
    row.get_by_label("值").select_option("A")
    wait_until(
        page, "document.querySelector('details.form-detail[data-form=customer] input.when').value === 'level = \"A\"'"
    )
    page.get_by_label("新增字段的默认权限", exact=True).select_option("hidden")
    page.locator("#save-role").click()
    expect(page.locator("#toast")).to_contain_text("已保存到草稿")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#members-unpublished")).to_have_count(0)
    picker = page.locator('.people-picker[data-for="member-users"]')  # found by name, among every active user
    picker.locator("input.people-search").fill("何静")
    picker.locator('li[role=option][data-username="he.jing"]').click()
    expect(picker.locator('li.chip[data-username="he.jing"]')).to_contain_text("何静")
    page.get_by_role("button", name="保存成员").click()
    expect(page.locator("#toast")).to_contain_text("已保存")
    saved = next(r for r in site.api.get("/apps/crm/draft/roles").json()["roles"] if r["key"] == "key_account")
    fields = saved["permissions"]["customer"]["fields"]  # the fields there now keep their access: only later ones hide
    assert saved["default_field_access"] == "hidden" and fields["name"] == "edit"
    assert fields["total_contract_amount"] == "read" and saved["permissions"]["customer"]["read"] == {
        "scope": "all",
        "when": 'level = "A"',
    }
    role = next(r for r in site.api.get("/apps/crm/roles").json()["items"] if r["key"] == "key_account")
    assert role["name"] == "重点客户代表" and role["members"] == ["he.jing"]

    # a field added after the role was set: hidden from its members by the role's default
    field = {"key": "inner_score", "type": "number", "label": "内部评分"}
    assert site.api.post("/apps/crm/forms/customer/fields", json=field).status_code in (200, 201)
    assert site.api.post("/apps/crm/publish").status_code == 200
    a_customer = site.api.get("/apps/crm/forms/customer/records").json()["items"]
    a_id = next(r["id"] for r in a_customer if r["data"]["name"] == "长江实业")
    assert site.api.patch(f"/apps/crm/forms/customer/records/{a_id}", json={"data": {"inner_score": 97}}).is_success

    member = signed_in_page(browser, site.url, "he.jing", faults)
    member.goto(f"{site.url}/apps/crm/forms/customer")
    expect(member.get_by_text("长江实业")).to_be_visible()
    assert "黄河商贸" not in member.content() and "内部评分" not in member.content()
    member.goto(f"{site.url}/apps/crm/forms/customer/records/{a_id}")
    expect(member.get_by_text("客户名称").first).to_be_visible()
    assert "内部评分" not in member.content() and "97" not in member.locator("main").inner_text()
    member.context.close()
