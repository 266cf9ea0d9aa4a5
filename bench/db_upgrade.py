"""`tangram db upgrade` on a large database (issue 28): its time, the locks it takes, and what a reader
and a writer of records wait meanwhile.

The database is brought to revision 0020, filled fast (PostgreSQL: COPY; SQLite: executemany) with
`size` records, a tenth as many flow tasks (0023 rewrites some) and 2,000 users (0022 indexes their
names), then `tangram db upgrade` runs as its own process, as an operator runs it. Meanwhile one thread
samples pg_locks every 20 ms (PostgreSQL) and two probes read and update one record in a loop, each
in its own transaction: their longest wait is how long the upgrade keeps the site from reading or
writing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlalchemy.pool import NullPool

from bench.timing import Stopwatch
from runtime.db import schema, tables
from runtime.db.db import Database, open_database

FROM = "0020"
PG_URL = os.environ.get("TANGRAM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORK = Path(os.environ.get("TANGRAM_BENCH_DIR", "/tmp/tangram-bench"))
DB_NAME = f"tangram_bench_upgrade_{os.getpid()}"  # the machine is shared: a database of our own, dropped after
BATCH = 20_000
APPLICATION = "tangram-bench-upgrade"  # the upgrade's sessions, for the lock sampler


def _admin() -> Any:
    return create_engine(PG_URL.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT", poolclass=NullPool)


def new_database(name: str) -> str:
    """A new, empty PostgreSQL database of this name (the machine is shared): its URL."""
    with _admin().connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_database(name: str) -> None:
    with _admin().connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def database_url(backend: str) -> str:
    if backend == "sqlite":
        WORK.mkdir(parents=True, exist_ok=True)
        for f in WORK.glob("upgrade.db*"):
            f.unlink()
        return f"sqlite:///{WORK}/upgrade.db"
    return new_database(DB_NAME)


def drop(backend: str) -> None:
    if backend == "postgresql":
        drop_database(DB_NAME)


def _record(i: int) -> dict[str, Any]:
    return {"name": f"客户{i:07d}", "amount": i % 100_000, "status": ("潜在", "跟进", "成交")[i % 3]}


def fill(db: Database, size: int) -> None:
    """`size` records of one form, size/10 flow tasks (a tenth of them 离职交接 transfers), 2,000 users."""
    now = datetime.now(UTC)
    tasks = size // 10
    with db.write() as conn:
        conn.execute(insert(tables.users), [
            {"username": f"user{i:05d}", "display_name": f"用户{i:05d}", "password_hash": "x", "is_admin": False,
             "active": True, "created_at": now} for i in range(2000)])
        conn.execute(insert(tables.flow_instances), [
            {"app": "crm", "flow": "approve", "def_version": 1, "form": "customer", "record_id": i + 1,
             "status": "done", "locks_record": False, "state": {}, "created_at": now, "updated_at": now}
            for i in range(tasks)])
        conn.execute(insert(tables.flow_tasks), [
            {"instance_id": i + 1, "key": "t", "kind": "approval", "step": "s", "step_name": "审批",
             "assignee": f"user{i % 2000:05d}", "status": "transferred" if i % 10 == 0 else "approved",
             "app": "crm", "form": "customer", "record_id": i + 1,
             "comment": "离职交接" if i % 20 == 0 else None, "created_at": now} for i in range(tasks)])
    if db.dialect == "postgresql":
        raw = db.engine.raw_connection()
        try:
            with raw.cursor() as cur, cur.copy(  # type: ignore[attr-defined]
                    "COPY records (app, form, data, version, def_version, owner, created_at, updated_at) "
                    "FROM STDIN") as copy:
                stamp = now.isoformat()
                for i in range(size):
                    copy.write_row(("crm", "customer", json.dumps(_record(i), ensure_ascii=False), 1, 1,
                                    f"sales{i % 20:02d}", stamp, stamp))
            raw.commit()
        finally:
            raw.close()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        return
    for start in range(0, size, BATCH):
        with db.write() as conn:
            conn.execute(insert(tables.records), [
                {"app": "crm", "form": "customer", "data": _record(i), "version": 1, "def_version": 1,
                 "owner": f"sales{i % 20:02d}", "created_at": now, "updated_at": now}
                for i in range(start, min(size, start + BATCH))])
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


class Probe(threading.Thread):
    """Runs `sql` in its own short transaction again and again until stopped; keeps the longest wait."""

    def __init__(self, db: Database, sql: str) -> None:
        super().__init__(daemon=True)
        self.db, self.sql, self.stop, self.longest, self.count = db, sql, threading.Event(), 0.0, 0

    def run(self) -> None:
        while not self.stop.is_set():
            start = time.perf_counter()
            with self.db.engine.begin() as conn:
                if self.db.dialect == "postgresql":
                    conn.execute(text("SET LOCAL lock_timeout = '600s'"))
                conn.execute(text(self.sql))
            self.longest = max(self.longest, time.perf_counter() - start)
            self.count += 1
            time.sleep(0.02)


class LockSampler(threading.Thread):
    """PostgreSQL: the relation locks other sessions hold or wait for, sampled every 20 ms, with the time
    each (relation, mode) was first and last seen."""

    def __init__(self, db: Database) -> None:
        super().__init__(daemon=True)
        self.db, self.stop = db, threading.Event()
        self.seen: dict[tuple[str, str, bool], list[float]] = {}

    def run(self) -> None:
        start = time.perf_counter()
        with self.db.engine.connect() as conn:
            while not self.stop.is_set():
                rows = conn.execute(text(
                    "SELECT c.relname, l.mode, l.granted FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                    " JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = :name"
                    " AND c.relnamespace <> 'pg_catalog'::regnamespace"), {"name": APPLICATION}).all()
                conn.rollback()
                now = time.perf_counter() - start
                for rel, mode, granted in rows:
                    span = self.seen.setdefault((rel, mode, granted), [now, now])
                    span[1] = now
                time.sleep(0.02)


def run(backend: str, size: int) -> dict[str, Any]:
    url = database_url(backend)
    try:
        db = open_database(url)
        schema.upgrade(db, FROM)
        with Stopwatch() as seeding:
            fill(db, size)
        print(f"… {backend}: {size:,} records in {seeding.seconds:.0f} s; upgrading {FROM} → head", flush=True)
        reader = Probe(db, "SELECT data FROM records WHERE id = 12345")
        writer = Probe(db, "UPDATE records SET version = version WHERE id = 12345")
        reader.start()
        writer.start()
        time.sleep(0.5)
        sampler = None
        if db.dialect == "postgresql":
            sampler = LockSampler(db)
            sampler.start()
        named = url + f"?application_name={APPLICATION}" if db.dialect == "postgresql" else url
        env = {**os.environ, "TANGRAM_DATABASE_URL": named, "TANGRAM_DATA_DIR": str(WORK / "upgrade-data")}
        with Stopwatch() as upgrade:
            done = subprocess.run([sys.executable, "-m", "runtime.cli", "db", "upgrade"], env=env,
                                  capture_output=True, text=True)
        time.sleep(0.3)
        for thread in (reader, writer, *([sampler] if sampler else [])):
            thread.stop.set()  # type: ignore[attr-defined]
            thread.join()
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        with Stopwatch() as noop:  # the same command with nothing to do: starting Python and Tangram's CLI
            subprocess.run([sys.executable, "-m", "runtime.cli", "db", "upgrade"], env=env, capture_output=True,
                           check=True)
        locks = sorted(((rel, mode, granted, round(b - a, 2)) for (rel, mode, granted), (a, b) in
                        (sampler.seen.items() if sampler else [])), key=lambda x: -x[3])
        db.engine.dispose()
        return {"backend": backend, "size": size, "seed_s": seeding.seconds, "upgrade_s": upgrade.seconds, "noop_s": noop.seconds,
                "revision": done.stdout.strip().rsplit(" ", 1)[-1], "read_max_s": reader.longest,
                "write_max_s": writer.longest, "locks": locks}
    finally:
        drop(backend)


def table(runs: list[dict[str, Any]]) -> str:
    lines = ["| database | records | seed s | `tangram db upgrade` 0020 → head s | the same with nothing to do s "
             "| longest record read during it s | longest record update during it s |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['backend']} | {r['size']:,} | {r['seed_s']:.0f} | {r['upgrade_s']:.1f} | {r['noop_s']:.1f} "
              f"| {r['read_max_s']:.2f} | {r['write_max_s']:.2f} |" for r in runs]
    for r in runs:
        if r["locks"]:
            lines += ["", f"Locks held by the upgrade on {r['backend']} (pg_locks every 20 ms; seconds seen):", "",
                      "| relation | mode | granted | seen s |", "|---|---|---|---:|"]
            lines += [f"| {rel} | {mode} | {granted} | {seen:.2f} |" for rel, mode, granted, seen in r["locks"]]
    return "\n".join(lines)
