"""The form builder's publish in a real browser when stored records break the new rules: the report
shows each problem with its count and examples, the user fills one gap and applies another rule to new
values only, and the publish writes exactly that; duplicates for a field made unique block it."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Site


def _app(site: Site, key: str) -> None:
    definition = {"format": "tangram/app@1", "key": key, "name": "发布检查", "version": "1.0.0", "forms": [
        {"key": "supplier", "name": "供应商", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "供应商名称", "required": True},
            {"key": "tax_no", "type": "text", "label": "税号"},
            {"key": "note", "type": "text", "label": "备注"}]}]}
    r = site.api.post("/apps", json=definition)
    assert r.status_code == 201, r.text


def _records(site: Site, key: str) -> dict[str, dict[str, Any]]:
    items = site.api.get(f"/apps/{key}/forms/supplier/records").json()["items"]
    return {i["data"]["name"]: i["data"] for i in items}


def test_publish_shows_the_report_and_applies_the_choices(page: Any, site: Site) -> None:
    _app(site, "pubcheck")
    site.record("pubcheck", "supplier", {"name": "甲公司", "note": "很长的备注"})
    site.record("pubcheck", "supplier", {"name": "乙公司", "tax_no": "9131", "note": "短"})
    site.record("pubcheck", "supplier", {"name": "丙公司"})
    assert site.api.patch("/apps/pubcheck/forms/supplier/fields/note", json={"max_length": 3}).status_code == 200

    page.goto(f"{site.url}/apps/pubcheck/builder/forms/supplier")
    page.locator("#canvas li", has_text="税号").click()
    page.get_by_label("必填").check()
    page.locator("#canvas li", has_text="税号").filter(has_text="*").wait_for()

    page.get_by_role("button", name="发布").click()
    dialog = page.locator("dialog#publish-report")
    dialog.get_by_role("heading", name="已有数据不符合新的规则").wait_for()
    tax = dialog.locator('li[data-problem="supplier.tax_no.required"]')
    note = dialog.locator('li[data-problem="supplier.note.max_length"]')
    assert "2 条记录不符合" in tax.inner_text() and "甲公司" in tax.inner_text() and "丙公司" in tax.inner_text()
    assert "1 条记录不符合" in note.inner_text() and "很长的备注" in note.inner_text()

    # Publishing without a choice for every problem says which one is missing, and publishes nothing.
    dialog.get_by_role("button", name="确认发布").click()
    assert "请为" in dialog.locator('[data-error-for="decisions"]').inner_text()
    assert site.api.get("/apps/pubcheck").json()["version"] == 1

    tax.get_by_label("填充的值").fill("未登记")
    tax.get_by_label(re.compile("^填充不符合的记录为")).check()
    note.get_by_label(re.compile("^仅对新值生效")).check()
    dialog.get_by_role("button", name="确认发布").click()
    page.locator("#toast.show").wait_for()
    assert "已发布为第 2 版" in page.locator("#toast").inner_text()
    assert not dialog.evaluate("d => d.open")

    stored = _records(site, "pubcheck")
    assert {n: d.get("tax_no") for n, d in stored.items()} == {"甲公司": "未登记", "乙公司": "9131", "丙公司": "未登记"}
    assert stored["甲公司"]["note"] == "很长的备注"  # new values only: the stored value stays


def test_duplicates_for_a_field_made_unique_block_the_publish(page: Any, site: Site) -> None:
    _app(site, "pubdupes")
    site.record("pubdupes", "supplier", {"name": "甲公司", "tax_no": "9131"})
    site.record("pubdupes", "supplier", {"name": "乙公司", "tax_no": "9131"})
    assert site.api.patch("/apps/pubdupes/forms/supplier/fields/tax_no", json={"unique": True}).status_code == 200

    page.goto(f"{site.url}/apps/pubdupes/builder/forms/supplier")
    page.get_by_role("button", name="发布").click()
    problem = page.locator('li[data-problem="supplier.tax_no.unique"]')
    problem.wait_for()
    assert "1 组重复的值" in problem.inner_text() and "请先在记录中处理重复的值" in problem.inner_text()
    assert page.get_by_role("button", name="确认发布").is_disabled()
    page.get_by_role("button", name="取消").click()
    assert not page.locator("dialog#publish-report").evaluate("d => d.open")
    assert site.api.get("/apps/pubdupes").json()["version"] == 1
