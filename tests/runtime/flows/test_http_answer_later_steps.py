"""The HTTP 请求 step's answer read by the later steps of the same run, through the API against a local fake
(127.0.0.1): the run waits at the step until the answer came, then an 更新记录 writes the ERP's number, a
condition branches on the status and a 通知 quotes it; a 4xx other than 408 / 429 is not sent again (the job
`dead` after one attempt, the answer's start in its log), while 408, 429 and 5xx are retried with backoff."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Maker
from tests.fakes import http_fake
from tests.flows import FlowWorld, tickets


def flow(url: str) -> dict[str, Any]:
    return {"key": "to_erp", "name": "推送 ERP", "form": "ticket", "trigger": {"on": "submit"}, "steps": [
        {"type": "action", "action": "http_request", "key": "push", "url": url, "body": {"summary": "{{summary}}"}},
        {"type": "condition", "branches": [
            {"name": "已受理", "when": 'http.push.status = 200 AND http.push.body.Result.IsSuccess', "steps": [
                {"type": "action", "action": "update_record",
                 "set": {"note": '"ERP 单号 " & http.push.body.Result.Number', "status": '"已批准"'}},
                {"type": "notify", "to": {"users": ["admin"]}, "title": "已推送",
                 "message": "订单 {summary} 已进 ERP：{http.push.body.Result.Number}"}]},
            {"default": True, "steps": [{"type": "action", "action": "update_record", "set": {"status": '"已驳回"'}}]}]}]}



def test_later_steps_wait_for_the_answer_and_write_and_quote_the_erps_number(make: Maker) -> None:
    reply = {"Result": {"IsSuccess": True, "Number": "XSDD000042"}}
    with http_fake(reply=reply) as fake:
        w = FlowWorld(make, tickets(flow(fake.url + "/orders")))
        record = w.record({"summary": "泵坏了", "cost": 12})
        instance = w.submit(record["id"], flow="to_erp")
        assert instance["status"] == "running"  # waiting at the HTTP step: nothing after it has run yet
        assert w.get_record(record["id"])["data"].get("note") is None
        w.run_jobs()
        assert fake.received[0].json == {"summary": "泵坏了"}
        data = w.get_record(record["id"])["data"]
        assert data["note"] == "ERP 单号 XSDD000042" and data["status"] == "已批准"
        done = w.instance(instance["id"])
        assert done["status"] == "completed"
        assert [m["body"] for m in w.messages("admin") if m["title"] == "已推送"] == ["订单 泵坏了 已进 ERP：XSDD000042"]


def test_a_branch_reads_an_answer_that_says_no(make: Maker) -> None:
    with http_fake(reply={"Result": {"IsSuccess": False}}) as fake:
        w = FlowWorld(make, tickets(flow(fake.url + "/orders")))
        record = w.record({"summary": "泵坏了"})
        w.submit(record["id"], flow="to_erp")
        w.run_jobs()
        assert w.get_record(record["id"])["data"]["status"] == "已驳回"


def test_an_answer_of_a_step_that_does_not_exist_is_refused_at_its_path(make: Maker) -> None:
    definition = tickets(flow("https://erp.example/orders"))
    steps = definition["flows"][0]["steps"]
    steps[1]["branches"][0]["steps"][0]["set"]["note"] = "http.pusj.body.Result.Number"
    steps[1]["branches"][0]["steps"][1]["message"] = "{http.nope.status}"
    r = make.client.post("/api/v1/apps", json=definition, headers=make.admin)
    assert r.status_code == 422, r.text
    found = {(d["path"], d["code"]) for d in r.json()["error"]["details"]}
    assert ("flows[0].steps[1].branches[0].steps[0].set.note", "unknown_step") in found
    assert ("flows[0].steps[1].branches[0].steps[1].message", "unknown_step") in found


@pytest.mark.parametrize("status", [400, 404, 422], ids=["bad-request", "not-found", "unprocessable"])
def test_a_client_error_is_not_sent_again_and_its_answer_is_in_the_run_log(make: Maker, status: int) -> None:
    with http_fake([status], reply={"message": "客户编码 CUST9999 不存在"}) as fake:
        w = FlowWorld(make, tickets(flow(fake.url + "/orders")))
        instance = w.submit(w.record({"summary": "泵坏了"})["id"], flow="to_erp")
        w.run_jobs()
        w.run_jobs(hours=2)
        assert len(fake.received) == 1
        [job] = w.client.get(f"/api/v1/apps/{w.key}/flows/to_erp/instances/{instance['id']}",
                             headers=w.h("admin")).json()["jobs"]
        assert job["status"] == "dead" and f"HTTP {status}" in job["last_error"]
        [attempt] = job["deliveries"]
        assert attempt["status_code"] == status and "CUST9999" in attempt["response"]
        assert w.instance(instance["id"])["status"] == "running"  # still at the step: a retry by hand resumes it


@pytest.mark.parametrize("status", [408, 429, 503], ids=["timeout", "too-many", "unavailable"])
def test_a_408_429_or_5xx_is_retried_with_backoff_and_the_run_then_goes_on(make: Maker, status: int) -> None:
    with http_fake([status], reply={"Result": {"IsSuccess": True, "Number": "XSDD000007"}}) as fake:
        w = FlowWorld(make, tickets(flow(fake.url + "/orders")))
        record = w.record({"summary": "泵坏了"})
        w.submit(record["id"], flow="to_erp")
        w.run_jobs()
        assert w.run_jobs(seconds=29) == 0 and w.run_jobs(seconds=2) == 1  # the second attempt after 30 s
        assert len(fake.received) == 2
        assert w.get_record(record["id"])["data"]["note"] == "ERP 单号 XSDD000007"
