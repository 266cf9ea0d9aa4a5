"""Outbound deliveries against local fake servers: signed webhooks with retries and a log of every attempt,
DingTalk (signed) and WeCom robots in their message formats, e-mail over SMTP; failed and dead jobs, retry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from typing import Any

from tests.factories import Maker
from tests.fakes import http_fake, smtp_fake
from tests.flows import FlowWorld, tickets


def on_create(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"key": "auto", "name": "自动化", "form": "ticket", "trigger": {"on": "create"}, "steps": list(steps)}


def test_webhook_is_signed_retried_with_backoff_and_every_attempt_logged(make: Maker) -> None:
    with http_fake(statuses=[500]) as fake:
        w = FlowWorld(make, tickets(on_create({"type": "action", "action": "webhook", "url": f"{fake.url}/in",
                                               "secret": "s3cret", "body": {"title": "summary", "amount": "cost * 2"}})))
        w.record({"summary": "泵坏了", "cost": 10})
        assert w.run_jobs() == 1
        [first] = fake.received
        assert first.json == {"title": "泵坏了", "amount": 20}
        expected = "sha256=" + hmac.new(b"s3cret", first.body, hashlib.sha256).hexdigest()
        assert first.headers["x-tangram-signature"] == expected
        failed = w.client.get("/api/v1/jobs?status=failed", headers=w.h("admin")).json()["items"]
        assert [j["kind"] for j in failed] == ["webhook"] and "HTTP 500" in failed[0]["last_error"]
        assert failed[0]["payload"]["secret"] == "***"  # never shown back
        assert w.run_jobs(seconds=10) == 0  # the backoff has not passed
        assert w.run_jobs(seconds=21) == 1
        second = fake.received[1]
        assert second.headers["x-tangram-delivery"] == first.headers["x-tangram-delivery"]  # receivers can dedupe
        job = w.client.get(f"/api/v1/jobs/{failed[0]['id']}", headers=w.h("admin")).json()
        assert job["status"] == "done"
        assert [(d["attempt"], d["ok"], d["status_code"]) for d in job["deliveries"]] == [(1, False, 500), (2, True, 200)]


def test_a_webhook_that_keeps_failing_goes_dead_and_an_admin_retries_it(make: Maker) -> None:
    with http_fake(statuses=[503, 503]) as fake:
        w = FlowWorld(make, tickets(on_create({"type": "action", "action": "webhook", "url": fake.url,
                                               "attempts": 2, "body": {"s": "summary"}})))
        w.record({"summary": "x"})
        w.run_jobs()
        w.run_jobs(minutes=5)
        [dead] = w.client.get("/api/v1/jobs?status=dead", headers=w.h("admin")).json()["items"]
        assert dead["attempts"] == 2
        assert w.client.get("/api/v1/jobs?status=dead", headers=w.h("wang")).status_code == 403
        r = w.client.post(f"/api/v1/jobs/{dead['id']}/retry", headers=w.h("admin"))
        assert r.status_code == 200 and r.json()["status"] == "pending"
        assert w.client.post(f"/api/v1/jobs/{dead['id']}/retry", headers=w.h("admin")).status_code == 409
        w.run_jobs()
        assert len(fake.received) == 3
        assert w.client.get(f"/api/v1/jobs/{dead['id']}", headers=w.h("admin")).json()["status"] == "done"


def test_dingtalk_robot_gets_a_markdown_message_with_timestamp_and_sign(make: Maker) -> None:
    with http_fake() as fake:
        w = FlowWorld(make, tickets(on_create({"type": "notify", "channel": "dingtalk", "title": "新报修",
                                               "message": "故障：{summary}", "webhook": f"{fake.url}/robot/send?access_token=abc",
                                               "secret": "SECxyz"})))
        w.record({"summary": "电机异响"})
        w.run_jobs()
        [sent] = fake.received
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(sent.path).query)
        timestamp = query["timestamp"][0]
        digest = hmac.new(b"SECxyz", f"{timestamp}\nSECxyz".encode(), hashlib.sha256).digest()
        assert query["sign"][0] == base64.b64encode(digest).decode()
        assert query["access_token"] == ["abc"]
        assert int(timestamp) == int(w.clock.now.timestamp() * 1000)
        assert sent.json["msgtype"] == "markdown"
        assert sent.json["markdown"]["title"] == "新报修" and "故障：电机异响" in sent.json["markdown"]["text"]


def test_a_robot_that_answers_an_error_code_is_retried(make: Maker) -> None:
    with http_fake(reply={"errcode": 310000, "errmsg": "sign not match"}) as fake:
        w = FlowWorld(make, tickets(on_create({"type": "notify", "channel": "wecom", "message": "x",
                                               "webhook": fake.url})))
        w.record({"summary": "x"})
        w.run_jobs()
        [failed] = w.client.get("/api/v1/jobs?status=failed", headers=w.h("admin")).json()["items"]
        assert "310000" in failed["last_error"]


def test_wecom_robot_gets_a_markdown_message(make: Maker) -> None:
    with http_fake() as fake:
        w = FlowWorld(make, tickets(on_create({"type": "cc", "channel": "wecom", "title": "抄送",
                                               "message": "{summary} 费用 {cost}", "webhook": f"{fake.url}/cgi-bin/webhook/send?key=k"})))
        w.record({"summary": "漏水", "cost": 300})
        w.run_jobs()
        [sent] = fake.received
        assert sent.json == {"msgtype": "markdown", "markdown": {"content": "**抄送**\n漏水 费用 300.00"}}


def test_email_goes_out_over_smtp_to_each_recipient(make: Maker) -> None:
    with smtp_fake() as smtp:
        w = FlowWorld(make, tickets(on_create({"type": "action", "action": "notify", "channel": "email",
                                               "to": {"users": ["li", "zhang"]}, "title": "新报修 {summary}",
                                               "message": "请处理：{summary}"})))
        settings = w.app.state.settings
        w.app.state.settings = settings.model_copy(update={"smtp_host": smtp.host, "smtp_port": smtp.port,
                                                           "email_domain": "example.cn"})
        w.users("li", "zhang")
        w.record({"summary": "断电"})
        w.run_jobs()
        assert sorted(m["rcpt"][0] for m in smtp.messages) == ["li@example.cn", "zhang@example.cn"]
        assert "Subject: =?utf-8?" in smtp.messages[0]["data"]  # the Chinese subject, encoded
        [job] = w.client.get("/api/v1/jobs?status=done&kind=email", headers=w.h("admin")).json()["items"]
        deliveries = w.client.get(f"/api/v1/jobs/{job['id']}", headers=w.h("admin")).json()["deliveries"]
        assert [d["ok"] for d in deliveries] == [True, True]


def test_email_without_smtp_settings_fails_the_job_with_a_reason(make: Maker) -> None:
    w = FlowWorld(make, tickets(on_create({"type": "notify", "channel": "email", "to": {"users": ["admin"]},
                                           "message": "x"})))
    w.record({"summary": "x"})
    w.run_jobs()
    [failed] = w.client.get("/api/v1/jobs?status=failed", headers=w.h("admin")).json()["items"]
    assert "SMTP" in failed["last_error"]


def test_in_app_notify_reaches_a_user_field_and_a_role(make: Maker) -> None:
    w = FlowWorld(make, tickets(on_create({"type": "notify", "to": {"field": "keeper", "role": "tech"},
                                           "title": "抄送", "message": "{summary}"})))
    w.org([], {}, {"tech": ["tian"]})
    w.users("wang")
    w.record({"summary": "巡检", "keeper": "wang"})
    assert [m["body"] for m in w.messages("wang")] == ["巡检"]
    assert [m["body"] for m in w.messages("tian")] == ["巡检"]
    assert json.dumps(w.messages("admin")) == "[]"
