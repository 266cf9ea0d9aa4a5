"""系统设置 in a real browser (issue 27): the administrator opens it from the top bar, sets the SMTP server,
sends a test e-mail (and sees the server's words when it fails), imports a year's 放假安排 into the holiday
calendar, sets the DingTalk robot (never shown back) and sends it a test message, renames the system and
uploads a logo (the top bar shows it) and gets a bad value refused at its field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from runtime.crypto import keyring
from tests.browser.conftest import Site, serve_site
from tests.fakes import http_fake, smtp_fake
from tests.runtime.settings.test_settings_api import PNG

SCHEDULE = """国庆节、中秋节：
2026-10-01 休
2026-10-02 休
2026/10/8 休
2026-09-20 班
2026年10月10日 班
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The live server with an encryption key: secret settings are stored encrypted."""
    with serve_site(tmp_path_factory, encryption_key=keyring.new_key()) as s:
        yield s
    keyring.install(None)


def _save(page: Any, section: str) -> None:
    """保存 one section and wait for the server's answer (the toast of an earlier save may still show)."""
    with page.expect_response(lambda r: r.url.endswith("/api/v1/settings") and r.request.method == "PATCH") as answer:
        page.locator(f"section[data-section={section}]").get_by_role("button", name="保存").click()
    assert answer.value.ok, answer.value.text()


def test_the_administrator_sets_smtp_holidays_and_the_name_and_tests_the_mail(page: Any, site: Site) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.goto(f"{site.url}/")
    page.get_by_role("link", name="系统设置").click()
    page.wait_for_url("**/admin/settings")
    email = page.locator("section[data-section=email]")
    with smtp_fake() as smtp:
        page.get_by_label("SMTP 服务器").fill(smtp.host)
        page.get_by_label("端口").fill(str(smtp.port))
        page.get_by_label("发件人").fill("noreply@example.cn")
        _save(page, "email")
        page.get_by_label("测试收件地址").fill("li@example.cn")
        page.get_by_role("button", name="发送测试邮件").click()
        expect(page.locator("#st-test-result")).to_have_text("测试邮件已发送")
        assert smtp.messages[0]["rcpt"] == ["li@example.cn"]
    page.get_by_label("端口").fill("70000")
    email.get_by_role("button", name="保存").click()
    expect(email.locator("[data-error-for=smtp_port]")).to_contain_text("smtp_port")
    page.get_by_label("端口").fill("1")  # nothing listens there: the test says why it failed
    _save(page, "email")
    page.get_by_role("button", name="发送测试邮件").click()
    expect(page.locator("#st-test-result")).to_contain_text("发送失败：")

    with http_fake() as robot:  # the robot's URL is written, never shown back
        page.get_by_label("钉钉机器人 Webhook").fill(f"{robot.url}/robot/send?access_token=tok-1")
        _save(page, "robots")
        page.reload()
        expect(page.get_by_label("钉钉机器人 Webhook")).to_have_value("")
        expect(page.get_by_label("钉钉机器人 Webhook")).to_have_attribute("placeholder", "已设置（留空则不变）")
        page.get_by_role("button", name="发送测试消息（钉钉）").click()
        expect(page.locator("#st-robot-result")).to_have_text("测试消息已发送")
        assert robot.received[0].path.endswith("access_token=tok-1")
    page.get_by_role("button", name="发送测试消息（企业微信）").click()
    expect(page.locator("#st-robot-result")).to_contain_text("发送失败：")

    holidays = page.locator("section[data-section=holidays]")
    holidays.locator("summary").click()
    page.locator("#st-import-text").fill(SCHEDULE)
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#st-import-result")).to_contain_text("已导入 3 个节假日、2 个调休上班日（2026 年）")
    _save(page, "holidays")
    stored = site.api.get("/settings").json()["holidays"]
    assert stored["holidays"]["value"] == ["2026-10-01", "2026-10-02", "2026-10-08"]
    assert stored["workdays"]["value"] == ["2026-09-20", "2026-10-10"]

    page.get_by_label("系统名称").fill("星河云办公")
    page.locator("#st-brand_logo").set_input_files({"name": "logo.png", "mimeType": "image/png", "buffer": PNG})
    _save(page, "brand")
    page.reload()
    expect(page.locator("#brand-name")).to_have_text("星河云办公")
    logo = page.locator("#brand-name img.brand-logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.naturalWidth") == 1  # the uploaded image itself, served to the top bar
    assert errors == []


