"""The form builder in a real browser: create a form, drag three field types onto it, edit a
property (and see a refused one explained beside it), publish, and fill in the new form."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Site
from tests.browser.drag import drag


def _palette(page: Any, name: str) -> Any:
    return page.locator("#palette li", has_text=re.compile(f"^{name}$"))


def test_build_a_form_by_dragging_three_fields_publish_and_create_a_record(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/apps/showcase")
    page.get_by_label("表单标识（英文）").fill("visit")
    page.get_by_label("表单名称").fill("拜访记录")
    page.get_by_role("button", name="创建").click()
    page.wait_for_url(f"{site.url}/apps/showcase/builder/forms/visit")

    canvas = page.locator("#canvas")
    drag(page, _palette(page, "单行文本"), canvas)
    canvas.locator("li").first.wait_for()
    drag(page, _palette(page, "数字"), canvas)
    page.wait_for_function("document.querySelectorAll('#canvas li').length === 2")
    drag(page, _palette(page, "单选"), canvas)
    page.wait_for_function("document.querySelectorAll('#canvas li').length === 3")
    draft = site.api.get("/apps/showcase/draft").json()
    fields = next(f for f in draft["forms"] if f["key"] == "visit")["fields"]
    assert [f["type"] for f in fields] == ["text", "number", "select"]

    # Click the text field and edit it in the side panel: each change is one PATCH on the draft.
    canvas.locator("li").first.click()
    page.get_by_label("名称").fill("拜访主题")
    page.get_by_label("名称").press("Tab")
    page.wait_for_function("document.querySelector('#canvas li').textContent.includes('拜访主题')")
    page.get_by_label("必填").check()
    page.wait_for_function("document.querySelector('#canvas li').textContent.includes('*')")

    # An invalid change is refused, and the reason is shown next to the property.
    canvas.locator("li").nth(2).click()
    page.get_by_label(re.compile("^选项")).fill("")
    page.get_by_label(re.compile("^选项")).press("Tab")
    refusal = page.locator('[data-error-for="options"]')
    refusal.wait_for()
    assert refusal.inner_text().strip() != ""
    page.get_by_label(re.compile("^选项")).fill("电话\n上门|#16a34a")
    page.get_by_label(re.compile("^选项")).press("Tab")
    page.wait_for_function("document.querySelector('[data-error-for=\"options\"]').textContent === ''")

    # Drag the select field to the top: one move on the draft.
    drag(page, canvas.locator("li").nth(2), canvas.locator("li").first, below=False)
    page.wait_for_function("document.querySelector('#canvas li').textContent.includes('单选')")
    # the page reorders at once; the move request may still be on its way: read until it has landed
    for _ in range(50):
        draft = site.api.get("/apps/showcase/draft").json()
        keys = [f["key"] for f in next(f for f in draft["forms"] if f["key"] == "visit")["fields"]]
        if keys[0] == "select_1":
            break
        page.wait_for_timeout(100)
    assert keys == ["select_1", "text_1", "number_1"]

    page.get_by_role("button", name="发布").click()
    page.locator("#toast.show").wait_for()
    assert "已发布" in page.locator("#toast").inner_text()

    page.get_by_role("link", name="新建").click()
    page.wait_for_url(f"{site.url}/apps/showcase/forms/visit/records/new")
    page.get_by_label("拜访主题").fill("回访苏州客户")
    page.get_by_label("数字").fill("3")
    page.get_by_label("单选").select_option("上门")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/records/\d+$"))
    items = site.api.get("/apps/showcase/forms/visit/records").json()["items"]
    assert [i["data"] for i in items] == [{"text_1": "回访苏州客户", "number_1": 3, "select_1": "上门"}]
