"""导出 on the list page in a real browser, in Chinese: the whole filtered list (more than one page) goes to the
background past the threshold, shows its progress and a download link, and the file holds every matching row
with the view's columns; 勾选的行 exports just the ticked rows."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from runtime.jobs import worker
from tests.browser.conftest import Site

LIST = "/apps/crm/forms/customer"


@pytest.fixture(scope="module", autouse=True)
def small_threshold() -> Iterator[None]:
    """Exports of more than 50 rows run in the background on this module's server (read when it starts)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TANGRAM_EXPORT_BACKGROUND_ROWS", "50")
        yield


def _rows(path: Any) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()))
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_the_whole_filtered_list_exports_in_the_background_with_a_download_link(page: Any, site: Site) -> None:
    r = site.api.post(
        "/apps/crm/forms/customer/records/bulk",
        json={
            "items": [
                {"name": f"导出客户{i:03d}", "level": "A" if i < 70 else "B", "region": "华东"} for i in range(80)
            ]
        },
    )
    assert r.status_code == 201, r.text
    page.goto(f"{site.url}{LIST}?q=导出客户&filter[level][eq]=A&sort=name")
    assert page.locator("#list tbody tr[data-id]").count() == 50  # one page of the 70
    page.get_by_text("导出 ▾").click()
    page.get_by_label("格式").select_option("xlsx")
    page.get_by_role("button", name="当前筛选的全部").click()
    status = page.locator("#export-status")
    status.get_by_text(re.compile("导出任务已开始")).wait_for()
    # the browser tests' server runs no worker thread: run the due jobs as `tangram worker` would
    assert worker.run_due(site.app.state.db, site.app.state.settings, datetime.now(UTC)) >= 1
    link = status.get_by_role("link", name=re.compile("70"))
    link.wait_for()
    assert "导出完成" in status.inner_text()
    with page.expect_download() as download:
        link.click()
    rows = _rows(download.value.path())
    header, body = rows[0], rows[1:]
    assert "客户名称" in header
    names = [row[header.index("客户名称")] for row in body]
    assert names == [f"导出客户{i:03d}" for i in range(70)]

    # back on the list later, the export is still offered; once the worker has removed its file (a day on), the
    # page says 已过期 instead of a link that would fail
    page.goto(f"{site.url}{LIST}?q=导出客户")
    status.get_by_role("link", name=re.compile("70")).wait_for()
    worker.run_due(site.app.state.db, site.app.state.settings, datetime.now(UTC) + timedelta(hours=25))
    page.goto(f"{site.url}{LIST}?q=导出客户")
    status.get_by_text("已过期").wait_for()
    assert status.get_by_role("link").is_hidden()


def test_the_ticked_rows_export_alone(page: Any, site: Site) -> None:
    ids = [site.record("crm", "customer", {"name": f"勾选客户{i}", "level": "C"})["id"] for i in range(3)]
    page.goto(f"{site.url}{LIST}?q=勾选客户")
    for rid in ids[:2]:
        page.locator(f"tr[data-id='{rid}'] .select-row").check()
    page.get_by_text("导出 ▾").click()
    page.get_by_label("格式").select_option("xlsx")
    with page.expect_download() as download:
        page.get_by_role("button", name="勾选的行").click()
    rows = _rows(download.value.path())
    names = sorted(row[rows[0].index("客户名称")] for row in rows[1:])
    assert names == ["勾选客户0", "勾选客户1"]