def test_connector_secrets_are_set_listed_by_name_only_and_deleted(page: Any, site: Site) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.goto(f"{site.url}/admin/settings")
    section = page.locator("#connector-secrets")
    expect(section.get_by_role("heading", name="连接器密钥")).to_be_visible()
    section.get_by_label("密钥名称").fill("Kingdee Password")
    section.get_by_label("密钥值").fill("Kd#2026!pw")
    section.get_by_role("button", name="保存密钥").click()
    expect(section.locator('[data-error-for="name"]')).to_contain_text("连接器密钥名")
    section.get_by_label("密钥名称").fill("kingdee_password")
    with page.expect_navigation():
        section.get_by_role("button", name="保存密钥").click()
    expect(page.locator('#cs-list li[data-secret="kingdee_password"]')).to_contain_text("kingdee_password")
    assert "Kd#2026!pw" not in page.content()  # write-only: never shown back
    assert page.locator("#cs-value").input_value() == ""
    page.get_by_role("button", name="删除 kingdee_password").click()
    expect(page.locator('#cs-list li[data-secret="kingdee_password"]')).to_have_count(0)
    assert site.api.get("/settings/connector-secrets").json()["items"] == []
    assert errors == []


def test_the_outbound_allowance_is_saved_and_a_bad_entry_refused_at_its_box(page: Any, site: Site) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.goto(f"{site.url}/admin/settings")
    section = page.locator("section[data-section=outbound]")
    expect(section.get_by_role("heading", name="出站请求")).to_be_visible()
    box = section.get_by_label("仍允许访问的主机或网段", exact=False)
    box.fill("127.0.0.1, erp.local")
    _save(page, "outbound")
    assert site.api.get("/settings").json()["outbound"]["outbound_allow"] == {"value": "127.0.0.1,erp.local",
                                                                             "source": "database"}
    box.fill("127.0.0.1, http://erp")
    section.get_by_role("button", name="保存").click()
    expect(section.locator("[data-error-for=outbound_allow]")).to_contain_text("outbound_allow")
    page.reload()
    expect(section.get_by_label("仍允许访问的主机或网段", exact=False)).to_have_value("127.0.0.1,erp.local")
    assert errors == []


def test_app_credentials_are_tested_and_the_password_and_login_limits_apply(page: Any, site: Site) -> None:
    """钉钉 应用's 测试连接 through the saved credentials; 邮箱域名 and 工作时间 kept; a longer 密码最少位数 refuses a
    shorter reset on a user's page; 登录失败几次后开始限速 = 1 makes the second wrong password wait."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.goto(f"{site.url}/admin/settings")
    with http_fake(reply={"errcode": 0, "access_token": "t-1", "expires_in": 7200}) as dingtalk:
        page.get_by_label("钉钉开放平台接口地址").fill(dingtalk.url)
        page.get_by_label("钉钉 AppKey").fill("ding-key")
        page.get_by_label("钉钉 AppSecret").fill("app-s3cret")
        _save(page, "apps")
        page.get_by_role("button", name="测试连接（钉钉）").click()
        expect(page.locator("#st-app-result")).to_have_text("连接成功：已取得访问令牌")
        assert dingtalk.received[0].path.startswith("/gettoken?appkey=ding-key&appsecret=")
    page.get_by_label("邮箱域名", exact=False).fill("example.cn")
    _save(page, "email")
    hours = page.locator("section[data-section=working_time] input[type=time]")
    hours.nth(0).fill("08:30")
    hours.nth(1).fill("17:30")
    _save(page, "working_time")
    login = page.locator("section[data-section=login]")
    login.get_by_label("密码最少位数").fill("12")
    login.get_by_label("登录失败几次后开始限速", exact=False).fill("1")
    _save(page, "login")
    page.reload()
    expect(page.get_by_label("钉钉 AppSecret")).to_have_value("")  # write-only
    assert "app-s3cret" not in page.content()
    expect(page.get_by_label("邮箱域名", exact=False)).to_have_value("example.cn")
    expect(hours.nth(0)).to_have_value("08:30")
    expect(login.get_by_label("密码最少位数")).to_have_value("12")

    r = site.api.post("/users", json={"username": "xu.ke", "password": "Xuke-2026-pass", "display_name": "徐可"})
    assert r.status_code == 201, r.text
    page.goto(f"{site.url}/admin/users/xu.ke")
    reset = page.locator("#password-reset")
    reset.get_by_label("新密码").fill("Short-pw-1")  # 10 characters
    reset.get_by_role("button", name="重置密码").click()
    expect(reset.locator('[data-error-for="password"]')).to_contain_text("密码至少 12 位")
    login_url = f"{site.url}/api/v1/auth/login"
    assert httpx.post(login_url, json={"username": "xu.ke", "password": "wrong-Pass-9"}).status_code == 401
    assert httpx.post(login_url, json={"username": "xu.ke", "password": "Xuke-2026-pass"}).status_code == 429
    assert errors == []
