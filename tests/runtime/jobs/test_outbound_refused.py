"""Flows' outbound calls under the default policy (no TANGRAM_OUTBOUND_ALLOW, unlike the rest of the suite): a
webhook, an HTTP 请求 step (its login) or a robot aimed at this machine or the cloud's metadata is never sent —
the fake listening there counts zero requests — its job ends `dead` after one attempt (no retries), and the
flow's run log says why. 系统设置 → 出站请求 opens exactly the host it names."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.erp_fakes import kingdee_fake
from tests.errors import shown
from tests.factories import Maker
from tests.fakes import http_fake
from tests.flows import FlowWorld, tickets
from tests.runtime.flows.test_http_request_api import kingdee_world, order, push, run_log

pytestmark = pytest.mark.usefixtures("with_key")  # an encryption key (tests/conftest.py)


@pytest.fixture(autouse=True)
def no_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the app is made (autouse runs first): its settings then hold the default policy."""
    monkeypatch.delenv("TANGRAM_OUTBOUND_ALLOW", raising=False)


def on_create(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"key": "auto", "name": "自动化", "form": "ticket", "trigger": {"on": "create"}, "steps": list(steps)}


def webhook(url: str) -> dict[str, Any]:
    return {"type": "action", "action": "webhook", "url": url, "body": {"s": "summary"}}


def jobs_of(w: FlowWorld, flow: str = "auto") -> list[dict[str, Any]]:
    r = w.client.get(f"/api/v1/apps/{w.key}/flows/{flow}/instances", headers=w.h("admin"))
    assert r.status_code == 200, r.text
    return [job for item in r.json()["items"] for job in run_log(w, item, flow)["jobs"]]


def refused_once(job: dict[str, Any], reason: str) -> None:
    """Ended at the first attempt, unsent, the reason in the job and in its one delivery."""
    assert job["status"] == "dead" and job["attempts"] == 1, job
    assert f"目标地址不允许（{reason}）" in job["last_error"]
    [delivery] = job["deliveries"]
    assert delivery["ok"] is False and delivery["status_code"] is None and reason in delivery["error"]


TARGETS = [
    ("127.0.0.1", "http://127.0.0.1:{port}/in", "回环地址 127.0.0.1"),
    ("::1", "http://[::1]:{port}/in", "回环地址 ::1"),
    ("127.0.0.1", "http://0.0.0.0:{port}/in", "未指定地址 0.0.0.0"),  # Linux would connect it to 127.0.0.1
    ("127.0.0.1", "http://localhost:{port}/in", "回环地址 localhost → 127.0.0.1"),
    ("127.0.0.1", "http://[::ffff:127.0.0.1]:{port}/in", "回环地址 ::ffff:127.0.0.1"),
]


@pytest.mark.parametrize(("listens", "url", "reason"), TARGETS, ids=[t[1].split("//")[1].split(":{")[0] for t in TARGETS])
def test_a_webhook_to_this_machine_is_refused_never_sent_and_not_retried(make: Maker, listens: str, url: str,
                                                                        reason: str) -> None:
    with http_fake(host=listens) as fake:
        w = FlowWorld(make, tickets(on_create(webhook(url.format(port=httpx.URL(fake.url).port)))))
        w.record({"summary": "泵坏了"})
        w.run_jobs()
        w.run_jobs(hours=2)  # nothing left to retry
        assert fake.received == []
        [job] = jobs_of(w)
        refused_once(job, reason)


def test_a_webhook_to_the_cloud_metadata_address_is_refused(make: Maker) -> None:
    w = FlowWorld(make, tickets(on_create(webhook("http://169.254.169.254/latest/meta-data/iam/"))))
    w.record({"summary": "x"})
    w.run_jobs()
    [job] = jobs_of(w)
    refused_once(job, "云元数据地址 169.254.169.254")


