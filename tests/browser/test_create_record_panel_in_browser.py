"""新建记录节点的设置：除字段对应外，还能设“先查找已有记录”（按字段相等找到就用它，不重复新建）、“按目标表单的查重规则
关联已有记录”和“关联回本记录的字段”。CRM 的线索转化打开后显示它的查找、查重与关联（查重选项可取消、再勾选）；没有查重
规则的表单勾选查重时保存被拒，错误显示在该选项下；在设计器里搭一个“线索 → 客户”的流程，发布后运行：同名客户已存在时
关联它、不新建，不存在时新建并关联。"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site
from tests.browser.wait import wait_until

APP = {
    "format": "tangram/app@1",
    "key": "leads",
    "name": "线索",
    "version": "1.0.0",
    "forms": [
        {
            "key": "customer",
            "name": "客户",
            "title_field": "name",
            "fields": [
                {"key": "name", "type": "text", "label": "客户名称", "required": True},
                {"key": "tags", "type": "multi_select", "label": "标签", "options": ["重点"]},
                {"key": "source", "type": "text", "label": "来源"},
            ],
        },
        {
            "key": "lead",
            "name": "线索",
            "title_field": "company",
            "fields": [
                {"key": "company", "type": "text", "label": "公司名称", "required": True},
                {"key": "customer", "type": "relation", "label": "客户", "target": "customer"},
                {"key": "other", "type": "relation", "label": "推荐人", "target": "lead"},
            ],
        },
    ],
    "flows": [{"key": "convert", "name": "转为客户", "form": "lead", "trigger": {"on": "submit"}, "steps": []}],
}
STEP = "steps[0]"


@pytest.fixture(scope="module")
def leads(site: Site) -> Site:
    r = site.api.post("/apps", json=APP)
    assert r.status_code == 201, r.text
    return site


def _open(page: Any, path: str) -> Any:
    page.locator(f'.node[data-path="{path}"] > .card').click()
    panel = page.locator("#step-fields")
    panel.get_by_label("在哪个表单中新建", exact=True).wait_for()
    return panel


def test_the_crm_lead_conversion_shows_its_match_and_link(page: Any, leads: Site) -> None:
    page.goto(f"{leads.url}/apps/crm/builder/flows/lead_conversion")
    panel = _open(page, "steps[0].branches[0].steps[0]")
    assert panel.get_by_label("查找字段 1", exact=True).input_value() == "name"
    assert panel.get_by_label("等于（表达式） 1", exact=True).input_value() == "company"
    assert panel.get_by_label("关联回本记录的字段", exact=True).input_value() == "customer"


def test_match_and_link_are_built_in_the_panel_and_the_flow_uses_an_existing_record(page: Any, leads: Site) -> None:
    page.goto(f"{leads.url}/apps/leads/builder/flows/convert")
    page.locator(f'button.add[data-at="{STEP}"]').click()
    page.get_by_role("menuitem", name="新建记录", exact=True).click()
    panel = _open(page, STEP)
    panel.get_by_label("在哪个表单中新建", exact=True).select_option("customer")
    # the relation back offers only this form's relations to 客户; matching offers no list field
    assert panel.get_by_label("关联回本记录的字段", exact=True).locator("option").all_inner_texts() == [
        "不关联",
        "客户（customer）",
    ]
    panel.get_by_role("button", name="添加一行").click()
    panel.get_by_label("目标字段 1", exact=True).select_option("name")
    panel.get_by_label("取值（表达式） 1", exact=True).fill("company")
    panel.get_by_role("button", name="添加查找条件").click()
    assert "tags" not in panel.get_by_label("查找字段 1", exact=True).locator("option").evaluate_all(
        "(options) => options.map((o) => o.value)"
    )
    panel.get_by_label("查找字段 1", exact=True).select_option("name")
    panel.get_by_label("等于（表达式） 1", exact=True).fill("company")
    panel.get_by_label("关联回本记录的字段", exact=True).select_option("customer")
    with page.expect_response(lambda r: "/steps" in r.url and r.request.method == "PATCH") as answer:
        page.get_by_role("button", name="保存").click()
    assert answer.value.ok, answer.value.text()
    flow = next(
        i["flow"] for i in leads.api.get("/apps/leads/draft/flows").json()["items"] if i["flow"]["key"] == "convert"
    )
    step = flow["steps"][0]
    assert (step["form"], step["values"], step["match"], step["link"]) == (
        "customer",
        {"name": "company"},
        {"name": "company"},
        "customer",
    )

    # Read back after a reload; taking the match row out and 不关联 remove both options.
    page.reload()
    panel = _open(page, STEP)
    assert panel.get_by_label("等于（表达式） 1", exact=True).input_value() == "company"
    assert panel.get_by_label("关联回本记录的字段", exact=True).input_value() == "customer"

    page.locator("#publish").click()
    wait_until(page, "document.getElementById('toast').textContent.includes('已发布')")
    existing = leads.record("leads", "customer", {"name": "华东机械", "source": "老客户"})
    known = leads.record("leads", "lead", {"company": "华东机械"})
    fresh = leads.record("leads", "lead", {"company": "西南电气"})
    for lead in (known, fresh):
        r = leads.api.post("/apps/leads/flows/convert/instances", json={"record_id": lead["id"]})
        assert r.status_code == 201, r.text
    linked = {
        lead["id"]: leads.api.get(f"/apps/leads/forms/lead/records/{lead['id']}").json()["data"]["customer"]["id"]
        for lead in (known, fresh)
    }
    assert linked[known["id"]] == existing["id"]  # found, not made again
    customers = leads.api.get("/apps/leads/forms/customer/records").json()["items"]
    assert sorted(c["data"]["name"] for c in customers) == ["华东机械", "西南电气"]
    assert linked[fresh["id"]] == next(c["id"] for c in customers if c["data"]["name"] == "西南电气")

    panel = _open(page, STEP)
    panel.locator('[data-option="match"] button.tool').first.click()
    panel.get_by_label("关联回本记录的字段", exact=True).select_option("")
    with page.expect_response(lambda r: "/steps" in r.url and r.request.method == "PATCH") as answer:
        page.get_by_role("button", name="保存").click()
    assert answer.value.ok, answer.value.text()
    flow = next(
        i["flow"] for i in leads.api.get("/apps/leads/draft/flows").json()["items"] if i["flow"]["key"] == "convert"
    )
    assert "match" not in flow["steps"][0] and "link" not in flow["steps"][0]


BY_RULES = "按目标表单的查重规则关联已有记录"


def _saved(page: Any) -> None:
    with page.expect_response(lambda r: "/steps" in r.url and r.request.method == "PATCH") as answer:
        page.get_by_role("button", name="保存").click()
    assert answer.value.ok, answer.value.text()


def _conversion_step(site: Site) -> dict[str, Any]:
    items = site.api.get("/apps/crm/draft/flows").json()["items"]
    flow = next(i["flow"] for i in items if i["flow"]["key"] == "lead_conversion")
    return flow["steps"][0]["branches"][0]["steps"][0]  # type: ignore[no-any-return]


def test_the_crm_customer_is_also_found_by_the_duplicate_rules_and_the_option_round_trips(page: Any,
                                                                                         leads: Site) -> None:
    page.goto(f"{leads.url}/apps/crm/builder/flows/lead_conversion")
    path = "steps[0].branches[0].steps[0]"
    panel = _open(page, path)
    assert panel.get_by_label(BY_RULES, exact=True).is_checked()
    assert "客户名称相近、总机电话相同" in panel.locator('[data-option="match_duplicates"]').inner_text()
    panel.get_by_label(BY_RULES, exact=True).uncheck()
    _saved(page)
    assert "match_duplicates" not in _conversion_step(leads)
    page.reload()
    panel = _open(page, path)
    assert not panel.get_by_label(BY_RULES, exact=True).is_checked()
    panel.get_by_label(BY_RULES, exact=True).check()
    _saved(page)
    assert _conversion_step(leads)["match_duplicates"] is True


def test_linking_by_duplicate_rules_in_a_form_without_them_is_refused_on_the_option(page: Any, leads: Site) -> None:
    step = {"type": "action", "action": "create_record", "form": "customer", "values": {"name": "company"}}
    r = leads.api.put("/apps/leads/draft/flows/by_rules", json={
        "key": "by_rules", "name": "按查重转客户", "form": "lead", "trigger": {"on": "submit"}, "steps": [step]})
    assert r.status_code == 200, r.text
    page.goto(f"{leads.url}/apps/leads/builder/flows/by_rules")
    panel = _open(page, STEP)
    assert "该表单没有查重规则" in panel.locator('[data-option="match_duplicates"]').inner_text()
    panel.get_by_label(BY_RULES, exact=True).check()
    page.get_by_role("button", name="保存").click()
    wait_until(page, "document.querySelector('[data-option-error=\"match_duplicates\"]').textContent !== ''")
    assert "没有查重规则" in panel.locator('[data-option-error="match_duplicates"]').inner_text()
    items = leads.api.get("/apps/leads/draft/flows").json()["items"]
    assert "match_duplicates" not in next(i["flow"] for i in items if i["flow"]["key"] == "by_rules")["steps"][0]
