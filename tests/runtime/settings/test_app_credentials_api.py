"""The DingTalk and WeCom apps' credentials in 系统设置 (issue 27): secrets write-only, and 测试连接 asks the API
address the administrator set (a local fake here) for an access token with them, answering why it failed without
the secret."""

from __future__ import annotations

import pytest

from tests.factories import Maker
from tests.fakes import http_fake

URL = "/api/v1/settings"



@pytest.mark.usefixtures("with_key")
def test_the_dingtalk_test_asks_the_set_address_for_a_token_with_the_app_credentials(make: Maker) -> None:
    with http_fake(reply={"errcode": 0, "access_token": "t-1", "expires_in": 7200}) as fake:
        r = make.client.patch(URL, json={"dingtalk_api_base": fake.url, "dingtalk_app_key": "ding-key",
                                         "dingtalk_app_secret": "秘密-123"}, headers=make.admin)
        assert r.status_code == 200, r.text
        assert r.json()["apps"]["dingtalk_app_secret"] == {"secret": True, "set": True, "source": "database"}
        assert "秘密-123" not in r.text
        test = make.client.post(f"{URL}/test-app", json={"channel": "dingtalk"}, headers=make.admin)
    assert test.json() == {"ok": True}
    assert fake.received[0].path.startswith("/gettoken?appkey=ding-key&appsecret=")


@pytest.mark.usefixtures("with_key")
def test_a_refused_wecom_test_says_why_without_the_secret(make: Maker) -> None:
    with http_fake(reply={"errcode": 40001, "errmsg": "invalid credential"}) as fake:
        make.client.patch(URL, json={"wecom_api_base": fake.url, "wecom_corp_id": "ww1", "wecom_agent_id": "1000002",
                                     "wecom_secret": "wecom-s3cret"}, headers=make.admin)
        test = make.client.post(f"{URL}/test-app", json={"channel": "wecom"}, headers=make.admin)
    assert test.json() == {"ok": False, "error": "40001 invalid credential"}
    assert fake.received[0].path.startswith("/cgi-bin/gettoken?corpid=ww1&corpsecret=")


def test_without_an_api_address_the_test_names_the_missing_setting(make: Maker) -> None:
    test = make.client.post(f"{URL}/test-app", json={"channel": "dingtalk"}, headers=make.admin)
    assert test.json() == {"ok": False, "error": "未设置 dingtalk_api_base"}


def test_an_api_address_that_is_no_url_is_400_naming_it(make: Maker) -> None:
    r = make.client.patch(URL, json={"wecom_api_base": "qyapi"}, headers=make.admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "wecom_api_base"


def test_only_administrators_test_the_apps(make: Maker) -> None:
    rep = make.user("rep", admin=False)
    assert make.client.post(f"{URL}/test-app", json={"channel": "wecom"}, headers=rep).status_code == 403
