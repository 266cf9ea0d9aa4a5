"""审计日志 in a real browser, in Chinese (issue 27): the administrator picks the app and the form by their
names, types a record ID and a time window, reads what changed by the fields' labels, exports what the
filters match, and sees a window that ends before the changes match nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Site


def test_the_audit_viewer_filters_by_app_form_record_and_time_and_exports(
    page: Any, site: Site, faults: list[str]
) -> None:
    made = site.record("crm", "customer", {"name": "珠江电器", "region": "华南"})
    r = site.api.patch(
        f"/apps/crm/forms/customer/records/{made['id']}",
        json={"data": {"region": "华东"}},
        headers={"If-Match": str(made["version"])},
    )
    assert r.status_code == 200, r.text
    site.record("crm", "customer", {"name": "另一家客户"})

    page.goto(f"{site.url}/admin/audit")
    filters = page.locator("#audit-filters")
    filters.get_by_label("应用").select_option(label="客户关系管理")
    filters.get_by_label("表单").select_option(label="客户")
    filters.get_by_label("记录 ID").fill(str(made["id"]))
    filters.get_by_label("从").fill("2000-01-01T00:00")
    filters.get_by_role("button", name="筛选").click()
    page.wait_for_url(f"**/admin/audit?**record={made['id']}**")
    rows = page.locator("#audit-entries > tbody > tr")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.action)") == ["record.update", "record.create"]
    expect(rows.first).to_contain_text("客户关系管理 / 客户")
    rows.first.get_by_text("详情", exact=True).click()
    change = rows.first.locator("table.changes tbody tr")
    expect(change).to_have_text(["所属区域华南华东"])
    expect(filters.get_by_label("应用")).to_have_value("crm")  # the filters stay as chosen
    expect(filters.get_by_label("表单")).to_have_value("customer")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    exported = list(csv.reader(io.StringIO(text)))
    assert exported[0][:3] == ["时间", "用户", "操作"]
    assert [(row[2], row[5]) for row in exported[1:]] == [
        ("record.update", str(made["id"])),
        ("record.create", str(made["id"])),
    ]

    filters.get_by_label("从").fill("")
    filters.get_by_label("到").fill("2001-01-01T00:00")
    filters.get_by_role("button", name="筛选").click()
    page.wait_for_url("**until=2001-01-01T00%3A00**")
    expect(page.locator("#audit-entries > tbody > tr")).to_have_text(["没有符合条件的记录"])
