"""Inputs in a real browser: a sub-table's relation column picked by title (报价单 → 产品), percents
typed as shown (10 is 10%), and a new record's form (and a new sub-table row) starting with its defaults."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.browser.conftest import Site
from tests.browser.wait import wait_until

VISITS = {
    "format": "tangram/app@1", "key": "visits", "name": "拜访", "version": "1.0.0",
    "forms": [{"key": "visit", "name": "拜访记录", "title_field": "subject", "fields": [
        {"key": "subject", "type": "text", "label": "主题", "required": True},
        {"key": "on", "type": "date", "label": "拜访日期", "required": True, "default_formula": "TODAY()"},
        {"key": "by", "type": "user", "label": "拜访人", "default_formula": "CURRENT_USER()"},
        {"key": "kind", "type": "select", "label": "方式", "options": ["上门", "电话"], "default": "上门"},
        {"key": "echo", "type": "text", "label": "回显", "default_formula": 'subject & "（跟进）"'},
    ]}],
}


def test_a_sub_table_product_is_picked_by_name_and_percents_are_typed_as_shown(page: Any, site: Site) -> None:
    customer = site.record("crm", "customer", {"name": "苏州恒瑞精密机械有限公司"})
    product = site.record("crm", "product", {"sku": "CRM-PRO", "name": "CRM 专业版"})
    site.record("crm", "product", {"sku": "IMPL", "name": "实施服务"})
    page.goto(f"{site.url}/apps/crm/forms/quote/records/new")
    page.locator("#f-customer").fill("恒瑞")
    page.get_by_role("option", name="苏州恒瑞精密机械有限公司").click()
    page.get_by_role("button", name="添加一行").click()
    row = page.locator("#f-lines tbody tr:not(.template)").first
    assert row.get_by_label("数量").input_value() == "1"  # the column's default
    row.get_by_label("产品", exact=True).fill("专业")
    row.get_by_role("option", name="CRM 专业版").click()
    assert row.locator(".chips li").inner_text().startswith("CRM 专业版")
    row.get_by_label("产品名称").fill("CRM 专业版 50 用户")
    row.get_by_label("数量").fill("2")
    row.get_by_label("单价").fill("1000")
    row.get_by_label("折扣 (%)").fill("10")  # 10 beside a % sign: 10%
    page.get_by_label("整单折扣").fill("5")
    wait_until(page, "document.querySelector('#f-amount').textContent.trim() === '1710.00'")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(r"/records/\d+$"))
    record_id = int(page.url.rsplit("/", 1)[1])

    data = site.api.get(f"/apps/crm/forms/quote/records/{record_id}").json()["data"]
    assert data["customer"]["id"] == customer["id"] and data["discount"] == "0.05"
    [line] = data["lines"]
    assert line["product"] == {"id": product["id"], "title": "CRM 专业版"} and line["discount"] == "0.1"
    assert data["amount"] == "1710.00"
    details = page.locator("section.card").first.inner_text()
    assert "CRM 专业版" in details and "5%" in details and "10%" in details

    page.goto(f"{site.url}/apps/crm/forms/quote/records/{record_id}/edit")  # shown again as typed
    assert page.get_by_label("整单折扣").input_value() == "5"
    row = page.locator("#f-lines tbody tr:not(.template)").first
    assert row.get_by_label("折扣 (%)").input_value() == "10"
    assert row.locator(".chips li").inner_text().startswith("CRM 专业版")
    page.get_by_role("button", name="保存", exact=True).click()  # sent back unchanged: accepted, nothing new
    page.wait_for_url(re.compile(rf"/records/{record_id}$"))
    assert site.api.get(f"/apps/crm/forms/quote/records/{record_id}").json()["version"] == 1


def test_a_new_record_starts_with_its_defaults_and_saves_them_untouched(page: Any, site: Site) -> None:
    assert site.api.post("/apps", json=VISITS).status_code == 201
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    page.goto(f"{site.url}/apps/visits/forms/visit/records/new")
    assert page.get_by_label("拜访日期").input_value() == today
    assert page.get_by_label("拜访人").input_value() == "admin"
    assert page.get_by_label("方式").input_value() == "上门"
    page.get_by_label("主题").fill("季度回访")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(r"/records/\d+$"))
    data = site.api.get(f"/apps/visits/forms/visit/records/{page.url.rsplit('/', 1)[1]}").json()["data"]
    assert data["on"] == today and data["by"] == "admin" and data["kind"] == "上门"
    assert data["echo"] == "季度回访（跟进）"  # reads another field: filled by the server on save
