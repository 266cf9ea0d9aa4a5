"""Printing in a real browser, in Chinese: a quote's 打印 button opens the print view, 下载 PDF gives a PDF
whose text (pdftotext) holds the quote's values and its 大写金额; the print template editor previews a
template live, names a wrong placeholder, and saves to the draft. No CSP violation or script error on the way."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from tests.browser.conftest import Site
from tests.browser.signed_in import signed_in_page
from tests.browser.wait import wait_until


def _quote(site: Site, customer_name: str = "苏州恒瑞精密机械有限公司") -> dict[str, Any]:
    customer = site.record("crm", "customer", {"name": customer_name})
    lines = [{"item": "CRM 专业版", "qty": 2, "unit_price": 5000}, {"item": "实施服务", "qty": 1, "unit_price": 2600}]
    return site.record("crm", "quote", {"customer": customer["id"], "quoted_on": "2026-12-06", "lines": lines})


def test_a_quote_prints_to_a_pdf_with_its_values_and_amount_in_capitals(
    browser: Any, site: Site, tmp_path: Path
) -> None:
    quote = _quote(site)
    faults: list[str] = []
    page = signed_in_page(browser, site.url, "admin", faults)
    page.goto(f"{site.url}/apps/crm/forms/quote/records/{quote['id']}")
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=re.compile("打印")).click()
    view = opened.value
    view.wait_for_load_state()
    view.on("pageerror", lambda e: faults.append(f"script error: {e}"))
    body = view.locator(".print-record")
    assert "壹万贰仟陆佰元整" in body.inner_text() and quote["data"]["code"] in body.inner_text()
    assert view.get_by_role("button", name=re.compile("打印")).is_visible()
    with view.expect_download() as download:
        view.get_by_role("link", name="下载 PDF").click()
    pdf = tmp_path / "quote.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout.replace(" ", "")
    for expected in (
        quote["data"]["code"],
        "苏州恒瑞精密机械有限公司",
        "2026年12月6日",
        "CRM专业版",
        "实施服务",
        "12,600.00",
        "壹万贰仟陆佰元整",
    ):
        assert expected in text, expected
    assert faults == []
    page.context.close()


def test_the_template_editor_previews_live_names_a_bad_placeholder_and_saves(browser: Any, site: Site) -> None:
    quote = _quote(site, "无锡华光机电有限公司")
    faults: list[str] = []
    page = signed_in_page(browser, site.url, "admin", faults)
    page.goto(f"{site.url}/apps/crm/builder/forms/quote")
    page.get_by_role("link", name="打印模板").click()
    page.wait_for_url(re.compile("print-templates"))
    page.locator("#preview-record").select_option(str(quote["id"]))
    preview = page.frame_locator("#print-preview")
    preview.locator("text=壹万贰仟陆佰元整").wait_for()

    body = page.get_by_label("正文（HTML）")
    body.fill(body.input_value() + "<p>核对：{{ CNMONEY(amount * 2) }}</p>")
    preview.locator("text=核对：贰万伍仟贰佰元整").wait_for()

    body.fill(body.input_value() + "<p>{{ cutomer }}</p>")
    errors = page.locator("#template-errors")
    errors.locator("text=cutomer").wait_for()
    assert "{{ cutomer }}" in errors.inner_text()

    body.fill(body.input_value().replace("<p>{{ cutomer }}</p>", ""))
    wait_until(page, "document.getElementById('template-errors').children.length === 0")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile("template=quote_sheet"))
    draft = site.api.get("/apps/crm/draft").json()
    sheet = next(f for f in draft["forms"] if f["key"] == "quote")["print_templates"][0]
    assert "核对：{{ CNMONEY(amount * 2) }}" in sheet["body"]
    assert faults == []
    page.context.close()


def test_a_related_records_field_is_inserted_from_the_placeholder_list_and_previewed(browser: Any, site: Site) -> None:
    customer = site.record("crm", "customer", {"name": "常州天合光电有限公司", "short_name": "天合简称"})
    quote = site.record("crm", "quote", {"customer": customer["id"], "quoted_on": "2026-12-06",
                                         "lines": [{"item": "培训", "qty": 1, "unit_price": 100}]})
    faults: list[str] = []
    page = signed_in_page(browser, site.url, "admin", faults)
    page.goto(f"{site.url}/apps/crm/builder/forms/quote/print-templates")
    page.locator("#preview-record").select_option(str(quote["id"]))
    preview = page.frame_locator("#print-preview")
    preview.locator("text=壹佰元整").first.wait_for()
    body = page.get_by_label("正文（HTML）")
    body.fill(body.input_value() + "<p>简称：</p>")
    body.press("ControlOrMeta+End")
    body.press("ArrowLeft")  # inside the paragraph, after 简称：
    body.press("ArrowLeft")
    body.press("ArrowLeft")
    body.press("ArrowLeft")
    page.locator("#placeholder-list summary", has_text="客户 ▸").click()
    page.get_by_role("button", name="客户.客户简称").click()
    assert body.input_value().endswith("<p>简称：{{ customer.short_name }}</p>")
    preview.locator("text=简称：天合简称").wait_for()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile("template=quote_sheet"))
    draft = site.api.get("/apps/crm/draft").json()
    sheet = next(f for f in draft["forms"] if f["key"] == "quote")["print_templates"][0]
    assert "简称：{{ customer.short_name }}" in sheet["body"]
    assert faults == []
    page.context.close()
