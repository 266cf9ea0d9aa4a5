"""An import whose upload has expired, in a real browser, in Chinese: the wizard shows 已过期 with what happened
and 重新上传, both when the import is opened again and when a step is taken on a page left open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from runtime.io import retention
from tests.browser.conftest import Site

LIST = "/apps/crm/forms/customer"
CSV = {"name": "过期客户.csv", "mimeType": "text/csv", "buffer": "客户名称,所属区域\n过期测试有限公司,华东\n".encode()}


def _expire_uploads(site: Site) -> None:
    """The job worker's cleanup a week and a day later: the import's upload is removed."""
    retention.expire(site.app.state.db, site.app.state.settings, datetime.now(UTC) + timedelta(days=8))


def test_an_expired_import_shows_expired_and_leads_to_a_new_upload(page: Any, site: Site) -> None:
    page.goto(site.url + LIST + "/import")
    page.set_input_files("#import-file", CSV)
    page.get_by_role("button", name="上传").click()
    page.locator('section[data-panel="mapping"]').wait_for()
    at = page.url
    assert "/import/" in at

    _expire_uploads(site)
    # the page was left open at the mapping step: the next step finds the file gone and says so
    page.get_by_role("button", name="试运行").click()
    expired = page.locator('section[data-panel="expired"]')
    expired.wait_for()
    assert expired.get_by_role("heading").inner_text() == "已过期"
    assert "过期客户.csv" in expired.inner_text() and "已被自动删除" in expired.inner_text()
    assert page.locator('section[data-panel="mapping"]').is_hidden()

    # opened again later: 已过期 at once, no step shown
    page.goto(at)
    expired.wait_for()
    assert page.locator('section[data-panel="preview"]').is_hidden()
    page.get_by_role("link", name="重新上传").click()
    page.wait_for_url(f"**{LIST}/import")
    page.locator('section[data-panel="upload"]').wait_for()
    assert "已过期" in page.locator(".import-recent").inner_text()
