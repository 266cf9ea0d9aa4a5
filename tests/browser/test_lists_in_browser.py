"""The list page in a real browser: field conditions, header sort, saved views, the column chooser
and bulk edit / delete; and creating apps from the home page (from scratch, from a template file)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from tests.browser.conftest import Site
from tests.browser.filters import apply_condition
from tests.browser.wait import wait_until

LIST = "/apps/crm/forms/customer"


def _customers(site: Site, prefix: str, levels: str) -> list[int]:
    return [site.record("crm", "customer", {"name": f"{prefix}{i}号客户", "level": level, "region": "华东",
                                            "annual_revenue": str(1000000 * (i + 1))})["id"]
            for i, level in enumerate(levels)]


def _shown_ids(page: Any) -> list[int]:
    return [int(x) for x in page.locator("#list tbody tr[data-id]").evaluate_all("rows => rows.map(r => r.dataset.id)")]


def test_conditions_sort_and_a_saved_view(page: Any, site: Site) -> None:
    ids = _customers(site, "列表", "ABAAC")
    page.goto(site.url + LIST + "?q=列表")
    assert sorted(_shown_ids(page)) == sorted(ids)
    total = page.locator("nav.pager .total")
    wait_until(page, "document.querySelector('nav.pager .total').textContent.trim() === '共 5 条'")  # asked after
    page.get_by_role("button", name="添加条件").click()
    apply_condition(page, "level", "eq", "A")
    assert sorted(_shown_ids(page)) == sorted([ids[0], ids[2], ids[3]])
    wait_until(page, "document.querySelector('nav.pager .total').textContent.trim() === '共 3 条'")  # after the swap
    assert total.get_attribute("data-exact") == "true"

    page.locator("#list thead").get_by_role("link", name=re.compile("客户名称")).click()
    page.wait_for_url(re.compile("sort=name"))
    assert _shown_ids(page) == [ids[0], ids[2], ids[3]]
    page.locator("#list thead").get_by_role("link", name=re.compile("客户名称")).click()
    page.wait_for_url(re.compile("sort=-name"))
    assert _shown_ids(page) == [ids[3], ids[2], ids[0]]
    assert "filter[level][eq]=A" in unquote(page.url)  # sorting keeps the filter

    page.once("dialog", lambda dialog: dialog.accept("列表A类"))
    page.get_by_role("button", name="保存为视图").click()
    page.wait_for_url(re.compile(r"view=\d+"))
    views = site.api.get("/apps/crm/forms/customer/views").json()["items"]
    spec = next(v for v in views if v["name"] == "列表A类")["spec"]
    assert spec["filters"] == [{"field": "level", "op": "eq", "value": "A"}] and spec["sort"] == "-name"
    page.goto(site.url + LIST)
    page.locator("nav.views").get_by_role("link", name="列表A类").click()
    page.wait_for_url(re.compile(r"view=\d+"))
    assert _shown_ids(page) == [ids[3], ids[2], ids[0]]
    # The filter bar shows the view's condition (the whole list page was swapped, not just the rows).
    wait_until(page, "document.querySelector('.condition input') && document.querySelector('.condition input').value === 'A'")
    assert page.locator("nav.views a.current").inner_text() == "列表A类"


def test_a_bad_expression_is_explained_above_the_list(page: Any, site: Site) -> None:
    page.goto(site.url + LIST)
    page.get_by_label("表达式").fill("annual_revenue >")
    page.get_by_role("button", name="应用").click()
    alert = page.locator("#list .error[role=alert]")
    alert.wait_for()
    assert alert.inner_text().strip() != ""
    assert page.locator("#list tbody tr[data-id]").count() == 0


def test_column_chooser_is_remembered(page: Any, site: Site) -> None:
    page.goto(site.url + LIST)
    page.get_by_text("列", exact=True).click()
    chooser = page.locator("#column-choices")
    chooser.get_by_label("所属区域").uncheck()
    chooser.get_by_label("备注").check()
    with page.expect_navigation():
        page.get_by_role("button", name="保存列设置").click()
    header = page.locator("#list thead").inner_text()
    assert "备注" in header and "所属区域" not in header
    columns = site.api.get("/apps/crm/forms/customer/layout").json()["columns"]
    assert "note" in columns and "region" not in columns


def test_bulk_edit_and_bulk_delete_of_selected_rows(page: Any, site: Site) -> None:
    ids = _customers(site, "批量", "CCC")
    page.goto(site.url + LIST + "?q=批量")
    page.locator(f'.select-row[value="{ids[0]}"]').check()
    page.locator(f'.select-row[value="{ids[1]}"]').check()
    bar = page.locator(".bulkbar")
    assert bar.locator(".count").inner_text() == "2"
    bar.locator(".bulk-field").select_option("level")
    bar.locator(".bulk-value").fill("B")
    bar.get_by_role("button", name="批量修改").click()
    page.locator("#toast.show").wait_for()
    levels = {i: site.api.get(f"/apps/crm/forms/customer/records/{i}").json()["data"]["level"] for i in ids}
    assert levels == {ids[0]: "B", ids[1]: "B", ids[2]: "C"}

    page.locator("#list .select-all").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".bulkbar").get_by_role("button", name="批量删除").click()
    wait_until(page, "document.querySelectorAll('#list tbody tr[data-id]').length === 0")
    assert site.api.get("/apps/crm/forms/customer/records", params={"filter[name][contains]": "批量"}).json()["items"] == []


def test_new_app_from_scratch_and_from_a_template_file(page: Any, site: Site, tmp_path: Any) -> None:
    page.get_by_label("应用标识（英文）").fill("field_service")
    page.get_by_label("应用名称").fill("现场服务")
    page.get_by_role("button", name="创建").click()
    page.wait_for_url(f"{site.url}/apps/field_service")
    assert site.api.get("/apps/field_service").json()["name"] == "现场服务"

    template = tmp_path / "repair.json"
    template.write_text(json.dumps({"format": "tangram/app@1", "key": "repair", "name": "设备报修", "version": "1.0.0",
                                    "forms": [{"key": "ticket", "name": "报修单", "fields": [
                                        {"key": "summary", "type": "text", "label": "故障概述"}]}]},
                                   ensure_ascii=False), encoding="utf-8")
    page.goto(site.url + "/")
    page.get_by_label("JSON").set_input_files(str(template))
    page.get_by_role("button", name="导入模板").click()
    page.wait_for_url(f"{site.url}/apps/repair")
    assert page.get_by_role("link", name="报修单").first.is_visible()

    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "tangram/app@1", "key": "x", "name": "坏", "forms": [{"key": "a"}]}', encoding="utf-8")
    page.goto(site.url + "/")
    page.get_by_label("JSON").set_input_files(str(broken))
    page.get_by_role("button", name="导入模板").click()
    error = page.locator('#import-app [data-error-for="form"]')
    error.wait_for()
    assert error.inner_text().strip() != "" and page.url == f"{site.url}/"
