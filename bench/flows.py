"""Flows: transitions per second through the engine alone and through the API; the time from a record
change to its automation's effect (a webhook received) at p50/p95 under a bounded load, with the embedded
worker; job throughput with 1 and 2 `tangram worker` processes on PostgreSQL.

`python -m bench --only flows [--dbs sqlite,postgresql] [--flow-size N]`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bench.records import database_url
from bench.timing import Stopwatch, percentile
from engine.app_check import parse_app
from engine.flows.events import Decide, Start
from engine.flows.machine import advance
from engine.flows.run import FlowContext
from engine.flows.state import FlowInstanceState
from engine.org import Org
from runtime.accounts.org import set_role_members
from runtime.accounts.users import create_user, issue_token
from runtime.apps import definitions
from runtime.db import schema
from runtime.db.db import Database, open_database
from runtime.db.tables import jobs
from runtime.jobs import outbox
from runtime.main import create_app
from runtime.records.context import SYSTEM, Change
from runtime.settings import Settings

APPROVERS = ["a1", "a2", "a3"]


def definition(hook_url: str = "http://127.0.0.1:9/") -> dict[str, Any]:
    return {"format": "tangram/app@1", "key": "bench", "name": "基准", "forms": [
        {"key": "expense", "name": "报销", "fields": [
            {"key": "title", "type": "text", "label": "事由", "required": True},
            {"key": "amount", "type": "money", "label": "金额"},
            {"key": "status", "type": "select", "label": "状态", "options": ["审批中", "已批准", "已驳回"]}]}],
        "roles": [{"key": "approver", "name": "审批人"}],
        "flows": [
            {"key": "approve", "name": "报销审批", "form": "expense", "trigger": {"on": "submit"}, "steps": [
                {"type": "approval", "name": "依次审批", "approvers": {"role": "approver"}, "mode": "sequential"},
                {"type": "condition", "branches": [
                    {"when": "amount > 5000", "steps": [{"type": "action", "action": "update_record",
                                                         "set": {"status": '"已批准"'}}]},
                    {"default": True, "steps": []}]}]},
            {"key": "push", "name": "推送", "form": "expense", "trigger": {"on": "create", "when": "amount < 0"},
             "steps": [{"type": "action", "action": "webhook", "url": hook_url, "body": {"id": "id"}}]}]}


def engine_alone(instances: int) -> dict[str, float]:
    """Start + 3 sequential approvals per instance, no database: transitions per second."""
    app = parse_app(definition())
    flow = app.flow("approve")
    ctx = FlowContext({"title": "x", "amount": "8000"}, Org(roles={"approver": frozenset(APPROVERS)}),
                      app.form("expense"))
    now = datetime.now(UTC)
    with Stopwatch() as sw:
        for _ in range(instances):
            state = advance(flow, FlowInstanceState(), Start("u"), now, ctx).state
            for n, user in enumerate(sorted(APPROVERS), start=1):
                state = advance(flow, state, Decide(f"t{n}", user, "approve"), now, ctx).state
            assert state.status == "approved"
    return {"transitions_per_s": instances * 4 / sw.seconds}


def open_app(url: str, app: dict[str, Any], users: list[str], password: str = "bench-password",
             ) -> tuple[Database, dict[str, dict[str, str]]]:
    """A database at `url` with `app` imported and `users` (the first an administrator), each with a
    bearer token: the database and each user's headers."""
    db = open_database(url)
    schema.upgrade(db)
    now = datetime.now(UTC)
    headers = {}
    with db.write() as conn:
        definitions.import_app(conn, app, Change(SYSTEM))
        for name in users:
            user = create_user(conn, name, password, now, is_admin=name == users[0])
            headers[name] = {"Authorization": f"Bearer {issue_token(conn, user.id, now)}"}
    return db, headers


def prepare(url: str) -> tuple[Database, dict[str, dict[str, str]]]:
    db, headers = open_app(url, definition(), ["admin", *APPROVERS])
    with db.write() as conn:
        set_role_members(conn, "bench", "approver", APPROVERS)
    return db, headers


def through_api(db: Database, headers: dict[str, dict[str, str]], instances: int) -> dict[str, float]:
    """Submit + 3 approvals per instance over HTTP (FastAPI TestClient, in process): transitions per second."""
    settings = Settings(database_url="unused://", embedded_worker=False)
    with TestClient(create_app(settings, db)) as client:
        ids = [client.post("/api/v1/apps/bench/forms/expense/records", headers=headers["admin"],
                           json={"data": {"title": f"报销{i}", "amount": 8000}}).json()["id"] for i in range(instances)]
        with Stopwatch() as sw:
            for record_id in ids:
                r = client.post("/api/v1/apps/bench/flows/approve/instances", json={"record_id": record_id},
                                headers=headers["admin"])
                assert r.status_code == 201, r.text
                for user in APPROVERS:
                    task = client.get("/api/v1/tasks?status=open&limit=1", headers=headers[user]).json()["items"][0]
                    assert client.post(f"/api/v1/tasks/{task['id']}/approve", json={},
                                       headers=headers[user]).status_code == 200
    return {"transitions_per_s": instances * 4 / sw.seconds}


