"""A page signed in as one user, on which every page visited runs under the strict policy: a CSP violation
or a script error lands in `faults` (test_csp_in_browser.py asserts the same page by page)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PASSWORD


def signed_in_page(browser: Any, url: str, name: str, faults: list[str], width: int = 1280,
                   height: int = 900) -> Any:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": width, "height": height})
    page = context.new_page()
    page.on("console", lambda m: faults.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: faults.append(f"script error: {e}"))
    page.goto(f"{url}/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{url}/")
    return page
