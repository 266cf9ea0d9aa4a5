"""rating in a real browser under the CSP: stars picked with the mouse and with the keyboard in the record
form, saved as numbers, shown as ★★★★☆ in the list, filtered there with a number box."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Site
from tests.browser.filters import apply_condition
from tests.browser.test_csp_in_browser import Watcher

SURVEY = {
    "format": "tangram/app@1", "key": "survey", "name": "回访", "version": "1.0.0",
    "forms": [{"key": "visit", "name": "回访记录", "title_field": "customer", "fields": [
        {"key": "customer", "type": "text", "label": "客户", "required": True},
        {"key": "satisfaction", "type": "rating", "label": "满意度"},
    ]}],
}


def _save(page: Any, site: Site) -> dict[str, Any]:
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(r"/records/\d+$"))
    return site.api.get(f"/apps/survey/forms/visit/records/{page.url.rsplit('/', 1)[1]}").json()  # type: ignore[no-any-return]


def test_four_stars_picked_in_the_form_are_saved_as_4_and_shown_in_the_list(page: Any, site: Site) -> None:
    assert site.api.post("/apps", json=SURVEY).status_code == 201
    watcher = Watcher(page)
    watcher.visit(f"{site.url}/apps/survey/forms/visit/records/new")
    page.get_by_label("客户").fill("苏州恒瑞精密")
    stars = page.get_by_role("radiogroup", name="满意度")
    stars.locator(".star").nth(3).click()  # the fourth star, as a user clicks it
    assert page.get_by_role("radio", name="4 星").is_checked()
    record = _save(page, site)
    assert record["data"]["satisfaction"] == 4

    page.goto(f"{site.url}/apps/survey/forms/visit/records/{record['id']}/edit")  # shown again, changed by keyboard
    assert page.get_by_role("radio", name="4 星").is_checked()
    page.get_by_role("radio", name="4 星").focus()
    page.keyboard.press("ArrowLeft")  # a radio group: the arrow keys move the choice
    page.keyboard.press("ArrowLeft")
    assert page.get_by_role("radio", name="2 星").is_checked()
    assert _save(page, site)["data"]["satisfaction"] == 2
    page.goto(f"{site.url}/apps/survey/forms/visit/records/{record['id']}/edit")
    stars = page.get_by_role("radiogroup", name="满意度")
    stars.get_by_text("不评分").click()  # an optional rating can be cleared
    assert page.get_by_role("radio", name="不评分").is_checked()
    cleared = _save(page, site)
    assert cleared["data"].get("satisfaction") is None
    r = site.api.patch(f"/apps/survey/forms/visit/records/{record['id']}", json={"data": {"satisfaction": 4}},
                       headers={"If-Match": f'"{cleared["version"]}"'})
    assert r.status_code == 200, r.text
    site.record("survey", "visit", {"customer": "无锡华光", "satisfaction": 2})

    watcher.visit(f"{site.url}/apps/survey/forms/visit")
    rows = page.locator("table.records tbody tr")
    assert rows.filter(has_text="苏州恒瑞精密").inner_text().split("\t")[-1].strip() == "★★★★☆"
    assert "★★☆☆☆" in rows.filter(has_text="无锡华光").inner_text()
    page.get_by_role("button", name="添加条件").click()
    page.locator(".condition select").first.select_option("satisfaction")
    assert page.get_by_label("值").get_attribute("inputmode") == "decimal"  # the type's filter widget
    apply_condition(page, "satisfaction", "gte", "3")
    assert rows.count() == 1 and "苏州恒瑞精密" in rows.first.inner_text()
    watcher.check("list and form")


def test_a_rating_is_added_from_the_palette_its_stars_set_in_the_panel_and_offered_as_a_column(page: Any,
                                                                                              site: Site) -> None:
    page.goto(f"{site.url}/apps/showcase")
    page.get_by_label("表单标识（英文）").fill("review")
    page.get_by_label("表单名称").fill("评价")
    page.get_by_role("button", name="创建").click()
    page.wait_for_url(f"{site.url}/apps/showcase/builder/forms/review")
    page.locator("#palette li", has_text=re.compile("^评分$")).press("Enter")  # from the class's palette entry
    page.locator("#canvas li").first.wait_for()
    page.locator("#canvas li").first.click()
    page.get_by_label("星数").fill("10")
    page.get_by_label("星数").press("Tab")
    for _ in range(50):  # the PATCH may still be on its way
        fields = next(f for f in site.api.get("/apps/showcase/draft").json()["forms"] if f["key"] == "review")["fields"]
        if fields[0].get("max") == 10:
            break
        page.wait_for_timeout(100)
    assert fields[0]["type"] == "rating" and fields[0]["max"] == 10
    column_types = page.locator("#column-template").evaluate(
        "t => Array.from(t.content.querySelectorAll('[data-part=type] option')).map((o) => o.value)")
    assert "rating" in column_types and not {"lookup", "rollup", "sub_table", "auto_number"} & set(column_types)
