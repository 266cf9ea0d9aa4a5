"""The HTTP 请求 step's panel in the flow designer, in a real browser, in Chinese: method, URL, a header, a
bearer secret by name, a JSON body with a field placeholder inserted from the menu, timeout, attempts, the
success check and an answer path written back into a field — saved, stored as typed, shown again after a
reload; a credential typed into a header is refused on that header's row, in Chinese."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site
from tests.browser.test_flow_panels_in_browser import _flow, _insert, _new_flow, _open, _panel, _save


def test_the_http_step_is_configured_in_its_panel_and_round_trips(page: Any, site: Site) -> None:
    _new_flow(site, page, "push_to_erp", [])
    _insert(page, "steps[0]", "HTTP 请求")
    _open(page, "steps[0]", "请求方式")
    panel = _panel(page)
    assert "http.push_order.body" in panel.locator('[data-help="answer"]').inner_text()
    panel.get_by_label("步骤标识（英文，可选）", exact=True).fill("push_order")
    panel.get_by_label("请求方式", exact=True).select_option("PUT")
    panel.get_by_label("请求地址", exact=True).fill("{{$secret.erp_server}}/api/orders")
    panel.get_by_role("button", name="添加请求头").click()
    panel.get_by_label("请求头 1", exact=True).fill("X-Source")
    panel.get_by_label("请求头的值 1", exact=True).fill("tangram")
    panel.get_by_label("认证方式", exact=True).select_option("bearer")
    panel.get_by_label("密钥名称（系统设置 → 连接器密钥）", exact=True).fill("erp_token")
    body = panel.get_by_label("请求内容模板（JSON）", exact=True)
    body.fill('{"order": {"title": , "amount": "{{amount}}"}}')
    body.evaluate("t => t.setSelectionRange(19, 19)")  # after "title": — the menu inserts there
    panel.get_by_label("请求内容模板（JSON） · 插入字段", exact=True).select_option("name")
    panel.get_by_label("超时（秒）", exact=True).fill("20")
    panel.get_by_label("失败重试次数上限", exact=True).fill("3")
    panel.get_by_label("成功条件：应答路径", exact=True).fill("response.body.code")
    panel.get_by_label("成功条件：等于（JSON，留空为真值）", exact=True).fill('"200"')
    panel.get_by_role("button", name="添加回写").click()
    panel.get_by_label("回写字段 1", exact=True).select_option("note")
    panel.get_by_label("应答路径 1", exact=True).fill("response.body.data.code")
    _save(page)
    stored = _flow(site, "push_to_erp")["steps"][0]
    assert stored == {"type": "action", "action": "http_request", "key": "push_order", "method": "PUT",
                      "url": "{{$secret.erp_server}}/api/orders", "headers": {"X-Source": "tangram"},
                      "auth": {"type": "bearer", "secret": "erp_token"},
                      "body": {"order": {"title": "{{name}}", "amount": "{{amount}}"}}, "timeout": 20, "attempts": 3,
                      "success": {"path": "response.body.code", "equals": "200"},
                      "set": {"note": "response.body.data.code"}}

    page.reload()
    _open(page, "steps[0]", "请求方式")
    panel = _panel(page)
    assert panel.get_by_label("请求方式", exact=True).input_value() == "PUT"
    assert panel.get_by_label("密钥名称（系统设置 → 连接器密钥）", exact=True).input_value() == "erp_token"
    assert '"title": "{{name}}"' in panel.get_by_label("请求内容模板（JSON）", exact=True).input_value()
    assert panel.get_by_label("应答路径 1", exact=True).input_value() == "response.body.data.code"
    before = _flow(site, "push_to_erp")
    _save(page)  # what the panel shows is what is stored: saving again changes nothing
    assert _flow(site, "push_to_erp") == before


def test_a_credential_typed_into_a_header_is_refused_on_its_row(page: Any, site: Site) -> None:
    _new_flow(site, page, "push_refused", [{"type": "action", "action": "http_request",
                                            "url": "https://erp.example/api/orders"}])
    _open(page, "steps[0]", "请求方式")
    panel = _panel(page)
    panel.get_by_role("button", name="添加请求头").click()
    panel.get_by_label("请求头 1", exact=True).fill("Authorization")
    panel.get_by_label("请求头的值 1", exact=True).fill("Bearer abc123")
    with page.expect_response(lambda r: "/steps" in r.url and r.request.method == "PATCH") as answer:
        panel.page.get_by_role("button", name="保存").click()
    assert answer.value.status == 422
    error = panel.locator('[data-option-error="headers.Authorization"]')
    error.wait_for()
    assert "连接器密钥" in error.text_content()
    assert panel.get_by_label("请求头的值 1", exact=True).input_value() == "Bearer abc123"  # kept as typed
    assert "Authorization" not in str(_flow(site, "push_refused")["steps"][0].get("headers"))
