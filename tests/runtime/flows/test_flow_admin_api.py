"""The administrator's view of a flow (运行记录): instances by status with counts, where each waits, the jobs
an instance caused with every webhook attempt and its answer, and the retry of a failed one — against a
local receiver that fails first and then succeeds."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import select, text, update

from engine.errors import FlowStateError
from runtime.db.db import Database
from runtime.db.tables import jobs
from runtime.jobs import outbox
from tests.factories import Maker
from tests.fakes import http_fake
from tests.flows import T0, FlowWorld, approval, tickets

BASE = "/api/v1/apps/tickets/flows/approve"
MANAGER = {"key": "flow_admin", "name": "流程管理员", "permissions": {"*": {"manage": True}}}


def hooked_flow(url: str) -> dict[str, Any]:
    """Li approves (due in a day), then the flow calls the webhook once (no automatic retry)."""
    return {"key": "approve", "name": "费用审批", "form": "ticket", "trigger": {"on": "submit"}, "steps": [
        approval({"users": ["li"]}, name="主管审批", due="P1D"),
        {"type": "action", "action": "webhook", "url": f"{url}/erp?access_token=tok-123", "secret": "s3cret",
         "attempts": 1, "body": {"title": "summary", "cost": "cost"}}]}


def world(make: Maker, url: str) -> FlowWorld:
    w = FlowWorld(make, tickets(hooked_flow(url), roles=[*tickets()["roles"], MANAGER]))
    w.org([], {}, {"flow_admin": ["boss"]})
    w.users("li", "wang")
    return w


def test_instances_are_listed_with_counts_where_each_waits_and_a_status_filter(make: Maker) -> None:
    with http_fake() as fake:
        w = world(make, fake.url)
        first = w.submit(w.record({"summary": "泵坏了", "cost": 100})["id"])
        w.clock.advance(hours=1)
        second = w.submit(w.record({"summary": "漏水", "cost": 50})["id"])
        w.decide("li")  # the first instance's task (oldest first): approved, webhook queued
        r = w.client.get(f"{BASE}/instances", headers=w.h("boss"))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["counts"] == {"approved": 1, "running": 1} and body["total"] == 2 and body["versions"] == [1]
        assert [(i["id"], i["status"], i["record_title"]) for i in body["items"]] == [
            (second["id"], "running", "漏水"), (first["id"], "approved", "泵坏了")]
        [waiting] = body["items"][0]["waiting"]
        assert (waiting["step_name"], waiting["assignees"], waiting["kind"]) == ("主管审批", ["li"], "approval")
        assert waiting["since"] == "2026-11-23T03:00:00+00:00" and waiting["due_at"] == "2026-11-24T03:00:00+00:00"
        assert body["items"][1]["waiting"] == []
        running = w.client.get(f"{BASE}/instances?status=running", headers=w.h("boss")).json()
        assert [i["id"] for i in running["items"]] == [second["id"]]
        assert running["counts"] == body["counts"]  # the counts are the flow's, whatever the filter
        assert w.client.get(f"{BASE}/instances?version=2", headers=w.h("boss")).json()["items"] == []
        page = w.client.get(f"{BASE}/instances?limit=1", headers=w.h("boss")).json()
        assert [i["id"] for i in page["items"]] == [second["id"]] and page["next_before"] == second["id"]
        rest = w.client.get(f"{BASE}/instances?limit=1&before={page['next_before']}", headers=w.h("boss")).json()
        assert [i["id"] for i in rest["items"]] == [first["id"]]


def test_a_failed_webhook_shows_its_attempt_and_answer_and_a_retry_delivers_it_once(make: Maker) -> None:
    with http_fake(statuses=[500], reply={"answer": "erp-42"}) as fake:
        w = world(make, fake.url)
        instance = w.submit(w.record({"summary": "泵坏了", "cost": 100})["id"])
        w.decide("li")
        w.run_jobs()
        detail = w.client.get(f"{BASE}/instances/{instance['id']}", headers=w.h("boss"))
        assert detail.status_code == 200, detail.text
        shown = detail.json()
        assert shown["status"] == "approved" and shown["failed_jobs"] == 1
        assert any(e["kind"] == "approved" for e in shown["timeline"])
        [job] = [j for j in shown["jobs"] if j["kind"] == "webhook"]
        assert job["status"] == "dead" and job["retryable"] and "HTTP 500" in job["last_error"]
        assert job["target"] == f"{fake.url}/erp?…"  # the access token in the query is not shown
        [attempt] = job["deliveries"]
        assert (attempt["attempt"], attempt["ok"], attempt["status_code"]) == (1, False, 500)
        assert attempt["response"] == '{"answer": "erp-42"}'
        assert "s3cret" not in detail.text and "tok-123" not in str(shown["jobs"])
        listed = w.client.get(f"{BASE}/instances", headers=w.h("boss")).json()["items"]
        assert listed[0]["failed_jobs"] == 1

        retry = f"{BASE}/instances/{instance['id']}/jobs/{job['id']}/retry"
        r = w.client.post(retry, headers=w.h("boss"))
        assert r.status_code == 200, r.text
        assert [j["status"] for j in r.json()["jobs"] if j["id"] == job["id"]] == ["pending"]
        again = w.client.post(retry, headers=w.h("boss"))
        assert again.status_code == 409 and again.json()["error"]["code"] == "flow_state"  # already queued
        w.run_jobs()
        assert len(fake.received) == 2
        done = w.client.get(f"{BASE}/instances/{instance['id']}", headers=w.h("boss")).json()
        [job] = [j for j in done["jobs"] if j["id"] == job["id"]]
        assert job["status"] == "done" and not job["retryable"] and done["failed_jobs"] == 0
        assert [(d["ok"], d["status_code"], d["response"]) for d in job["deliveries"]] == [
            (False, 500, '{"answer": "erp-42"}'), (True, 200, '{"answer": "erp-42"}')]  # what came back, on success too
        assert w.client.post(retry, headers=w.h("boss")).status_code == 409  # done: nothing to retry
        assert len(fake.received) == 2
        audit = w.client.get("/api/v1/audit?action=job.retry", headers=w.h("admin")).json()["items"]
        assert [(a["user"], a["detail"]["job"], a["detail"]["was"]) for a in audit] == [("boss", job["id"], "dead")]


def test_only_managers_see_a_flows_instances_and_retry_its_jobs(make: Maker) -> None:
    with http_fake(statuses=[500]) as fake:
        w = world(make, fake.url)
        instance = w.submit(w.record({"summary": "泵坏了"})["id"])
        w.decide("li")
        w.run_jobs()
        [job] = [j for j in w.client.get(f"{BASE}/instances/{instance['id']}", headers=w.h("admin")).json()["jobs"]
                 if j["kind"] == "webhook"]
        make.user("outsider", admin=False)  # no role in the app at all
        urls = [f"{BASE}/instances", f"{BASE}/instances/{instance['id']}"]
        retry = f"{BASE}/instances/{instance['id']}/jobs/{job['id']}/retry"
        for url in urls:
            assert w.client.get(url, headers=w.h("wang")).status_code == 403  # a member, not a manager
            assert w.client.get(url, headers=make.user("outsider", admin=False)).status_code == 404
        assert w.client.post(retry, headers=w.h("wang")).status_code == 403
        assert w.client.post(retry, headers=make.user("outsider", admin=False)).status_code == 404
        assert w.client.get(f"{BASE}/instances/{instance['id']}", headers=w.h("admin")).json()["jobs"][-1]["status"] \
            == "dead"  # nothing was queued by the refused retries


def test_unknown_flows_instances_and_jobs_of_other_instances_are_404(make: Maker) -> None:
    with http_fake(statuses=[500]) as fake:
        w = world(make, fake.url)
        first = w.submit(w.record({"summary": "a"})["id"])
        w.decide("li")
        w.run_jobs()
        second = w.submit(w.record({"summary": "b"})["id"])
        [job] = [j for j in w.client.get(f"{BASE}/instances/{first['id']}", headers=w.h("admin")).json()["jobs"]
                 if j["kind"] == "webhook"]
        h = w.h("boss")
        assert w.client.get("/api/v1/apps/tickets/flows/nope/instances", headers=h).status_code == 404
        assert w.client.get(f"{BASE}/instances/999999", headers=h).status_code == 404
        assert w.client.get(f"/api/v1/apps/tickets/flows/nope/instances/{first['id']}", headers=h).status_code == 404
        assert w.client.post(f"{BASE}/instances/{second['id']}/jobs/{job['id']}/retry", headers=h).status_code == 404
        assert w.client.get(f"{BASE}/instances?status=bogus", headers=h).status_code == 422


def test_a_manager_who_may_not_read_the_records_sees_them_by_number_only(make: Maker) -> None:
    make.user("keeper", admin=False)  # made first: the flow world gives it no member role (no read right)
    with http_fake() as fake:
        w = world(make, fake.url)
        w.org([], {}, {"flow_admin": ["boss", "keeper"]})
        record = w.record({"summary": "机密报修"})
        instance = w.submit(record["id"])
        listed = w.client.get(f"{BASE}/instances", headers=w.h("keeper"))
        assert listed.status_code == 200, listed.text
        assert [i["record_title"] for i in listed.json()["items"]] == [f"#{record['id']}"]
        shown = w.client.get(f"{BASE}/instances/{instance['id']}", headers=w.h("keeper")).json()
        assert shown["record_title"] == f"#{record['id']}" and "机密报修" not in str(shown)
        assert shown["timeline"] and not any("detail" in e for e in shown["timeline"])  # details may hold values
        assert w.client.get(f"{BASE}/instances", headers=w.h("boss")).json()["items"][0]["record_title"] == "机密报修"
        full = w.client.get(f"{BASE}/instances/{instance['id']}", headers=w.h("boss")).json()
        assert any("detail" in e for e in full["timeline"])


def test_waiting_names_the_approvers_still_to_come_a_wait_steps_end_and_a_return(make: Maker) -> None:
    steps = {"key": "approve", "name": "费用审批", "form": "ticket", "trigger": {"on": "submit"}, "steps": [
        {"type": "wait", "name": "冷静期", "duration": "PT2H"},
        approval({"users": ["li", "wang", "zhao"]}, mode="sequential", name="依次审批")]}
    w = FlowWorld(make, tickets(steps, roles=[*tickets()["roles"], MANAGER]))
    w.org([], {}, {"flow_admin": ["boss"]})
    w.users("li", "wang", "zhao")
    instance = w.submit(w.record({"summary": "a"})["id"])

    def waiting() -> list[dict[str, Any]]:
        r = w.client.get(f"{BASE}/instances/{instance['id']}", headers=w.h("boss"))
        assert r.status_code == 200, r.text
        return r.json()["waiting"]  # type: ignore[no-any-return]

    assert [(x["kind"], x["step_name"], x["since"], x["due_at"]) for x in waiting()] == [
        ("wait", "冷静期", "2026-11-23T02:00:00+00:00", "2026-11-23T04:00:00+00:00")]
    w.run_jobs(hours=2)
    [step] = waiting()
    assert (step["kind"], step["step_name"], step["assignees"], step["later"]) == ("approval", "依次审批", ["li"],
                                                                                 ["wang", "zhao"])
    w.decide("li")
    assert [(x["assignees"], x["later"]) for x in waiting()] == [(["wang"], ["zhao"])]
    w.decide("wang", "return")
    assert [(x["kind"], x["assignees"]) for x in waiting()] == [("resubmit", ["admin"])]
    listed = w.client.get(f"{BASE}/instances?status=returned", headers=w.h("boss")).json()
    assert [i["id"] for i in listed["items"]] == [instance["id"]] and listed["counts"] == {"returned": 1}


def test_of_two_retries_at_once_one_queues_the_job_and_the_other_is_refused(db: Database) -> None:
    with db.write() as conn:
        job_id = outbox.enqueue(conn, "webhook", {"url": "http://127.0.0.1:9/", "body": {}}, T0, key="flow:1:0:0")
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(status="dead", attempts=5))
    refused: list[Exception] = []

    def second() -> None:
        try:
            with db.write() as conn:
                outbox.retry(conn, job_id, T0)
        except FlowStateError as e:
            refused.append(e)

    with db.write() as conn:
        outbox.retry(conn, job_id, T0)
        racer = threading.Thread(target=second)
        racer.start()
        if db.dialect == "postgresql":  # let the second one read the job as dead and wait on its row lock
            _until_waiting_on_a_lock(db)
    racer.join(timeout=30)
    assert len(refused) == 1
    with db.read() as conn:
        assert conn.scalar(select(jobs.c.status).where(jobs.c.id == job_id)) == "pending"


def _until_waiting_on_a_lock(db: Database) -> None:
    deadline = time.monotonic() + 10
    with db.engine.connect() as watcher:
        while time.monotonic() < deadline and not watcher.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE jobs%'")):
            watcher.rollback()
            time.sleep(0.02)
