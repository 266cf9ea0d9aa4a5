"""The runtime's registries for flows: every effect the engine emits is carried out, every job kind the
runtime enqueues has a handler, and a job of an unknown kind fails visibly (kept, with the reason)."""

from __future__ import annotations

import dataclasses
import re
import typing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from engine.flows import effects as fx
from engine.flows.parts import Channel
from runtime.db.db import Database
from runtime.db.tables import jobs
from runtime.flows.flow_effects import CARRY_OUT
from runtime.jobs import outbox
from runtime.jobs.handlers import job_handlers
from runtime.jobs.worker import run_once
from runtime.settings import Settings

RUNTIME = Path(__file__).resolve().parents[3] / "runtime"


def test_every_effect_the_engine_emits_is_carried_out() -> None:
    emitted = set(typing.get_args(fx.Effect))
    assert emitted and emitted == set(CARRY_OUT)
    # every other dataclass of the module is a value inside an effect (Created), never emitted on its own
    others = {v for v in vars(fx).values() if isinstance(v, type) and dataclasses.is_dataclass(v)} - emitted
    assert others == {fx.Created}


def test_every_kind_the_runtime_enqueues_has_a_handler() -> None:
    named = {m for path in RUNTIME.rglob("*.py")
             for m in re.findall(r'outbox\.enqueue\(conn, "(\w+)"', path.read_text(encoding="utf-8"))}
    robots = set(Channel.__args__) - {"in_app", "email"}  # type: ignore[attr-defined]  # enqueued by channel name
    assert named and named | robots <= set(job_handlers.keys())


def test_a_job_of_an_unknown_kind_fails_naming_the_known_kinds(db: Database) -> None:
    now = datetime(2026, 12, 5, 2, tzinfo=UTC)
    with db.write() as conn:
        outbox.enqueue(conn, "no_such_kind", {}, now)
    run_once(db, Settings(), now, schedules=False)
    with db.read() as conn:
        job = conn.execute(select(jobs.c.status, jobs.c.last_error).where(jobs.c.kind == "no_such_kind")).one()
    assert job.status != "done" and "no_such_kind" in job.last_error and "webhook" in job.last_error