def test_a_robot_of_a_definition_aimed_at_this_machine_is_refused(make: Maker) -> None:
    with http_fake() as fake:
        w = FlowWorld(make, tickets(on_create({"type": "notify", "channel": "dingtalk", "message": "故障：{summary}",
                                               "webhook": f"{fake.url}/robot/send?access_token=abc"})))
        w.record({"summary": "x"})
        w.run_jobs()
        assert fake.received == []
        [job] = jobs_of(w)
        refused_once(job, "回环地址 127.0.0.1")


def test_an_http_step_whose_erp_is_on_this_machine_never_logs_in_and_says_why(make: Maker) -> None:
    with kingdee_fake() as fake:  # the server's address is a connector secret: the login is refused first
        w = kingdee_world(make, fake)
        record = order(w)
        instance = push(w, record["id"])
        w.run_jobs()
        w.run_jobs(hours=2)
        assert fake.received == []
        [job] = run_log(w, instance, "push_to_kingdee")["jobs"]
        refused_once(job, "回环地址 127.0.0.1")
        assert w.get_record(record["id"], form="sales_order")["data"].get("erp_no") is None


def test_a_redirect_from_an_allowed_host_to_this_machine_is_not_followed(make: Maker) -> None:
    with http_fake(host="127.0.0.2") as target, http_fake(location=f"{target.url}/in") as redirector:
        w = FlowWorld(make, tickets(on_create(webhook(f"{redirector.url}/hook"))))
        r = w.client.patch("/api/v1/settings", json={"outbound_allow": "127.0.0.1"}, headers=w.h("admin"))
        assert r.status_code == 200, r.text
        w.record({"summary": "x"})
        w.run_jobs()
        assert len(redirector.received) == 1 and target.received == []
        [job] = jobs_of(w)
        assert job["status"] == "failed" and "HTTP 302" in job["last_error"]  # a failed delivery, as any 3xx


def test_the_allowance_in_system_settings_opens_exactly_the_host_it_names(make: Maker) -> None:
    with http_fake() as allowed, http_fake(host="127.0.0.2") as other:
        w = FlowWorld(make, tickets(on_create(webhook(f"{allowed.url}/in"), webhook(f"{other.url}/in"))))
        r = w.client.patch("/api/v1/settings", json={"outbound_allow": " 127.0.0.1 "}, headers=w.h("admin"))
        assert r.status_code == 200, r.text
        assert r.json()["outbound"]["outbound_allow"] == {"value": "127.0.0.1", "source": "database"}
        w.record({"summary": "泵坏了"})
        w.run_jobs()
        assert [x.json for x in allowed.received] == [{"s": "泵坏了"}] and other.received == []
        by_status = {j["status"]: j for j in jobs_of(w)}
        assert sorted(by_status) == ["dead", "done"]
        refused_once(by_status["dead"], "回环地址 127.0.0.2")


def test_a_bad_allowance_in_system_settings_is_a_400_naming_it_and_changes_nothing(make: Maker) -> None:
    r = make.client.patch("/api/v1/settings", json={"outbound_allow": "127.0.0.1,http://erp"}, headers=make.admin)
    assert r.status_code == 400 and "outbound_allow" in shown(r)
    after = make.client.get("/api/v1/settings", headers=make.admin).json()
    assert after["outbound"]["outbound_allow"] == {"value": "", "source": "environment"}


def test_the_site_robots_test_message_to_this_machine_is_refused_unsent(make: Maker) -> None:
    """系统设置's robot goes through the same client as flow messages, so the same policy says no."""
    with http_fake() as fake:
        r = make.client.patch("/api/v1/settings", json={"dingtalk_webhook": f"{fake.url}/robot/send?access_token=abc"},
                              headers=make.admin)
        assert r.status_code == 200, r.text
        r = make.client.post("/api/v1/settings/test-robot", json={"channel": "dingtalk"}, headers=make.admin)
        assert r.status_code == 200 and r.json()["ok"] is False
        assert "目标地址不允许（回环地址 127.0.0.1）" in r.json()["error"] and fake.received == []
