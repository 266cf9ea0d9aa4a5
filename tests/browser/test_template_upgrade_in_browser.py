"""升级模板 in a real browser, in Chinese: the CRM customised here is upgraded to a v2 of its template;
the preview lists the template's additions, the local changes kept and the one conflict side by side;
the administrator takes the template's threshold, the publish report asks for the stored customer's
missing 行业, and the upgrade applies exactly that. Then the CRM's export imported as a copy from the same page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.browser.conftest import Site
from tests.template_versions import THRESHOLD, V1, customised, template_v2, threshold


def test_upgrade_with_one_conflict_and_the_publish_check(page: Any, site: Site, tmp_path: Path) -> None:
    assert site.api.put("/apps/crm", json=customised(V1)).status_code == 200
    site.record("crm", "customer", {"name": "杭州甲公司"})
    v2 = template_v2(V1)
    v2["forms"][0]["fields"][4]["required"] = True  # 行业: the stored customer has none
    upload = tmp_path / "crm-v2.json"
    upload.write_text(json.dumps(v2, ensure_ascii=False), encoding="utf-8")

    page.goto(f"{site.url}/apps/crm")
    page.get_by_role("link", name="升级模板").click()
    page.get_by_role("heading", name="升级模板").wait_for()
    page.get_by_label("新版本模板文件（JSON）").set_input_files(str(upload))
    page.get_by_role("button", name="预览").click()
    page.locator("#upgrade-result").wait_for()
    assert page.locator('#up-added li[data-path="forms[customer].fields[credit_code]"]').is_visible()
    assert page.locator('#up-added li[data-path="reports[service_quality]"]').is_visible()
    assert "客户全称" in page.locator('#up-kept li[data-path="forms[customer].fields[name].label"]').inner_text()
    row = page.locator(f'#up-conflicts tr[data-path="{THRESHOLD}"]')
    assert [c.strip() for c in row.locator("td").all_inner_texts()[1:4]] == [
        "amount > 500000", "amount > 300000", "amount > 1000000"]

    page.get_by_role("button", name="应用升级").click()  # no choice yet: refused, naming the conflict
    page.locator('#upgrade [data-error-for="form"]', has_text=THRESHOLD).wait_for()
    assert site.api.get("/apps/crm").json()["version"] == 2

    row.get_by_label("采用模板").check()
    page.get_by_role("button", name="应用升级").click()
    dialog = page.locator("dialog#publish-report")
    dialog.get_by_role("heading", name="已有数据不符合新的规则").wait_for()
    problem = dialog.locator('li[data-problem="customer.industry.required"]')
    assert "杭州甲公司" in problem.inner_text()
    problem.get_by_label("填充的值").fill("制造业")
    problem.get_by_role("radio").first.check()
    dialog.get_by_role("button", name="确认发布").click()
    page.locator("#upgrade-done").wait_for()
    assert "已升级：版本 3（模板 2.0.0）" in page.locator("#upgrade-done").inner_text()

    after = site.api.get("/apps/crm").json()["definition"]
    assert threshold(after) == "amount > 1000000"
    customer = {f["key"]: f for f in after["forms"][0]["fields"]}
    assert customer["name"]["label"] == "客户全称" and "credit_code" in customer
    stored = site.api.get("/apps/crm/forms/customer/records").json()["items"]
    assert [r["data"]["industry"] for r in stored] == [["制造业"]]


def test_import_an_export_as_a_copy_with_its_records(page: Any, site: Site, tmp_path: Path) -> None:
    customer = site.record("crm", "customer", {"name": "宁波丙公司", "industry": ["制造业"]})
    site.record("crm", "contact", {"name": "李娜", "customer": customer["id"]})
    bundle = site.api.get("/apps/crm/export", params={"records": "true"}).json()
    upload = tmp_path / "crm-export.json"
    upload.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")

    page.goto(f"{site.url}/apps/crm/builder/upgrade")
    page.get_by_label("应用导出文件（JSON）").set_input_files(str(upload))
    page.get_by_label("新应用的标识（英文）").fill("crm_copy")
    page.get_by_role("button", name="导入", exact=True).click()
    page.locator("#copy-done a").wait_for()
    assert "已导入为" in page.locator("#copy-done").inner_text()

    copies = site.api.get("/apps/crm_copy/forms/customer/records").json()["items"]
    copied = next(c for c in copies if c["data"]["name"] == "宁波丙公司")
    [contact] = [c for c in site.api.get("/apps/crm_copy/forms/contact/records").json()["items"]
                 if c["data"]["name"] == "李娜"]
    assert contact["data"]["customer"]["id"] == copied["id"] != customer["id"]
