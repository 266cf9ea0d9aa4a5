"""Other users' single creates while a large import runs: the latency they see and whether they fail.

`python -m bench.imports --dbs sqlite,postgresql --rows 100000 [--code /work/main]`

For each database: a fresh database with the CRM template, `tangram serve` in its own process
(from `--code`'s tree, so the code before a change can be measured with this harness), a CSV of
`rows` customers from demo-data imported over HTTP in one thread, and meanwhile `clients` other
users each sending single creates of customers one after another, with `pause` seconds between
them, until the import answers. Reported: the import's time and status, the creates' count,
median, p95 and max latency, and how many did not answer 201 (by status).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import statistics
import threading
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from bench.records import OWNERS, database_url, login, prepare, server
from bench.timing import percentile
from runtime.apps import definitions
from runtime.demo.generate import generate


def customers_csv(app: Any, rows: int) -> bytes:
    """`rows` demo customers as a CSV keyed by field key, cells as an export writes them."""
    form = app.form("customer")
    items = list(generate(app, "customer", rows, seed=7, owners=OWNERS, start=50_000_000))
    keys = [k for k in items[0] if k in form.by_key]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(keys)
    for item in items:
        writer.writerow([_cell(form.by_key[k], item.get(k)) for k in keys])
    return out.getvalue().encode("utf-8")


def _cell(field: Any, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list) and field.type != "cascade":
        return "，".join(str(v) for v in value)
    cell = field.to_cell(value)
    return "" if cell is None else cell


def run(backend: str, rows: int, clients: int, pause: float, code: str | None) -> dict[str, Any]:
    url = database_url(backend)
    db = prepare(url)
    with db.read() as conn:
        app = definitions.current(conn, "crm")[0]
    content = customers_csv(app, rows)
    singles = iter(generate(app, "customer", 1_000_000, seed=8, owners=OWNERS, start=60_000_000))
    lock = threading.Lock()
    out: dict[str, Any] = {"backend": backend, "rows": rows, "database": db.describe()}
    with server(url, db, code=code) as base, httpx.Client(base_url=base, timeout=600) as http:
        headers = login(http)
        done = threading.Event()
        result: dict[str, Any] = {}

        def importer() -> None:
            start = time.perf_counter()
            try:
                r = http.post("/api/v1/apps/crm/forms/customer/records/import", headers=headers,
                              files={"file": ("customers.csv", content, "text/csv")})
                result["status"] = r.status_code
            except httpx.HTTPError as e:
                result["status"] = type(e).__name__
            result["seconds"] = time.perf_counter() - start
            done.set()

        samples: list[float] = []
        statuses: dict[str, int] = {}

        def user() -> None:
            with httpx.Client(base_url=base, timeout=120, headers=headers) as own:
                while not done.is_set():
                    with lock:
                        data = next(singles)
                    start = time.perf_counter()
                    try:
                        status = str(own.post("/api/v1/apps/crm/forms/customer/records", json={"data": data})
                                     .status_code)
                    except httpx.HTTPError as e:
                        status = type(e).__name__
                    with lock:
                        samples.append((time.perf_counter() - start) * 1000)
                        statuses[status] = statuses.get(status, 0) + 1
                    done.wait(pause)

        threads = [threading.Thread(target=importer)] + [threading.Thread(target=user) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    db.engine.dispose()
    out.update(import_status=result["status"], import_seconds=result["seconds"], creates=len(samples),
               p50=statistics.median(samples) if samples else 0.0, p95=percentile(samples, 95) if samples else 0.0,
               max=max(samples, default=0.0), statuses=statuses)
    return out


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| database | rows | import s (status) | creates meanwhile | median ms | p95 ms | max ms | answers |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        answers = ", ".join(f"{n}× {s}" for s, n in sorted(r["statuses"].items()))
        lines.append(f"| {r['database']} | {r['rows']:,} | {r['import_seconds']:.1f} ({r['import_status']}) "
                     f"| {r['creates']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {answers} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.imports")
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=2, help="other users sending single creates")
    parser.add_argument("--pause", type=float, default=0.1, help="seconds each user waits between creates")
    parser.add_argument("--code", help="the source tree the server runs (PYTHONPATH), default this one")
    args = parser.parse_args()
    results = []
    for backend in args.dbs.split(","):
        print(f"… {backend}, {args.rows:,} rows, server code {args.code or os.getcwd()}", flush=True)
        results.append(run(backend, args.rows, args.clients, args.pause, args.code))
        print(table(results[-1:]), flush=True)
    print(f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}\n\n{table(results)}")


if __name__ == "__main__":
    main()
