"""The form builder in a real browser: create a form, drag three field types onto it, edit a
property (and see a refused one explained beside it), publish, and fill in the new form; edit a
cascade tree, sub-table columns, lookups and rollups, and a visible_when the record form obeys."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Site
from tests.browser.drag import drag
from tests.browser.wait import wait_until


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
    wait_until(page, "document.querySelectorAll('#canvas li').length === 2")
    drag(page, _palette(page, "单选"), canvas)
    wait_until(page, "document.querySelectorAll('#canvas li').length === 3")
    draft = site.api.get("/apps/showcase/draft").json()
    fields = next(f for f in draft["forms"] if f["key"] == "visit")["fields"]
    assert [f["type"] for f in fields] == ["text", "number", "select"]

    # Click the text field and edit it in the side panel: each change is one PATCH on the draft.
    canvas.locator("li").first.click()
    page.get_by_label("名称").fill("拜访主题")
    page.get_by_label("名称").press("Tab")
    wait_until(page, "document.querySelector('#canvas li').textContent.includes('拜访主题')")
    page.get_by_label("必填").check()
    wait_until(page, "document.querySelector('#canvas li').textContent.includes('*')")

    # An invalid change is refused, and the reason is shown next to the property.
    canvas.locator("li").nth(2).click()
    page.get_by_label(re.compile("^选项")).fill("")
    page.get_by_label(re.compile("^选项")).press("Tab")
    refusal = page.locator('[data-for-types~="select"] [data-error-for="options"]')
    refusal.wait_for()
    assert refusal.inner_text().strip() != ""
    page.get_by_label(re.compile("^选项")).fill("电话\n上门|#16a34a")
    page.get_by_label(re.compile("^选项")).press("Tab")
    wait_until(page, "el => el.textContent === ''", arg=refusal.element_handle())

    # Drag the select field to the top: one move on the draft.
    drag(page, canvas.locator("li").nth(2), canvas.locator("li").first, below=False)
    wait_until(page, "document.querySelector('#canvas li').textContent.includes('单选')")
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

    page.get_by_role("link", name="新建", exact=True).click()
    page.wait_for_url(f"{site.url}/apps/showcase/forms/visit/records/new")
    page.get_by_label("拜访主题").fill("回访苏州客户")
    page.get_by_label("数字").fill("3")
    page.get_by_label("单选").select_option("上门")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/records/\d+$"))
    items = site.api.get("/apps/showcase/forms/visit/records").json()["items"]
    assert [i["data"] for i in items] == [{"text_1": "回访苏州客户", "number_1": 3, "select_1": "上门"}]


def _saving(page: Any, key: str, action: Any) -> Any:
    """Do `action` and return the answer to the PATCH of field `key` that it sends."""
    with page.expect_response(lambda r: r.request.method == "PATCH" and r.url.endswith(f"/fields/{key}")) as answer:
        action()
    return answer.value


def _draft_field(site: Site, form: str, key: str) -> dict[str, Any]:
    draft = site.api.get("/apps/showcase/draft").json()
    fields = next(f for f in draft["forms"] if f["key"] == form)["fields"]
    return next(f for f in fields if f["key"] == key)  # type: ignore[no-any-return]


def test_cascade_tree_is_edited_as_indented_lines_and_published_nested(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/apps/showcase/builder/forms/customer")
    page.locator('#canvas li[data-key="trade"]').click()
    tree = page.get_by_label(re.compile("^级联选项"))
    assert tree.input_value() == "制造业\n  汽车零配件\n  电子\n服务业"

    # Two 电子 under one parent: the server refuses, and says so next to the tree.
    tree.fill("制造业\n  电子\n  电子")
    assert _saving(page, "trade", lambda: tree.press("Tab")).status == 422
    refusal = page.locator('[data-for-types="cascade"] [data-error-for="options"]')
    wait_until(page, "el => el.textContent.includes('电子')", arg=refusal.element_handle())
    assert tree.input_value() == "制造业\n  电子\n  电子"  # kept for the user to correct

    # A line indented two levels below its parent is not read as a tree at all.
    tree.fill("制造业\n      发动机")
    tree.press("Tab")
    wait_until(page, "el => el.textContent.includes('第 2 行')", arg=refusal.element_handle())

    tree.fill("制造业\n  汽车零配件\n    发动机\n  电子\n服务业|现代服务业\n  物流")
    assert _saving(page, "trade", lambda: tree.press("Tab")).ok
    page.get_by_role("button", name="发布").click()
    page.locator("#toast.show").wait_for()
    published = site.api.get("/apps/showcase").json()["definition"]
    trade = next(f for f in next(f for f in published["forms"] if f["key"] == "customer")["fields"]
                 if f["key"] == "trade")
    assert trade["options"] == [
        {"value": "制造业", "children": [{"value": "汽车零配件", "children": ["发动机"]}, "电子"]},
        {"value": "服务业", "label": "现代服务业", "children": ["物流"]},
    ]
    page.reload()
    page.locator('#canvas li[data-key="trade"]').click()
    assert tree.input_value() == "制造业\n  汽车零配件\n    发动机\n  电子\n服务业|现代服务业\n  物流"


def test_sub_table_columns_are_added_changed_moved_and_refused_by_the_server(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/apps/showcase/builder/forms/customer")
    page.locator('#canvas li[data-key="lines"]').click()
    columns = page.locator("#p-columns > li")
    assert columns.count() == 4
    assert _saving(page, "lines", lambda: page.get_by_role("button", name="添加列").click()).ok
    assert [c["key"] for c in _draft_field(site, "customer", "lines")["fields"]] == \
        ["item", "qty", "price", "subtotal", "col_5"]

    new = columns.nth(4)
    new.get_by_label("名称").fill("紧急程度")
    assert _saving(page, "lines", lambda: new.get_by_label("名称").press("Tab")).ok
    assert _saving(page, "lines", lambda: new.get_by_label("类型").select_option("单选")).ok
    new.get_by_label(re.compile("^选项")).wait_for()
    new.get_by_label(re.compile("^选项")).fill("急|#dc2626\n缓")
    assert _saving(page, "lines", lambda: new.get_by_label(re.compile("^选项")).press("Tab")).ok
    assert _saving(page, "lines", lambda: new.get_by_role("button", name="上移").click()).ok
    column = _draft_field(site, "customer", "lines")["fields"][3]
    assert column == {"key": "col_5", "type": "select", "label": "紧急程度",
                      "options": [{"value": "急", "color": "#dc2626"}, {"value": "缓"}]}

    # A key used twice is refused by the server; the reason shows at that column.
    moved = columns.nth(3)
    moved.get_by_label("标识").fill("qty")
    assert _saving(page, "lines", lambda: moved.get_by_label("标识").press("Tab")).status == 422
    wait_until(page, "el => el.textContent.includes('qty')",
                           arg=moved.locator("[data-column-error]").element_handle())
    assert _draft_field(site, "customer", "lines")["fields"][3]["key"] == "col_5"


def test_lookup_and_rollup_fields_choose_from_the_apps_forms(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/apps/showcase/builder/forms/customer")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/fields")) as answer:
        _palette(page, "引用字段").press("Enter")
    assert answer.value.status == 201
    lookup = _draft_field(site, "customer", "lookup_1")
    assert (lookup["relation"], lookup["field"]) == ("sector", "name")  # result: text, the default
    page.get_by_label("通过哪个关联字段").wait_for()
    assert page.get_by_label("通过哪个关联字段").locator("option:checked").inner_text() == "行业分类"
    assert page.get_by_label("引用关联记录的字段").locator("option:checked").inner_text() == "行业名称"

    # On the related form, a rollup sums a number field of the customers that point at it.
    page.goto(f"{site.url}/apps/showcase/builder/forms/industry")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/fields")):
        _palette(page, "汇总").press("Enter")
    page.get_by_label("汇总方式").wait_for()
    assert _saving(page, "rollup_1", lambda: page.get_by_label("汇总方式").select_option("求和")).ok
    rollup = _draft_field(site, "industry", "rollup_1")
    assert {k: rollup[k] for k in ("source", "agg", "of")} == \
        {"source": {"form": "customer", "field": "sector"}, "agg": "sum", "of": "staff"}
    assert _saving(page, "rollup_1", lambda: page.get_by_label("汇总的字段").select_option("合作开始")).status == 422
    page.locator('[data-for-types="rollup"] [data-error-for="of"]').wait_for()
    assert "sum" in page.locator('[data-for-types="rollup"] [data-error-for="of"]').inner_text()

    # Only the customers meeting a condition count: checked by the server against the customer form.
    where = page.get_by_label("只汇总满足条件的记录（可选）")
    where.fill("staff +")
    assert _saving(page, "rollup_1", lambda: where.press("Tab")).status == 422
    page.locator('[data-error-for="where"]').wait_for()
    where.fill("staff > 100")
    assert _saving(page, "rollup_1", lambda: where.press("Tab")).ok
    assert _draft_field(site, "industry", "rollup_1")["where"] == "staff > 100"


def test_visible_when_is_checked_by_the_server_then_hides_the_field_on_the_record_form(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/apps/showcase/builder/forms/customer")
    page.locator('#canvas li[data-key="phone"]').click()
    condition = page.get_by_label(re.compile("^显示条件"))
    condition.fill("staff >")
    assert _saving(page, "phone", lambda: condition.press("Tab")).status == 422
    slot = page.locator('[data-error-for="visible_when"]')
    wait_until(page, "el => el.textContent.trim() !== ''", arg=slot.element_handle())
    assert condition.input_value() == "staff >"
    assert "visible_when" not in _draft_field(site, "customer", "phone")

    condition.fill("staff > 100")
    assert _saving(page, "phone", lambda: condition.press("Tab")).ok
    wait_until(page, "el => el.textContent === ''", arg=slot.element_handle())
    assert _draft_field(site, "customer", "phone")["visible_when"] == "staff > 100"
    page.get_by_role("button", name="发布").click()
    page.locator("#toast.show").wait_for()

    page.goto(f"{site.url}/apps/showcase/forms/customer/records/new")
    phone = page.locator('.field[data-field="phone"]')
    page.get_by_label("员工数").fill("50")
    phone.wait_for(state="hidden")
    page.get_by_label("员工数").fill("500")
    phone.wait_for(state="visible")


def test_encrypted_is_offered_for_text_like_fields_only_and_saved_to_the_draft(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/apps/showcase")
    page.get_by_label("表单标识（英文）").fill("vault")
    page.get_by_label("表单名称").fill("保密资料")
    page.get_by_role("button", name="创建").click()
    page.wait_for_url(f"{site.url}/apps/showcase/builder/forms/vault")
    canvas = page.locator("#canvas")
    drag(page, _palette(page, "电话"), canvas)
    canvas.locator("li").first.wait_for()
    drag(page, _palette(page, "数字"), canvas)
    wait_until(page, "document.querySelectorAll('#canvas li').length === 2")

    canvas.locator("li").first.click()
    answer = _saving(page, "phone_1", lambda: page.get_by_label("加密存储").check())
    assert answer.status == 200, answer.text()
    assert _draft_field(site, "vault", "phone_1")["encrypted"] is True
    canvas.locator("li").nth(1).click()
    assert not page.get_by_label("加密存储").is_visible()  # numbers cannot be encrypted
