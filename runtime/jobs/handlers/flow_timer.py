"""Flow timers (due times, waits), schedules (cron), date-relative triggers and their first timers for existing
records: database work, finished in the same transaction as the job, so a crash repeats nothing."""

from __future__ import annotations

from engine.flows.events import TimerFired
from runtime.flows import flows
from runtime.flows.flow_triggers import backfill_dates, run_date_trigger, run_schedule
from runtime.jobs.job_run import JobRun


def handle(run: JobRun) -> None:
    with run.db.write() as conn:
        flows.apply(conn, run.job.payload["instance_id"], TimerFired(run.job.payload["key"]), run.now, run.tz)
        run.complete(conn)


def schedule(run: JobRun) -> None:
    from runtime.flows.flow_triggers import ensure_schedules

    with run.db.write() as conn:
        run_schedule(conn, run.job.payload, run.now, run.tz)
        run.complete(conn)
        ensure_schedules(conn, run.now, run.tz)  # the next run of this schedule


def date_trigger(run: JobRun) -> None:
    with run.db.write() as conn:
        run_date_trigger(conn, run.job.payload, run.now, run.tz)
        run.complete(conn)


def date_backfill(run: JobRun) -> None:
    with run.db.write() as conn:
        backfill_dates(conn, run.job.payload, run.now, run.tz)
        run.complete(conn)