@contextmanager
def receiver() -> Iterator[tuple[str, dict[int, float]]]:
    """A local webhook receiver noting when each record's effect arrived (time.monotonic)."""
    arrived: dict[int, float] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            arrived.setdefault(int(body.get("id", 0)), time.monotonic())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", arrived
    finally:
        server.shutdown()
        server.server_close()


def change_to_effect(db: Database, headers: dict[str, dict[str, str]], records: int, rate: float) -> dict[str, float]:
    """Records created at `rate`/s over HTTP; each starts an automation whose webhook the embedded worker
    (polling every 50 ms) delivers. Latency = webhook arrival - the create's response."""
    with receiver() as (url, arrived):
        with db.write() as conn:
            definitions.upgrade_app(conn, "bench", definition(url), Change(SYSTEM))
        settings = Settings(database_url="unused://", embedded_worker=True, worker_poll_seconds=0.05)
        committed: dict[int, float] = {}
        with TestClient(create_app(settings, db)) as client:
            start = time.monotonic()
            for i in range(records):
                time.sleep(max(0.0, start + i / rate - time.monotonic()))
                r = client.post("/api/v1/apps/bench/forms/expense/records", headers=headers["admin"],
                                json={"data": {"title": f"退款{i}", "amount": -1}})
                committed[r.json()["id"]] = time.monotonic()
            deadline = time.monotonic() + 60
            while len(arrived) < records and time.monotonic() < deadline:
                time.sleep(0.05)
    latencies = [(arrived[i] - t) * 1000 for i, t in committed.items() if i in arrived]
    return {"p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95), "delivered": len(latencies),
            "records": records}


def worker_throughput(url: str, workers: int, count: int) -> dict[str, float]:
    """`count` webhook jobs drained by `workers` separate `tangram worker` processes: jobs per second."""
    db = open_database(url)
    with receiver() as (hook, _arrived):
        now = datetime.now(UTC)
        with db.write() as conn:
            conn.execute(jobs.delete())
            for i in range(count):
                outbox.enqueue(conn, "webhook", {"url": hook, "secret": "s", "body": {"id": i}}, now, key=f"b{i}")
        env = {**os.environ, "TANGRAM_DATABASE_URL": url, "TANGRAM_WORKER_POLL_SECONDS": "0.05"}
        with Stopwatch() as sw:
            procs = [subprocess.Popen([sys.executable, "-m", "runtime.cli", "worker"], env=env,
                                      stdout=subprocess.DEVNULL) for _ in range(workers)]
            try:
                while True:
                    with db.read() as conn:
                        left = conn.scalar(select(func.count()).select_from(jobs).where(jobs.c.status != "done"))
                    if not left:
                        break
                    time.sleep(0.05)
            finally:
                for p in procs:
                    p.terminate()
                    p.wait(timeout=30)
    db.engine.dispose()
    return {"jobs_per_s": count / sw.seconds}


def run(backend: str, size: int) -> dict[str, Any]:
    url = database_url(backend)
    db, headers = prepare(url)
    result: dict[str, Any] = {"database": db.describe(), "size": size,
                              "api": through_api(db, headers, size),
                              "latency": change_to_effect(db, headers, records=max(50, size), rate=20)}
    db.engine.dispose()
    if backend == "postgresql":
        result["workers"] = {n: worker_throughput(url, n, size * 10) for n in (1, 2)}
    return result


def table(engine: dict[str, float], results: list[dict[str, Any]]) -> str:
    lines = [f"Engine alone: {engine['transitions_per_s']:,.0f} transitions/s", "",
             "| database | instances | API transitions/s | change → webhook p50 / p95 ms (20 rec/s) "
             "| jobs/s 1 worker | jobs/s 2 workers |", "|---|---:|---:|---|---:|---:|"]
    for r in results:
        w, lat = r.get("workers"), r["latency"]
        throughput = f"{w[1]['jobs_per_s']:,.0f} | {w[2]['jobs_per_s']:,.0f}" if w else "— | —"
        lines.append(f"| {r['database']} | {r['size']:,} | {r['api']['transitions_per_s']:,.0f} "
                     f"| {lat['p50_ms']:.0f} / {lat['p95_ms']:.0f} ({lat['delivered']}/{lat['records']}) "
                     f"| {throughput} |")
    return "\n".join(lines)


def main(backends: list[str], size: int) -> None:
    engine = engine_alone(size * 10)
    results = []
    for backend in backends:
        print(f"… flows on {backend}", flush=True)
        results.append(run(backend, size))
    print(table(engine, results), flush=True)
