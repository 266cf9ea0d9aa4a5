"""通讯录导入 and the time zone in a real browser, in Chinese (issue 27): the administrator opens 导入 on 组织架构,
previews an xlsx (a bad row is shown with its problem and blocks the import), fixes it, imports two users into a
new 销售部/华东区, sees their initial passwords once; then sets the time zone in 系统设置, which applies at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from runtime.io.spreadsheet import xlsx_bytes
from tests.browser.conftest import Site

HEADER = ["用户名*", "姓名", "部门", "主部门", "手机", "邮箱", "是否管理员"]


def _xlsx(tmp_path: Path, name: str, *rows: list[Any]) -> str:
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(HEADER, rows))
    return str(path)


def test_the_administrator_imports_users_from_xlsx_and_changes_the_time_zone(page: Any, site: Site,
                                                                            tmp_path: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.goto(f"{site.url}/admin/org")
    page.get_by_role("button", name="导入", exact=True).click()
    panel = page.locator("#user-import")
    expect(panel.get_by_role("link", name="下载导入模板")).to_be_visible()
    bad = _xlsx(tmp_path, "bad.xlsx", ["zhao.yun", "赵云", "销售部/华东区", "", "13800138000", "", "否"],
                ["ma.chao", "马超", "销售部/华东区", "", "12345", "", ""])
    panel.get_by_label("选择文件（xlsx、xls、ods、CSV）").set_input_files(bad)
    panel.get_by_label("创建文件中缺少的部门").check()
    panel.get_by_role("button", name="预览").click()
    failed = panel.locator("#ui-rows tr[data-status=failed]")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("第 3 行「手机」")
    expect(panel.get_by_role("button", name="开始导入")).to_be_disabled()

    good = _xlsx(tmp_path, "good.xlsx", ["zhao.yun", "赵云", "销售部/华东区", "", "13800138000", "", "否"],
                 ["ma.chao", "马超", "销售部/华东区", "", "13900139000", "ma@example.cn", ""])
    panel.get_by_label("选择文件（xlsx、xls、ods、CSV）").set_input_files(good)
    panel.get_by_role("button", name="预览").click()
    expect(panel.locator("#ui-rows tr[data-status=new]")).to_have_count(2)
    expect(panel.locator("#ui-counts")).to_contain_text("新增 2 人")
    panel.get_by_role("button", name="开始导入").click()
    expect(panel.locator("#ui-passwords tbody tr")).to_have_count(2)
    expect(panel.get_by_role("link", name="下载初始密码（CSV）")).to_be_visible()
    password = panel.locator("#ui-passwords tbody tr").first.locator("td.password").inner_text()
    assert len(password) >= 12
    user = site.api.get("/users/zhao.yun").json()
    assert user["must_change_password"] is True and user["mobile"] == "13800138000"
    names = {d["name"] for d in site.api.get("/departments").json()["items"]}
    assert {"销售部", "华东区"} <= names

    page.goto(f"{site.url}/admin/settings")
    section = page.locator("section[data-section=working_time]")
    section.get_by_label("时区").fill("Mars/Olympus")
    section.get_by_role("button", name="保存").click()
    expect(section.locator('[data-error-for="timezone"]')).to_contain_text("未知时区")
    section.get_by_label("时区").fill("Europe/London")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/settings") and r.request.method == "PATCH") as answer:
        section.get_by_role("button", name="保存").click()
    assert answer.value.ok, answer.value.text()
    assert site.api.get("/settings").json()["working_time"]["timezone"]["value"] == "Europe/London"
    page.reload()
    expect(page.locator("section[data-section=working_time]").get_by_label("时区")).to_have_value("Europe/London")
    assert errors == []
