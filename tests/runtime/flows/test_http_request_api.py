"""The HTTP 请求 step against local fake ERPs (tests/erp_fakes.py), through the shipped connector templates
(apps/connectors/): Kingdee's login then save with the session reused, renewed when it expires or is
refused, the order number written back; retries with backoff on 5xx; a timeout; a refusal visible in the
flow's run log with the answer; Yonyou's signed token then a new customer, and the hourly pull upserting
by code. Secrets live in 系统设置 → 连接器密钥 and appear in no definition, answer, log or run log."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from tests.erp_fakes import KINGDEE_LOGIN, KINGDEE_SAVE, YONYOU_SAVE, YONYOU_TOKEN, ErpFake, kingdee_fake, yonyou_fake
from tests.factories import Maker
from tests.fakes import http_fake
from tests.flows import FlowWorld, tickets

CONNECTORS = Path(__file__).resolve().parents[3] / "apps" / "connectors"
KINGDEE_SECRETS = {"kingdee_acct_id": "6391a2b4c7", "kingdee_username": "kd_integrator", "kingdee_password": "Kd#2026!pw"}
YONYOU_SECRETS = {"yonyou_app_key": "a1b2c3d4e5", "yonyou_app_secret": "Yy-secret-7788"}


pytestmark = pytest.mark.usefixtures("with_key")  # an encryption key (tests/conftest.py)


def template(name: str) -> dict[str, Any]:
    return json.loads((CONNECTORS / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def secrets(w: FlowWorld, values: dict[str, str]) -> None:
    for name, value in values.items():
        r = w.client.put(f"/api/v1/settings/connector-secrets/{name}", json={"value": value}, headers=w.h("admin"))
        assert r.status_code == 200, r.text


def kingdee_world(make: Maker, fake: ErpFake, definition: dict[str, Any] | None = None) -> FlowWorld:
    w = FlowWorld(make, definition or template("kingdee_sales_order.json"))
    secrets(w, {"kingdee_server": fake.url, **KINGDEE_SECRETS})
    return w


def order(w: FlowWorld, **data: Any) -> dict[str, Any]:
    values = {"customer_name": "苏州恒瑞精密机械有限公司", "customer_code": "CUST0001", "material_code": "M-1001",
              "qty": 5, "price": "120.50", "order_date": "2026-11-23", **data}
    return w.record(values, form="sales_order")


def push(w: FlowWorld, record_id: int) -> dict[str, Any]:
    return w.submit(record_id, flow="push_to_kingdee")


def run_log(w: FlowWorld, instance: dict[str, Any], flow: str = "push_to_kingdee") -> dict[str, Any]:
    r = w.client.get(f"/api/v1/apps/{w.key}/flows/{flow}/instances/{instance['id']}", headers=w.h("admin"))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_kingdee_logs_in_then_saves_the_order_and_its_number_comes_back_into_the_record(make: Maker) -> None:
    with kingdee_fake() as fake:
        w = kingdee_world(make, fake)
        record = order(w, customer_name='恒瑞 "精密"\n二厂')
        push(w, record["id"])
        w.run_jobs()
        [login] = fake.calls(KINGDEE_LOGIN)
        assert login.json == {"acctID": "6391a2b4c7", "username": "kd_integrator", "password": "Kd#2026!pw", "lcid": 2052}
        [save] = fake.calls(KINGDEE_SAVE)
        assert save.headers["cookie"].startswith("kdservice-sessionid=")
        model = save.json["data"]["Model"]
        assert save.json["formid"] == "SAL_SaleOrder"
        assert model["FCustId"] == {"FNumber": "CUST0001"} and model["FDate"] == "2026-11-23"
        assert model["FSaleOrderEntry"][0]["FMaterialId"] == {"FNumber": "M-1001"}
        assert model["FNote"].endswith('（恒瑞 "精密"\n二厂）')  # the quote and the newline arrived intact: JSON-escaped
        data = w.get_record(record["id"], form="sales_order")["data"]
        assert data["erp_no"] == "XSDD000001" and data["erp_status"] == "已同步"


def test_the_session_is_reused_renewed_after_it_expires_and_when_the_erp_has_lost_it(make: Maker) -> None:
    with kingdee_fake() as fake:
        w = kingdee_world(make, fake)
        for _ in range(2):
            push(w, order(w)["id"])
            w.run_jobs()
        assert fake.logins == 1 and len(fake.saved) == 2  # one login serves both orders
        fake.expire()  # the ERP lost its sessions: the save answers MsgCode 1 (上下文丢失), the step logs in again once
        third = order(w)
        push(w, third["id"])
        w.run_jobs()
        assert fake.logins == 2 and w.get_record(third["id"], form="sales_order")["data"]["erp_no"] == "XSDD000003"
        w.clock.advance(minutes=21)  # past expires_in (1200 s): a new login before the call
        push(w, order(w)["id"])
        w.run_jobs()
        assert fake.logins == 3 and len(fake.saved) == 4
        assert [r.path.rsplit(".", 3)[-3] for r in fake.received].count("ValidateUser") == 3


def test_a_5xx_is_retried_with_backoff_and_every_attempt_is_in_the_run_log(make: Maker) -> None:
    with kingdee_fake() as fake:
        w = kingdee_world(make, fake)
        fake.fail = [503, 502]
        record = order(w)
        instance = push(w, record["id"])
        w.run_jobs()
        [job] = run_log(w, instance)["jobs"]
        assert job["kind"] == "http_request" and job["status"] == "failed" and "HTTP 503" in job["last_error"]
        assert w.run_jobs(seconds=29) == 0  # 30 s before the second attempt
        assert w.run_jobs(seconds=2) == 1
        assert w.run_jobs(seconds=59) == 0  # then a minute
        assert w.run_jobs(seconds=2) == 1
        [job] = run_log(w, instance)["jobs"]
        assert job["status"] == "done"
        assert [(d["attempt"], d["ok"], d["status_code"]) for d in job["deliveries"]] == [
            (1, False, 503), (2, False, 502), (3, True, 200)]
        assert w.get_record(record["id"], form="sales_order")["data"]["erp_no"] == "XSDD000001"


def test_a_call_that_times_out_is_a_failed_attempt_retried_later(make: Maker) -> None:
    definition = template("kingdee_sales_order.json")
    definition["flows"][0]["steps"][0]["timeout"] = 0.2
    with kingdee_fake() as fake:
        w = kingdee_world(make, fake, definition)
        instance = push(w, order(w)["id"])
        fake.delay = 1.0
        w.run_jobs()
        [job] = run_log(w, instance)["jobs"]
        assert job["status"] == "failed" and "timed out after 0.2 s" in job["last_error"]
        assert job["deliveries"][0]["ok"] is False and job["deliveries"][0]["status_code"] is None
        fake.delay = 0
        w.run_jobs(seconds=31)
        assert run_log(w, instance)["jobs"][0]["status"] == "done"


def test_a_refusal_by_the_erp_is_in_the_run_log_with_its_answer_and_the_record_is_untouched(make: Maker) -> None:
    with kingdee_fake() as fake:
        w = kingdee_world(make, fake)
        fake.refuse = "客户编码 CUST9999 不存在"
        record = order(w, customer_code="CUST9999")
        instance = push(w, record["id"])
        w.run_jobs()
        [job] = run_log(w, instance)["jobs"]
        assert job["status"] == "failed" and "IsSuccess" in job["last_error"]
        [attempt] = job["deliveries"]
        assert attempt["status_code"] == 200 and "客户编码 CUST9999 不存在" in attempt["response"]
        data = w.get_record(record["id"], form="sales_order")["data"]
        assert data["erp_status"] == "未同步" and data.get("erp_no") is None


def test_yonyou_signs_for_a_token_creates_the_customer_and_keeps_its_code(make: Maker,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with yonyou_fake() as fake:
        w = FlowWorld(make, template("yonyou_customers.json"))
        secrets(w, {"yonyou_server": fake.url, **YONYOU_SECRETS})
        first = w.record({"name": "宁波海天塑机集团", "tax_no": "91330200144070953X", "phone": "0574-86188888"},
                         form="customer")
        w.record({"name": "杭州老板电器"}, form="customer")
        w.run_jobs()
        assert fake.logins == 1 and len(fake.calls(YONYOU_TOKEN)) == 1  # the token serves both customers
        assert [s["data"]["name"] for s in fake.saved] == ["宁波海天塑机集团", "杭州老板电器"]
        assert fake.saved[0]["data"]["taxPayerId"] == "91330200144070953X"
        assert all("access_token=" in r.path for r in fake.calls(YONYOU_SAVE))
        data = w.get_record(first["id"], form="customer")["data"]
        assert data["yonyou_code"] == "KH0001" and data["yonyou_id"] == "2001"
        [token] = fake.sessions  # it travels in the query string: logged nowhere, shown nowhere
        jobs = w.client.get("/api/v1/jobs?status=done", headers=w.h("admin")).text
        assert token not in caplog.text and token not in jobs and YONYOU_SECRETS["yonyou_app_secret"] not in caplog.text
        fake.expire()  # the token was revoked early: the save answers 401, the step asks for a new token once
        third = w.record({"name": "上海振华重工"}, form="customer")
        w.run_jobs()
        assert fake.logins == 2 and w.get_record(third["id"], form="customer")["data"]["yonyou_code"] == "KH0003"


def test_the_scheduled_pull_upserts_the_erp_customers_by_code(make: Maker) -> None:
    with yonyou_fake() as fake:
        w = FlowWorld(make, template("yonyou_customers.json"))
        secrets(w, {"yonyou_server": fake.url, **YONYOU_SECRETS})
        known = w.record({"name": "旧名称", "yonyou_code": "KH0100"}, form="customer")  # has a code: not pushed
        fake.customers = [{"id": "3100", "code": "KH0100", "name": "常州天合光能"},
                          {"id": "3101", "code": "KH0101", "name": "无锡先导智能"}]
        w.run_jobs()  # queues the hourly schedule
        w.run_jobs(hours=1)
        listed = w.client.get(f"/api/v1/apps/{w.key}/forms/customer/records", headers=w.h("admin")).json()["items"]
        assert sorted((r["data"]["yonyou_code"], r["data"]["name"]) for r in listed) == [
            ("KH0100", "常州天合光能"), ("KH0101", "无锡先导智能")]
        assert w.get_record(known["id"], form="customer")["data"]["yonyou_id"] == "3100"
        assert fake.saved == []  # pulled customers are not pushed back
        fake.customers[1]["name"] = "无锡先导智能装备"
        w.run_jobs(hours=1)
        listed = w.client.get(f"/api/v1/apps/{w.key}/forms/customer/records", headers=w.h("admin")).json()["items"]
        assert len(listed) == 2 and "无锡先导智能装备" in [r["data"]["name"] for r in listed]


def test_secrets_are_in_no_definition_answer_log_or_run_log(make: Maker, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger of the process, as an operator logging at DEBUG sees them
    with kingdee_fake() as fake:
        w = kingdee_world(make, fake)
        fake.fail = [500]
        sneaky = order(w, customer_name="{{$secret.kingdee_password}}")  # a record's text cannot ask for a secret
        instance = push(w, sneaky["id"])
        w.run_jobs()
        w.run_jobs(seconds=31)
        assert "{{$secret.kingdee_password}}" in fake.saved[0]["data"]["Model"]["FNote"]
        seen = [
            w.client.get(f"/api/v1/apps/{w.key}", headers=w.h("admin")).text,
            w.client.get(f"/api/v1/apps/{w.key}/versions/1", headers=w.h("admin")).text,
            w.client.get("/api/v1/settings/connector-secrets", headers=w.h("admin")).text,
            w.client.get("/api/v1/settings", headers=w.h("admin")).text,
            json.dumps(run_log(w, instance), ensure_ascii=False),
            w.client.get("/api/v1/jobs?status=done", headers=w.h("admin")).text,
            w.client.get("/api/v1/audit", headers=w.h("admin")).text,
            w.client.get(f"/api/v1/flow-instances/{instance['id']}", headers=w.h("admin")).text,
            caplog.text,
        ]
        session = next(iter(fake.sessions))
        for text in seen:
            for value in (*KINGDEE_SECRETS.values(), session):
                assert value not in text
        names = w.client.get("/api/v1/settings/connector-secrets", headers=w.h("admin")).json()["items"]
        assert {n["name"] for n in names} == {"kingdee_server", *KINGDEE_SECRETS} and all(n["set"] for n in names)


def test_a_credential_written_into_the_definition_is_refused_at_its_path(make: Maker) -> None:
    definition = copy.deepcopy(template("kingdee_sales_order.json"))
    step = definition["flows"][0]["steps"][0]
    step["headers"] = {"Authorization": "Bearer abc123"}
    step["set"]["missing"] = "response.body.x"
    step["success"] = {"path": "Result.IsSuccess"}
    r = make.client.post("/api/v1/apps", json=definition, headers=make.admin)
    assert r.status_code == 422, r.text
    found = {(d["path"], d["code"]) for d in r.json()["error"]["details"]}
    assert ("flows[0].steps[0].headers.Authorization", "secret_in_definition") in found
    assert ("flows[0].steps[0].set.missing", "unknown_field") in found
    assert ("flows[0].steps[0].success.path", "invalid_path") in found


def test_connector_secrets_are_write_only_and_for_administrators(make: Maker) -> None:
    w = FlowWorld(make, template("kingdee_sales_order.json"))
    url = "/api/v1/settings/connector-secrets"
    assert w.client.put(f"{url}/erp_token", json={"value": "t0ken-abc"}, headers=w.h("wang")).status_code == 403
    r = w.client.put(f"{url}/erp_token", json={"value": "t0ken-abc"}, headers=w.h("admin"))
    assert r.json() == {"name": "erp_token", "set": True}
    assert w.client.put(f"{url}/Bad-Name", json={"value": "x"}, headers=w.h("admin")).status_code == 400
    assert w.client.put(f"{url}/erp_token", json={"value": ""}, headers=w.h("admin")).status_code == 422
    listing = w.client.get(url, headers=w.h("admin"))
    assert [i["name"] for i in listing.json()["items"]] == ["erp_token"] and "t0ken-abc" not in listing.text
    assert w.client.delete(f"{url}/erp_token", headers=w.h("admin")).status_code == 204
    assert w.client.delete(f"{url}/erp_token", headers=w.h("admin")).status_code == 404


def test_a_missing_secret_fails_the_call_naming_it(make: Maker) -> None:
    with kingdee_fake() as fake:
        w = FlowWorld(make, template("kingdee_sales_order.json"))
        secrets(w, {"kingdee_server": fake.url})
        instance = push(w, order(w)["id"])
        w.run_jobs()
        [job] = run_log(w, instance)["jobs"]
        assert job["status"] == "failed" and "kingdee_acct_id" in job["last_error"] and fake.received == []


def test_an_answer_the_record_refuses_ends_the_job_dead_without_calling_the_erp_again(make: Maker) -> None:
    definition = template("kingdee_sales_order.json")
    definition["flows"][0]["steps"][0]["set"]["erp_status"] = '"已作废"'  # not an option of 同步状态
    with kingdee_fake() as fake:
        w = kingdee_world(make, fake, definition)
        record = order(w)
        instance = push(w, record["id"])
        w.run_jobs()
        w.run_jobs(hours=2)
        [job] = run_log(w, instance)["jobs"]
        assert job["status"] == "dead" and "answer not kept" in job["last_error"]
        assert len(fake.saved) == 1  # saved once in the ERP: never sent again
        assert job["deliveries"][0]["status_code"] == 200 and "XSDD000001" in job["deliveries"][0]["response"]
        assert w.get_record(record["id"], form="sales_order")["data"].get("erp_no") is None  # nothing half-written


def test_bearer_basic_and_hmac_auth_take_their_credentials_from_the_store(make: Maker) -> None:
    def step(path: str, auth: dict[str, Any]) -> dict[str, Any]:
        return {"type": "action", "action": "http_request", "url": f"{{{{$secret.api}}}}/{path}", "auth": auth,
                "body": {"summary": "{{summary}}", "cost": "{{cost}}"}}

    with http_fake(reply={"id": "E-1"}) as fake:
        w = FlowWorld(make, tickets({"key": "out", "name": "外发", "form": "ticket", "trigger": {"on": "create"}, "steps": [
            step("bearer", {"type": "bearer", "secret": "api_token"}),
            step("basic", {"type": "basic", "user": "{{$secret.api_user}}", "secret": "api_password"}),
            {**step("hmac", {"type": "hmac", "secret": "api_signing", "header": "X-Erp-Sign"}),
             "records": {"form": "work_order", "list": "response.body", "key": "title",
                         "values": {"title": "item.id", "budget": "response.status"}}}]}))
        secrets(w, {"api": fake.url, "api_token": "tok-0001", "api_user": "erp_user", "api_password": "pw-0002",
                    "api_signing": "sign-0003"})
        w.record({"summary": "泵坏了", "cost": 12})
        w.run_jobs()
        by_path = {r.path: r for r in fake.received}
        assert by_path["/bearer"].headers["authorization"] == "Bearer tok-0001"
        assert by_path["/basic"].headers["authorization"] == "Basic " + base64.b64encode(b"erp_user:pw-0002").decode()
        signed = by_path["/hmac"]
        assert signed.headers["x-erp-sign"] == "sha256=" + hmac.new(b"sign-0003", signed.body, hashlib.sha256).hexdigest()
        assert signed.json == {"summary": "泵坏了", "cost": 12}  # a lone placeholder keeps its number
        [made] = w.client.get(f"/api/v1/apps/{w.key}/forms/work_order/records", headers=w.h("admin")).json()["items"]
        assert made["data"]["title"] == "E-1" and made["data"]["budget"] == "200.00"  # one object: a list of one
