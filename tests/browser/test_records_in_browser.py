"""End users in a real browser: log in and out, create a record with every field type, see
validation errors at the fields, and be told when someone else saved the record first."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import PASSWORD, Site, log_in
from tests.browser.wait import wait_until

NEW_CUSTOMER = "/apps/showcase/forms/customer/records/new"


def test_login_page_opens_the_app_list_and_logout_ends_the_session(browser: Any, site: Site) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{site.url}/apps/crm")
    assert "/login?next=" in page.url  # no session: the login page, remembering where we were going
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text() == "用户名或密码错误"
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{site.url}/apps/crm")
    assert page.get_by_role("link", name="客户", exact=True).first.is_visible()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{site.url}/login")
    page.goto(f"{site.url}/")
    assert "/login" in page.url
    context.close()


def test_customer_with_every_field_type_is_saved_and_shown(page: Any, site: Site, tmp_path: Any) -> None:
    site.record("showcase", "industry", {"name": "汽车制造"})
    assert site.api.post("/departments", json={"key": "east_sales", "name": "华东销售部"}).status_code in (201, 409)
    page.goto(site.url + NEW_CUSTOMER)
    page.get_by_label("客户名称").fill("苏州丰正新能源科技")
    page.get_by_label("简介").fill("做电池管理系统\n第二行")
    page.get_by_label("员工数").fill("320")
    page.get_by_label("年营业额").fill("12,500,000.50")
    page.get_by_label("折扣").fill("12.5")
    page.get_by_label("合作开始").fill("2026-03-01")
    page.get_by_label("拜访时间").fill("2026-11-20T14:30")
    page.get_by_label("重点客户").check()  # the checkbox's own label ("是") is inside the field's
    page.get_by_label("等级").select_option("A")
    page.get_by_label("老客户").check()
    page.get_by_label("制造").check()
    page.get_by_label("所属行业").fill("制造业/汽车零配件")
    page.get_by_label("地址 省").fill("江苏省")
    page.get_by_label("地址 市").fill("苏州市")
    page.get_by_label("地址 区/县").fill("工业园区")
    page.get_by_label("地址 详细地址").fill("星湖街 328 号")
    page.get_by_label("电话").fill("138-0013-8000")
    page.get_by_label("邮箱").fill("sales@example.cn")
    page.get_by_label("网址").fill("fengzheng.example.cn")
    page.get_by_label("负责人").fill("zhang.wei")
    page.get_by_label("协作人").select_option(["admin", "zhang.wei"])
    assert page.locator("#f-dept-departments option[value='east_sales']").text_content() == "华东销售部"
    page.get_by_label("部门").fill("east_sales")
    page.locator("#f-sector").fill("汽车")
    page.get_by_role("option", name="汽车制造").click()
    upload = tmp_path / "合同扫描件.txt"
    upload.write_text("扫描件", encoding="utf-8")
    page.locator("#f-files").set_input_files(str(upload))
    page.get_by_role("link", name="合同扫描件.txt").wait_for()
    page.get_by_role("button", name="添加一行").click()
    page.get_by_role("button", name="添加一行").click()
    rows = page.locator("#f-lines tbody tr:not(.template)")
    rows.nth(0).get_by_label("品名").fill("电芯")
    rows.nth(0).get_by_label("数量").fill("10")
    rows.nth(0).get_by_label("单价").fill("99.5")
    rows.nth(1).get_by_label("品名").fill("线束")
    rows.nth(1).get_by_label("数量").fill("2")
    rows.nth(1).get_by_label("单价").fill("10")
    # Subtotals and the total appear while typing (the server computes them; nothing is saved yet).
    wait_until(page, "document.querySelector('#f-total').textContent.trim() === '1015'")
    assert rows.nth(0).locator('[data-sub="subtotal"]').inner_text() == "995"
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(r"/records/\d+$"))
    record_id = int(page.url.rsplit("/", 1)[1])

    data = site.api.get(f"/apps/showcase/forms/customer/records/{record_id}").json()["data"]
    assert data["name"] == "苏州丰正新能源科技" and data["code"] == "KH-0001"
    assert data["intro"] == "做电池管理系统\n第二行" and data["staff"] == 320
    assert data["revenue"] == "12500000.50" and data["discount"] == "0.125"  # 12.5 typed beside a % sign
    assert data["since"] == "2026-03-01" and data["visited_at"].startswith("2026-11-20T06:30")
    assert data["vip"] is True and data["level"] == "A" and data["tags"] == ["老客户", "制造"]
    assert data["trade"] == ["制造业", "汽车零配件"]
    assert data["address"] == {"province": "江苏省", "city": "苏州市", "district": "工业园区", "detail": "星湖街 328 号"}
    assert data["phone"] == "13800138000" and data["email"] == "sales@example.cn"
    assert data["website"].startswith("https://fengzheng.example.cn")
    assert data["manager"] == "zhang.wei" and sorted(data["team"]) == ["admin", "zhang.wei"]
    assert data["dept"] == "east_sales" and data["sector"]["title"] == "汽车制造"
    assert [f["name"] for f in data["files"]] == ["合同扫描件.txt"]
    assert [(line["item"], line["qty"], line["price"], line["subtotal"]) for line in data["lines"]] == [
        ("电芯", 10, "99.50", "995"), ("线束", 2, "10.00", "20")]
    assert str(data["total"]) == "1015"

    body = page.locator("main").inner_text()
    for shown in ("苏州丰正新能源科技", "KH-0001", "江苏省苏州市工业园区星湖街 328 号", "汽车制造", "合同扫描件.txt", "电芯"):
        assert shown in body
    assert "创建" in page.locator(".timeline").inner_text()


def test_validation_errors_are_shown_at_their_fields_and_nothing_is_saved(page: Any, site: Site) -> None:
    before = len(site.api.get("/apps/showcase/forms/customer/records").json()["items"])
    page.goto(site.url + NEW_CUSTOMER)
    page.get_by_label("邮箱").fill("not-an-email")
    page.get_by_label("员工数").fill("-3")
    page.get_by_role("button", name="添加一行").click()
    page.locator("#f-lines tbody tr:not(.template)").first.get_by_label("数量").fill("0")
    page.get_by_role("button", name="保存", exact=True).click()
    name_error = page.locator('[data-error-for="name"]')
    name_error.wait_for()
    assert name_error.inner_text().strip() != ""
    assert page.locator('[data-error-for="email"]').inner_text().strip() != ""
    assert page.locator('[data-error-for="staff"]').inner_text().strip() != ""
    assert page.get_by_label("邮箱").get_attribute("aria-invalid") == "true"
    assert page.locator('[data-error-for="lines"]').inner_text().strip() != ""
    row = page.locator("#f-lines tbody tr:not(.template)").first
    assert row.get_by_label("数量").get_attribute("aria-invalid") == "true"
    assert page.url.endswith("/records/new")
    assert len(site.api.get("/apps/showcase/forms/customer/records").json()["items"]) == before


def test_saving_over_a_newer_version_is_refused_with_a_message(browser: Any, site: Site) -> None:
    record = site.record("showcase", "customer", {"name": "并发测试客户", "intro": "原始"})
    edit = f"{site.url}/apps/showcase/forms/customer/records/{record['id']}/edit"
    first, second = log_in(browser, site), log_in(browser, site)
    first.goto(edit)
    second.goto(edit)
    first.get_by_label("简介").fill("第一个标签页")
    first.get_by_role("button", name="保存", exact=True).click()
    first.wait_for_url(f"**/records/{record['id']}")
    second.get_by_label("简介").fill("第二个标签页")
    second.get_by_role("button", name="保存", exact=True).click()
    alert = second.locator('[data-error-for="form"]')
    alert.wait_for()
    assert "已被他人修改" in alert.inner_text() and "2" in alert.inner_text()
    assert site.api.get(f"/apps/showcase/forms/customer/records/{record['id']}").json()["data"]["intro"] == "第一个标签页"
    first.context.close()
    second.context.close()


def test_fields_show_and_hide_with_their_visible_when(page: Any, site: Site) -> None:
    page.goto(site.url + NEW_CUSTOMER)
    risk = page.locator('.field[data-field="risk"]')
    page.get_by_label("等级").select_option("A")
    wait_until(page, "document.querySelector('.field[data-field=\"risk\"]').hidden === true")
    page.get_by_label("等级").select_option("C")
    wait_until(page, "document.querySelector('.field[data-field=\"risk\"]').hidden === false")
    assert risk.get_by_label("风险说明").is_visible()


def test_an_unknown_user_is_refused_at_the_user_field(page: Any, site: Site) -> None:
    page.goto(site.url + NEW_CUSTOMER)
    page.get_by_label("客户名称").fill("未知负责人客户")
    page.get_by_label("负责人").fill("no.such.user")
    page.get_by_role("button", name="保存", exact=True).click()
    error = page.locator('[data-error-for="manager"]')
    error.wait_for()
    assert "no.such.user" in error.inner_text()
    assert page.get_by_label("负责人").get_attribute("aria-invalid") == "true"
