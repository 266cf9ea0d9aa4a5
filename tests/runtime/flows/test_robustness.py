"""Concurrency and crashes: simultaneous approvals of an all-mode step, a worker that dies mid-job,
two workers claiming from one queue."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from runtime.db.tables import jobs, record_history
from runtime.jobs import outbox
from runtime.jobs.handlers import webhook
from runtime.jobs.worker import JobRun
from tests.factories import Maker
from tests.fakes import http_fake
from tests.flows import FlowWorld, approval, approval_flow, tickets
from tests.live import serve
from tests.runtime.flows.test_approval_api import ORG


def test_concurrent_approvals_of_an_all_mode_step_finish_it_exactly_once(make: Maker) -> None:
    w = FlowWorld(make, tickets(approval_flow(approval({"role": "board"}, "all"))))
    w.org(*ORG)
    rec = w.record({"summary": "x"})
    inst = w.submit(rec["id"])
    tasks = {user: w.inbox(user)[0]["id"] for user in ("b1", "b2", "b3")}
    start = threading.Barrier(3)
    with serve(w.app) as base, httpx.Client(base_url=base, timeout=30) as http, ThreadPoolExecutor(3) as pool:
        def approve(user: str) -> httpx.Response:
            start.wait()
            return http.post(f"/api/v1/tasks/{tasks[user]}/approve", json={"comment": user}, headers=w.h(user))
        responses = list(pool.map(approve, tasks))
    assert [r.status_code for r in responses] == [200, 200, 200], [r.text for r in responses]
    body = w.instance(inst["id"])
    assert body["status"] == "approved"
    assert sorted(e["actor"] for e in body["timeline"] if e["kind"] == "approved" and e["actor"]) == ["b1", "b2", "b3"]
    assert sum(e["kind"] == "updated" for e in body["timeline"]) == 1
    with w.app.state.db.read() as conn:
        updates = conn.execute(select(record_history.c.data).where(record_history.c.record_id == rec["id"],
                                                                   record_history.c.action == "update")).all()
    assert [u.data["status"] for u in updates] == ["已批准"]


class Crash(BaseException):
    """The worker process going away."""


class Dying(JobRun):
    def record_done(self, conn: Any) -> bool:
        raise Crash


def test_a_job_whose_worker_died_is_retried_once_after_its_one_minute_lease_and_its_effect_happens_once(make: Maker) -> None:
    with http_fake() as fake:
        w = FlowWorld(make, tickets({"key": "hook", "name": "推送", "form": "ticket", "trigger": {"on": "create"},
                                     "steps": [{"type": "action", "action": "webhook", "url": fake.url,
                                                "body": {"s": "summary"}}]}))
        w.record({"summary": "x"})
        db, settings, now = w.app.state.db, w.app.state.settings, w.clock.now
        with db.write() as conn:
            [job] = outbox.claim(conn, now, "doomed-worker")
        with pytest.raises(Crash):  # delivered … and the process dies before it commits the job as done
            webhook.handle(Dying(db, job, now, "doomed-worker", settings))
        assert w.run_jobs() == 0  # the lease still holds: nobody else takes it
        assert w.run_jobs(seconds=61) == 1  # the lease is a minute (renewed while a job runs), not five
        with db.read() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job.id)).one()
        assert (row.status, row.attempts) == ("done", 2)
        assert w.run_jobs(hours=1) == 0
        keys = [r.headers["x-tangram-delivery"] for r in fake.received]
        assert len(keys) == 2 and len(set(keys)) == 1  # the receiver sees one delivery, sent twice


def test_a_timer_job_interrupted_before_commit_changes_nothing_and_runs_once_later(make: Maker) -> None:
    w = FlowWorld(make, tickets(approval_flow({"type": "wait", "duration": "PT1H"},
                                              {"type": "action", "action": "create_record", "form": "work_order",
                                               "values": {"title": "summary"}})))
    w.submit(w.record({"summary": "漏水"})["id"])
    db = w.app.state.db
    w.clock.advance(hours=1)
    with db.write() as conn:
        [job] = outbox.claim(conn, w.clock.now, "doomed-worker")
    assert job.kind == "flow_timer"
    w.run_jobs(minutes=6)
    w.run_jobs(minutes=6)
    orders = w.client.get("/api/v1/apps/tickets/forms/work_order/records", headers=w.h("admin")).json()["items"]
    assert [o["data"]["title"] for o in orders] == ["漏水"]
    with db.read() as conn:
        assert conn.execute(select(jobs.c.attempts, jobs.c.status).where(jobs.c.id == job.id)).one() == (2, "done")


def test_two_workers_claiming_one_queue_never_get_the_same_job(make: Maker) -> None:
    w = FlowWorld(make, tickets())
    db, now = w.app.state.db, w.clock.now
    with db.write() as conn:
        for i in range(40):
            outbox.enqueue(conn, "noop", {"i": i}, now, key=f"k{i}")
    claimed: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def drain(name: str) -> None:
        start.wait()
        while True:
            with db.write() as conn:
                got = outbox.claim(conn, now, name, limit=3, lease=timedelta(hours=1))
            if not got:
                return
            claimed[name].extend(j.id for j in got)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(drain, claimed))
    everything = claimed["a"] + claimed["b"]
    assert len(everything) == len(set(everything)) == 40
