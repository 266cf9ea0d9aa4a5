"""Job leases (issue 21, item 9): a running job's lease is renewed while its handler runs, so a short lease is
safe; a job whose worker died is taken by another after that lease; a lost lease refuses the completion, so
a database effect happens once."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from runtime.db.tables import jobs
from runtime.jobs import outbox, worker
from runtime.jobs.handlers import job_handlers
from runtime.jobs.lease import LeaseKeeper
from runtime.jobs.worker import run_job
from tests.factories import Maker
from tests.flows import FlowWorld, approval_flow, tickets


class Stopwatch:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_job_that_keeps_renewing_is_never_claimed_twice_and_is_taken_once_its_worker_dies(make: Maker) -> None:
    w = FlowWorld(make, tickets())
    db, now = w.app.state.db, w.clock.now
    with db.write() as conn:
        job_id = outbox.enqueue(conn, "slow_report", {}, now)
        [job] = outbox.claim(conn, now, "worker-a")
    watch = Stopwatch()
    keeper = LeaseKeeper(db, job.id, "worker-a", now, timedelta(seconds=60), monotonic=watch)
    for elapsed in (20, 40, 60, 80, 100):  # worker-a's heartbeats, every third of the lease
        watch.t = 1000.0 + elapsed
        assert keeper.renew()
        with db.write() as conn:  # another worker, just after the first lease would have passed
            assert outbox.claim(conn, now + timedelta(seconds=elapsed + 59), "worker-b") == []
    # worker-a dies after its last heartbeat (at 100 s): a minute later worker-b takes the job
    with db.write() as conn:
        [again] = outbox.claim(conn, now + timedelta(seconds=161), "worker-b")
    assert (again.id, again.locked_by, again.attempts) == (job_id, "worker-b", 2)
    assert not keeper.renew()  # a worker-a that was only slow finds out, and cannot finish the job
    with db.write() as conn:
        assert not outbox.finish(conn, job_id, "worker-a", now + timedelta(seconds=162))


def test_the_worker_renews_the_lease_while_a_handler_runs(make: Maker) -> None:
    w = FlowWorld(make, tickets())
    db, now = w.app.state.db, w.clock.now
    settings = w.app.state.settings.model_copy(update={"job_lease_seconds": 0.3})
    seen: list[Any] = []

    def slow(run: worker.JobRun) -> None:  # runs until it has seen its lease renewed past the first one
        for _ in range(200):
            with db.read() as conn:
                until = conn.scalar(select(jobs.c.locked_until).where(jobs.c.id == run.job.id))
            if until > now + timedelta(seconds=0.3):
                seen.append(until)
                return
            time.sleep(0.05)

    job_handlers.register("slow_report", slow)
    try:
        with db.write() as conn:
            outbox.enqueue(conn, "slow_report", {}, now)
            [job] = outbox.claim(conn, now, "worker-a", lease=timedelta(seconds=0.3))
        assert run_job(db, settings, job, now, "worker-a") == "done"
    finally:
        job_handlers.unregister("slow_report")
    assert len(seen) == 1  # the heartbeat renewed it while the handler ran
    with db.read() as conn:
        assert conn.scalar(select(jobs.c.status).where(jobs.c.id == job.id)) == "done"


def test_a_database_effect_whose_lease_was_lost_rolls_back_and_happens_once(make: Maker) -> None:
    w = FlowWorld(make, tickets(approval_flow({"type": "wait", "duration": "PT1H"},
                                              {"type": "action", "action": "create_record", "form": "work_order",
                                               "values": {"title": "summary"}})))
    w.submit(w.record({"summary": "停电"})["id"])
    db, settings = w.app.state.db, w.app.state.settings
    w.clock.advance(hours=1)
    with db.write() as conn:
        [job] = outbox.claim(conn, w.clock.now, "worker-a")
    later = w.clock.advance(seconds=61)  # worker-a stalled without renewing; worker-b takes the job
    with db.write() as conn:
        [taken] = outbox.claim(conn, later, "worker-b")
    assert run_job(db, settings, job, job.updated_at, "worker-a") == "lost"  # a stalled worker-a wakes up
    assert run_job(db, settings, taken, later, "worker-b") == "done"
    orders = w.client.get("/api/v1/apps/tickets/forms/work_order/records", headers=w.h("admin")).json()["items"]
    assert [o["data"]["title"] for o in orders] == ["停电"]
    made_at = datetime.fromisoformat(orders[0]["created_at"].replace("Z", "+00:00"))
    assert made_at == later  # by worker-b: worker-a's transaction rolled back
