"""接收接口 in a real browser (issue 29), in Chinese: the manager opens the CRM's 接收接口 page, creates a hook
for the leads of a trade fair's sign-up site (Bearer token, 线索 ← payload paths, each expression checked as typed), copies the
secret shown once, and after a website posts a lead sees the delivery in the log with the record it made."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import Site


def test_a_manager_creates_a_hook_and_sees_its_delivery(page: Any, site: Site) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.goto(f"{site.url}/apps/crm")
    page.get_by_role("link", name="接收接口").click()
    page.wait_for_url("**/apps/crm/hooks")
    expect(page.locator("#hk-list")).to_contain_text("官网留资")  # the CRM ships its hooks, with no secret yet
    expect(page.locator("tr[data-hook=web_leads]")).to_contain_text("未设置")
    page.get_by_label("标识").fill("expo_leads")
    page.get_by_label("名称", exact=True).fill("展会线索")
    page.get_by_label("写入表单").select_option(label="线索")
    page.get_by_label("认证方式").select_option(label="Bearer 令牌")
    row = page.locator("#hk-mapping tbody tr").first
    row.locator(".hk-field").select_option("company")
    row.locator(".hk-expr").fill("payload.lead.company +")
    expect(row.locator(".hk-check")).to_contain_text("不完整")
    row.locator(".hk-expr").fill("payload.lead.company")
    expect(row.locator(".hk-check")).to_have_text("✓ 表达式正确")
    page.get_by_role("button", name="添加映射").click()
    second = page.locator("#hk-mapping tbody tr").nth(1)
    second.locator(".hk-field").select_option("contact_name")
    second.locator(".hk-expr").fill('payload.lead["Contact Name"]')
    page.get_by_role("button", name="保存接口").click()
    secret_box = page.locator("#hk-secret")
    expect(secret_box).to_contain_text("whsec_")
    secret = secret_box.inner_text().strip()

    r = httpx.post(f"{site.url}/api/v1/hooks/crm/expo_leads", headers={
        "Authorization": f"Bearer {secret}", "X-Tangram-Delivery": "site-0001"},
        json={"lead": {"company": "杭州云栖科技有限公司", "Contact Name": "周敏"}})
    assert r.status_code == 201, r.text

    page.reload()
    expect(page.locator("tr[data-hook=expo_leads]")).to_contain_text("展会线索")
    expect(page.locator("tr[data-hook=expo_leads]")).to_contain_text("/api/v1/hooks/crm/expo_leads")
    expect(page.locator("tr[data-hook=expo_leads]")).to_contain_text("已设置于")
    delivery = page.locator("#hk-deliveries tbody tr").first
    expect(delivery).to_contain_text("site-0001")
    expect(delivery).to_contain_text("201 新建")
    expect(delivery.get_by_role("link")).to_have_text(f"#{r.json()['record_id']}")
    assert secret not in page.content()  # write-only: the page never shows it again
    assert not errors
