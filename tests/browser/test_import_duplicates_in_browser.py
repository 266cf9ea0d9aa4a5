"""可能重复 in the import wizard, in a real browser (CRM template): a row like a stored customer is flagged in
the dry run's preview with a link to that customer, and counted apart."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from tests.browser.conftest import Site

LIST = "/apps/crm/forms/customer"


def _xlsx(rows: list[list[str]]) -> dict[str, Any]:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return {"name": "客户名单.xlsx", "mimeType": "application/octet-stream", "buffer": out.getvalue()}


def test_a_row_like_a_stored_customer_is_flagged_in_the_dry_run(page: Any, site: Site) -> None:
    kept = site.record("crm", "customer", {"name": "苏州恒瑞精密机械有限公司"})
    page.goto(f"{site.url}{LIST}/import")
    page.set_input_files(
        "#import-file", _xlsx([["客户名称"], ["恒瑞精密机械(苏州)有限公司"], ["成都天府软件有限公司"]])
    )
    page.get_by_role("button", name="上传").click()
    page.locator('section[data-panel="mapping"]').wait_for()
    page.get_by_role("button", name="试运行").click()
    page.locator('section[data-panel="preview"]').wait_for()
    assert "可能重复 1" in page.locator("#import-counts").inner_text()
    row = page.locator('#import-preview tr[data-row="2"]')
    assert "可能重复：" in row.locator("td.duplicates").inner_text()
    link = row.get_by_role("link", name="苏州恒瑞精密机械有限公司")
    assert link.get_attribute("href") == f"{LIST}/records/{kept['id']}"
    assert page.locator('#import-preview tr[data-row="3"] td.duplicates').inner_text() == ""
