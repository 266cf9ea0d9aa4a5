"""`python -m bench --only metrics`: what /metrics costs (issue 28).

- the timing middleware per request: a trivial ASGI app called in-process with and without RequestMetrics,
  alternately, 1,000 calls per sample (so the figure is the middleware, not the HTTP stack);
- a scrape of /metrics from loopback over a job table of 100,000 done jobs and 1,000 queued, and 5,000
  login-throttle rows (the queries' cost is what grows with a database)."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from sqlalchemy import insert, text

from bench.databases import fresh_url
from bench.timing import timed, timed_together
from runtime.db import tables
from runtime.db.db import open_database
from runtime.main import create_app
from runtime.metrics.requests import RequestMetrics, RequestSeries
from runtime.settings import Settings

WORK = Path(os.environ.get("TANGRAM_BENCH_DIR", "/tmp/tangram-bench"))
CALLS = 1000


def database_url(backend: str) -> str:
    return fresh_url(backend, "metrics")


async def _bare(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def middleware_cost() -> dict[str, float]:
    """µs per request: with the middleware, without, and the difference of the medians."""
    timed_app = RequestMetrics(_bare, RequestSeries(CollectorRegistry()))
    scope = {"type": "http", "method": "GET", "path": "/x"}
    loop = asyncio.new_event_loop()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        return None

    def calls(app: Any) -> Any:
        async def many() -> None:
            for _ in range(CALLS):
                await app(dict(scope), receive, send)
        return lambda: loop.run_until_complete(many())

    with_it, without = timed_together([calls(timed_app), calls(_bare)], 40)
    loop.close()
    per = {"with": with_it["p50"] * 1000 / CALLS, "without": without["p50"] * 1000 / CALLS}
    return {**per, "cost": per["with"] - per["without"]}


def scrape_cost(backend: str) -> dict[str, float]:
    db = open_database(database_url(backend))
    tables.metadata.create_all(db.engine)
    now = datetime.now(UTC)
    job = {"kind": "webhook", "payload": {}, "attempts": 0, "max_attempts": 5, "created_at": now, "updated_at": now}
    with db.write() as conn:
        conn.execute(insert(tables.jobs), [{**job, "status": "done", "run_at": now - timedelta(seconds=i)}
                                           for i in range(100_000)])
        conn.execute(insert(tables.jobs), [{**job, "status": "pending", "run_at": now - timedelta(seconds=i)}
                                           for i in range(1_000)])
        conn.execute(insert(tables.login_attempts), [
            {"key": f"user:name{i}" if i % 2 else f"ip:10.0.{i // 250}.{i % 250}", "failures": 1 + i % 5,
             "last_failure_at": now - timedelta(minutes=i % 600)} for i in range(5_000)])
        if backend == "postgresql":
            conn.execute(text("ANALYZE jobs"))
            conn.execute(text("ANALYZE login_attempts"))
    app = create_app(Settings(data_dir=WORK, database_url="unused://", embedded_worker=False), db)  # jobs stay queued
    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        result = timed(lambda: local.get("/metrics").raise_for_status(), 100)
    db.engine.dispose()
    return result


def run(backends: list[str]) -> dict[str, Any]:
    return {"middleware": middleware_cost(), "scrape": {b: scrape_cost(b) for b in backends}}


def table(result: dict[str, Any]) -> str:
    m = result["middleware"]
    lines = [f"Timing middleware: {m['with']:.1f} µs per request with it, {m['without']:.1f} µs without "
             f"(a trivial ASGI app in-process): {m['cost']:.1f} µs each.", "",
             "| database | /metrics scrape p50 ms | p95 ms |", "|---|---:|---:|"]
    lines += [f"| {b} | {r['p50']:.2f} | {r['p95']:.2f} |" for b, r in result["scrape"].items()]
    return "\n".join(lines)
