"""系统设置's DingTalk and WeCom robots (issue 27): their URLs and the signing secret are write-only, the test
button posts through the real robot code (signed, in the robot's format) and says why it failed, and a flow
message that names no robot goes to the site's."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest

from tests.factories import Maker
from tests.fakes import http_fake
from tests.flows import FlowWorld, tickets

URL = "/api/v1/settings"


pytestmark = pytest.mark.usefixtures("with_key")  # an encryption key (tests/conftest.py)


def _robots(make: Maker, **values: Any) -> dict[str, Any]:
    r = make.client.patch(URL, json=values, headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()["robots"]  # type: ignore[no-any-return]


def test_the_robots_are_write_only_and_the_dingtalk_test_is_signed(make: Maker) -> None:
    with http_fake() as fake:
        robots = _robots(make, dingtalk_webhook=f"{fake.url}/robot/send?access_token=tok-123", dingtalk_secret="SECxyz")
        assert robots["dingtalk_webhook"] == {"secret": True, "set": True, "source": "database"}
        assert robots["wecom_webhook"]["set"] is False
        assert "tok-123" not in make.client.get(URL, headers=make.admin).text
        r = make.client.post(f"{URL}/test-robot", json={"channel": "dingtalk"}, headers=make.admin)
        assert r.json() == {"ok": True}, r.text
        [sent] = fake.received
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(sent.path).query)
        assert query["access_token"] == ["tok-123"] and query["sign"] and query["timestamp"]
        assert sent.json["msgtype"] == "markdown" and "测试消息" in sent.json["markdown"]["title"]


def test_a_robot_test_says_why_it_failed(make: Maker) -> None:
    r = make.client.post(f"{URL}/test-robot", json={"channel": "wecom"}, headers=make.admin)
    assert r.json()["ok"] is False and "wecom" in r.json()["error"]
    with http_fake(reply={"errcode": 93000, "errmsg": "invalid webhook url"}) as fake:
        _robots(make, wecom_webhook=f"{fake.url}/cgi-bin/webhook/send?key=k1")
        r = make.client.post(f"{URL}/test-robot", json={"channel": "wecom"}, headers=make.admin)
        assert r.json() == {"ok": False, "error": "robot refused: 93000 invalid webhook url"}
    bad = make.client.patch(URL, json={"wecom_webhook": "not a url"}, headers=make.admin)
    assert bad.status_code == 400 and "wecom_webhook" in bad.text


def test_a_flow_message_naming_no_robot_goes_to_the_sites(make: Maker) -> None:
    with http_fake() as fake:
        w = FlowWorld(
            make,
            tickets(
                {
                    "key": "notify",
                    "name": "通知",
                    "form": "ticket",
                    "trigger": {"on": "create"},
                    "steps": [{"type": "notify", "channel": "wecom", "title": "新报修", "message": "{summary}"}],
                }
            ),
        )
        _robots(make, wecom_webhook=f"{fake.url}/cgi-bin/webhook/send?key=k1")
        w.record({"summary": "断电"})
        w.run_jobs()
        [sent] = fake.received
        assert sent.path.endswith("key=k1") and sent.json["markdown"]["content"] == "**新报修**\n断电"
        [job] = w.client.get("/api/v1/jobs?status=done&kind=wecom", headers=w.h("admin")).json()["items"]
        assert "k1" not in str(job)  # the robot's key is read when the job runs, never stored with it
