"""The import wizard in a real browser, in Chinese: 200 customers from an xlsx with odd headers (mapping by
synonyms, 客户级别 A类 → A, an unknown column left out, a bad row marked in its cell and skipped), then a
second file that changes 20 of them, imported in upsert mode by 客户名称."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest

from runtime.jobs.worker import EmbeddedWorker
from tests.browser.conftest import Site, serve_site
from tests.browser.wait import wait_until

LIST = "/apps/crm/forms/customer"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The server with its job worker running beside it: the import runs in the background as it does in use
    (the live server has no lifespan, which is where the embedded worker starts)."""
    with serve_site(tmp_path_factory, worker_poll_seconds=0.2) as s:
        worker = EmbeddedWorker(s.app.state.db, s.app.state.settings)
        worker.start()
        yield s
        worker.close()
HEADER = ["公司名称", "区域", "客户级别", "年营业额（元）", "电话", "内部编号"]
CITIES = ["苏州", "杭州", "南京", "宁波", "无锡"]


def _rows(changed: int = 0) -> list[list[Any]]:
    rows = []
    for i in range(200):
        revenue = 1_000_000 + i * 1000 + (500 if i < changed else 0)
        rows.append([f"{CITIES[i % 5]}导入测试{i:03d}精密机械有限公司", ["华东", "华南", "华北"][i % 3],
                     ["A类", "B类", "C"][i % 3], revenue, f"0512-6{i:06d}", f"N{i}"])
    return rows


def _xlsx(rows: list[list[Any]]) -> dict[str, Any]:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return {"name": "客户名单.xlsx", "mimeType": "application/octet-stream", "buffer": out.getvalue()}


def _upload(page: Any, site: Site, rows: list[list[Any]]) -> None:
    page.goto(site.url + LIST)
    page.get_by_role("link", name="导入", exact=True).click()
    page.wait_for_url(f"**{LIST}/import")
    page.set_input_files("#import-file", _xlsx(rows))
    page.get_by_role("button", name="上传").click()
    page.locator('section[data-panel="mapping"]').wait_for()


def _column(page: Any, header: str) -> Any:
    return page.get_by_label(f"{header} → 对应字段", exact=True)


def _how(page: Any, header: str) -> str:
    return str(_column(page, header).locator("xpath=../../td[3]").inner_text())


def _dry_run(page: Any) -> str:
    page.get_by_role("button", name="试运行").click()
    page.locator('section[data-panel="preview"]').wait_for()
    return page.locator("#import-counts").inner_text()


def _finish(page: Any) -> str:
    page.get_by_role("button", name="开始导入").click()
    page.locator('section[data-panel="result"]').wait_for(timeout=60_000)
    return page.locator("#import-result").inner_text()


def _revenue(site: Site, name: str) -> str:
    items = site.api.get("/apps/crm/forms/customer/records", params={"q": name}).json()["items"]
    return next(i["data"]["annual_revenue"] for i in items if i["data"]["name"] == name)


def test_import_200_customers_with_odd_headers_then_update_20_of_them_by_name(page: Any, site: Site) -> None:
    rows = _rows()
    bad = ["坏数据有限公司", "火星", "A类", 1, "", ""]
    _upload(page, site, [*rows[:3], bad, *rows[3:]])
    # 映射: synonyms and labels found the fields; the unknown column is left out, visibly
    assert _column(page, "公司名称").input_value() == "name"
    assert _column(page, "区域").input_value() == "region"
    assert _column(page, "客户级别").input_value() == "level"
    assert _column(page, "年营业额(元)").input_value() == "annual_revenue"
    assert _column(page, "电话").input_value() == "phone"
    assert _column(page, "内部编号").input_value() == ""
    assert _how(page, "内部编号") == "未匹配，不导入"
    value_map = page.locator('table.import-value-map[data-field="level"]')
    assert value_map.locator('tr[data-text="A类"] select').input_value() == "A"
    # 预览/试运行: the bad row is marked in its cell, and the import cannot start all-or-nothing
    counts = _dry_run(page)
    assert "新增 200" in counts and "失败 1" in counts
    bad_row = page.locator('#import-preview tr[data-row="5"]')
    assert "错误" in bad_row.inner_text()
    assert "火星" in bad_row.locator("td.problem").first.get_attribute("title")
    headers = page.locator("#import-preview tr").first.locator("th").all_inner_texts()
    first = page.locator("#import-preview tr.action-new").first.locator("td")
    assert first.nth(headers.index("客户等级")).inner_text() == "A"  # stored as the option, not as 「A类」
    assert page.get_by_role("button", name="开始导入").is_disabled()
    page.get_by_role("button", name="返回修改映射").click()
    page.get_by_label("跳过错误行").check()
    _dry_run(page)
    assert "import/" in page.url  # the import has its own address: the user may leave and come back
    result = _finish(page)
    assert "导入完成" in result and "新增 200" in result and "失败 1" in result
    assert page.get_by_role("link", name="下载错误报告").is_visible()
    assert _revenue(site, rows[7][0]) == "1007000.00"

    # The second file changes 20 rows: upsert by 客户名称, the saved mapping reused
    _upload(page, site, _rows(changed=20))
    assert _how(page, "公司名称") == "沿用上次映射"
    page.get_by_label("按业务主键新增或更新").check()
    assert page.locator("#import-key-fields").get_by_label("客户名称").is_checked()  # the unique field
    counts = _dry_run(page)
    assert "更新 20" in counts and "未变化 180" in counts and "新增 0" in counts and "失败 0" in counts
    assert page.locator("#import-preview tr.action-update").count() == 20
    assert _revenue(site, rows[7][0]) == "1007000.00"  # the dry run changed nothing
    result = _finish(page)
    assert "更新 20" in result
    assert _revenue(site, rows[7][0]) == "1007500.00" and _revenue(site, rows[30][0]) == "1030000.00"
    wait_until(page, "document.querySelector('#import-result-errors').hidden")
