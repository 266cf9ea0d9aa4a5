"""Records at scale: bulk create, single creates over HTTP, list queries vs hand-written SQL.

For each database and size: a fresh database with the CRM template, N customers from demo-data,
then (1) bulk create through the storage layer and through POST …/bulk, (2) single creates over
HTTP from a separate process with a bounded loopback load, (3) the list query "equality filter on
an indexed field + sort on money + limit 50", first page and a deep cursor page, over HTTP and
run alone, (4) the same query hand-written in SQL against the same table and index: the floor.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest.mock import patch

import httpx
from sqlalchemy import select, text

from bench import bare
from bench.databases import PG_URL, fresh_url
from bench.loadgen import request, send_all
from bench.timing import Stopwatch, percentile, timed, timed_together
from engine.forms.fields.base import ValueContext
from runtime.accounts.users import create_user
from runtime.analytics.mirror import Mirror
from runtime.analytics.sync import sync
from runtime.apps import definitions
from runtime.cli import CRM_TEMPLATE
from runtime.db import schema, tables
from runtime.db.db import Database, open_database
from runtime.demo.generate import generate
from runtime.records import listing, records
from runtime.records.bulk import insert_rows
from runtime.records.columns import column
from runtime.records.context import Actor, Change

WORK = Path(os.environ.get("TANGRAM_BENCH_DIR", "/tmp/tangram-bench"))
SCHEMA = os.environ.get("TANGRAM_BENCH_SCHEMA", "tangram_bench")  # the machine may be shared: each run its own
PORT = int(os.environ.get("TANGRAM_BENCH_PORT", "8790"))
OWNERS = [f"sales{i:02d}" for i in range(20)]
BATCH = 5000


def database_url(backend: str) -> str:
    return fresh_url(backend, "bench", schema=SCHEMA)


def prepare(url: str) -> Database:
    db = open_database(url)
    schema.upgrade(db)
    now = datetime.now(UTC)
    with db.write() as conn:
        definitions.import_app(conn, json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")), Change(Actor(None)))
        create_user(conn, "admin", "bench-password", now, is_admin=True)
        for name in OWNERS:
            create_user(conn, name, "bench-password", now)
    return db


def log_in(client: Any, user: str = "admin") -> None:
    """Sign a test client of the pages in as one of prepare's users (its cookie keeps the session)."""
    r = client.post("/login", data={"username": user, "password": "bench-password"}, follow_redirects=False)
    assert r.status_code == 303, r.text


def list_index(db: Database) -> tuple[str, str]:
    """The customer form's declared (filter field, money sort field) index: what the list bench uses."""
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
        for columns in ref.form.indexes:
            if len(columns) == 2 and columns[1].startswith("-"):
                sort = ref.form.by_key.get(columns[1][1:])
                if sort is not None and sort.type == "money":
                    return columns[0], columns[1][1:]
    raise SystemExit("the CRM customer form declares no [filter, -money] index to benchmark")


def statistics_as_in_use(db: Database) -> None:
    """Planner statistics as a live database has them: PostgreSQL's autovacuum analyzes a table
    after a bulk load (this machine's runs with autovacuum off, hence the ANALYZE); SQLite keeps
    none, Tangram runs no ANALYZE there, so its plans are measured without (runtime/records/indexes.py)."""
    if db.dialect == "postgresql":
        with db.write() as conn:
            conn.exec_driver_sql("ANALYZE")


def bulk_storage(db: Database, count: int, start: int = 0) -> float:
    """Records per second through records.create_many, in transactions of BATCH (`start`: the generator's
    first index, to add customers beside others it made)."""
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
    change = Change(Actor("admin"))
    items = list(generate(ref.app, "customer", count, seed=1, owners=OWNERS, start=start))
    with Stopwatch() as sw:
        for start in range(0, count, BATCH):
            with db.write() as conn:
                records.create_many(conn, ref, items[start:start + BATCH], change)
    return count / sw.seconds


def bulk_parts(db: Database, count: int, without: frozenset[str] = frozenset(), run: int = 0) -> dict[str, float]:
    """Where a bulk create's time goes, in µs per record over `count` new customers: validation
    (normalising, lookups, formulas, rules), the rest (reference checks, numbers, ids, the inserts of
    record, history, search document and audit entry, the commit), and the floor: the record rows
    alone, validated beforehand, with no history, search document, audit entry or event subscriber —
    what no bulk create of these records can beat on this table and its indexes. `without`: modules whose
    event subscribers the rest leaves out (bench/writes.py: the search index and duplicate keys)."""
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
    change = Change(Actor("admin"))

    def validated(seed: int, start: int, clock: Stopwatch) -> list[list[dict[str, Any]]]:
        items = list(generate(ref.app, "customer", count, seed=seed, owners=OWNERS, start=start))
        with db.read() as conn, clock:
            return [records.validate_many(conn, ref, items[s:s + BATCH], change) for s in range(0, count, BATCH)]

    cpu: dict[str, float] = {}

    def write(batches: list[list[dict[str, Any]]], name: str = "") -> float:
        spent = 0.0
        with patch.object(records, "validate_many", lambda _c, _r, datas, _ch: list(datas)), Stopwatch() as sw:
            for datas in batches:
                with db.write() as conn:
                    server = _server_cpu(conn)
                    before = time.process_time() + server()
                    records.create_many(conn, ref, datas, change)
                spent += time.process_time() + server() - before  # the commit's too
        cpu[name] = 1e6 * spent / count
        return 1e6 * sw.seconds / count

    validating = Stopwatch()
    batches = validated(4 + 2 * run, 30_000_000 + 20_000_000 * run, validating)
    kept = [s for s in records.events.registered()[1] if s.__module__ not in without]
    with patch.object(records.events, "_after", kept):
        rest = write(batches, "rest")
    floor_batches = validated(5 + 2 * run, 40_000_000 + 20_000_000 * run, Stopwatch())

    def record_rows_only(conn: Any, table: Any, rows: Any, texts: Any = None) -> None:
        if table is tables.records:
            insert_rows(conn, table, rows, texts)

    with patch.object(records, "insert_rows", record_rows_only), patch.object(records.events, "publish", _nothing), \
            patch.object(records, "after_write", _nothing):
        floor = write(floor_batches, "floor")
    return {"validation_us": 1e6 * validating.seconds / count, "rest_us": rest, "floor_us": floor,
            "rest_cpu_us": cpu["rest"], "floor_cpu_us": cpu["floor"]}


def _server_cpu(conn: Any) -> Callable[[], float]:
    """CPU seconds so far of the database server's process serving `conn` (PostgreSQL on this machine:
    its backend's user + system time from /proc), 0 for SQLite (in this process). With the client's own
    CPU time it is what a write costs whatever else the shared machine runs; a wall clock is not."""
    if conn.dialect.name != "postgresql":
        return lambda: 0.0
    [(pid,)] = conn.execute(text("SELECT pg_backend_pid()")).all()
    stat, tick = Path(f"/proc/{pid}/stat"), os.sysconf("SC_CLK_TCK")
    if not stat.exists():  # a server on another machine: the client's time only
        return lambda: 0.0

    def seconds() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14 and 15 of stat)

    return seconds


def _nothing(*_args: Any, **_kw: Any) -> None:
    return None


@contextmanager
def server(url: str, db: Database, *, code: str | None = None,
           started: Callable[[subprocess.Popen[bytes]], None] | None = None) -> Iterator[str]:
    """`tangram serve` in its own process, so the load generator does not share its interpreter.
    Its data directory (the analytics mirror) is the benchmark's own, never `./data`, and the mirror
    is built before it starts: its background sync then only follows the changes, as a server that
    has been running does, instead of building a million records into the measurements. `code` is
    the source tree the server runs (its PYTHONPATH), to measure another branch with this harness."""
    port = PORT
    data = WORK / "data"
    for stale in data.glob("analytics.duckdb*"):
        stale.unlink()
    mirror = Mirror(data / "analytics.duckdb")
    sync(db, mirror, datetime.now(UTC))
    mirror.close()  # DuckDB lets one process at a time write the file: the server's now
    env = {**os.environ, "TANGRAM_DATABASE_URL": url, "TANGRAM_DATA_DIR": str(data)}
    if code is not None:
        env["PYTHONPATH"] = os.path.abspath(code)
    proc = subprocess.Popen([sys.executable, "-m", "runtime.cli", "serve", "--port", str(port)], env=env,
                            cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # -m puts cwd first
    base = f"http://127.0.0.1:{port}"
    if started is not None:
        started(proc)  # the caller watches the process (the import benchmark: its peak memory)
    try:
        _wait_for(base + "/api/v1/health")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def login(http: httpx.Client) -> dict[str, str]:
    token = http.post("/api/v1/auth/login", json={"username": "admin", "password": "bench-password"}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def http_bulk(http: httpx.Client, headers: dict[str, str], app: Any, batches: int = 10, size: int = 1000) -> float:
    items = list(generate(app, "customer", batches * size, seed=2, owners=OWNERS, start=10_000_000))
    url = "/api/v1/apps/crm/forms/customer/records/bulk"
    with Stopwatch() as sw:
        for b in range(batches):
            r = http.post(url, json={"items": items[b * size:(b + 1) * size]}, headers=headers, timeout=120)
            r.raise_for_status()
    return batches * size / sw.seconds


def http_single(base: str, headers: dict[str, str], app: Any, total: int = 2000, clients: int = 4) -> dict[str, float]:
    """`clients` keep-alive connections, each sending creates one after another: a bounded load,
    from bench.loadgen (lean enough to leave the server its core)."""
    return _creates(base, "/api/v1/apps/crm/forms/customer/records", headers, app, total, clients)


def _creates(base: str, path: str, headers: dict[str, str], app: Any, total: int, clients: int) -> dict[str, float]:
    items = generate(app, "customer", total, seed=3, owners=OWNERS, start=20_000_000)
    requests = [request("POST", "127.0.0.1", path, headers, {"data": item}) for item in items]
    samples, seconds = send_all(base, requests, clients, expect=201)
    return {"rps": total / seconds, "p50": percentile(samples, 50), "p95": percentile(samples, 95)}


def bare_single(backend: str, app: Any, total: int = 2000, clients: int = 4) -> dict[str, float]:
    """The same load on bench/bare.py, FastAPI and one INSERT on the same database: the floor."""
    url = f"sqlite:///{WORK}/bare.db" if backend == "sqlite" else \
        PG_URL.replace("postgresql+psycopg://", "postgresql://") + "?options=-csearch_path%3Dtangram_bench"
    for stale in WORK.glob("bare.db*"):
        stale.unlink()
    port = 8791
    proc = subprocess.Popen([sys.executable, "-m", "bench.bare", url, str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/docs")
        return _creates(base, "/records", {"Authorization": f"Bearer {bare.TOKEN}"}, app, total, clients)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _wait_for(url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)


def deep_cursor(db: Database, filter_field: str, value: Any, sort_field: str) -> str:
    """A cursor half-way down the filtered list (found once with OFFSET; the benchmark never uses OFFSET)."""
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
        query = listing.ListQuery([listing.Condition(filter_field, "eq", value)],
                                  [listing.SortKey(sort_field, True)], limit=1, count=True)
        page, count, keys = listing.build_select(conn, ref, query, ValueContext(datetime.now(UTC)))
        total = conn.scalar(count)
        row = conn.execute(page.offset(max(0, (total or 0) // 2))).first()
        assert row is not None
        return listing.encode_cursor(keys, [row._s0, row._s1])


def raw_sql(dialect: str, filter_field: str, sort_field: str, deep: bool) -> str:
    """The list query as a person would write it by hand: same rows, same index, the fastest cursor
    condition for the database, and the same columns (the JSON decoded, as Tangram must, and the sort
    values the next cursor is made of)."""
    if dialect == "postgresql":
        f = f"COALESCE((data ->> '{filter_field}'), '') COLLATE \"C\""
        s = f"COALESCE(CAST(data ->> '{sort_field}' AS NUMERIC), CAST('-Infinity' AS NUMERIC))"
        data = "data"
    else:
        f = f"COALESCE(json_extract(data, '$.{filter_field}'), '')"
        s = f"COALESCE(CAST(json_extract(data, '$.{sort_field}') AS REAL), -1e999)"
        data = "json(data)"
    # The best cursor condition by hand: PostgreSQL turns a row comparison into one index range;
    # SQLite does not, so there a leading range on the sort key plus the tie-break is the fast form.
    if dialect == "postgresql":
        after = f" AND ({s}, id) < (:v, :i)" if deep else ""
    else:
        after = f" AND {s} <= :v AND ({s} < :v OR ({s} = :v AND id < :i))" if deep else ""
    # The same columns the API needs and Tangram selects: the record's columns and, for the next
    # page's cursor, the sort key values.
    return (f"SELECT id, {data} AS data, version, owner, department, created_at, created_by, updated_at, "
            f"updated_by, deleted_at, {s} AS s0, id AS s1 FROM records "
            f"WHERE app = 'crm' AND form = 'customer' AND deleted_at IS NULL "
            f"AND {f} = :f{after} ORDER BY {s} DESC, id DESC LIMIT 51")


def _run_raw(conn: Any, sql: Any, params: dict[str, Any]) -> list[Any]:
    rows = conn.execute(sql, params).all()
    if conn.dialect.name == "sqlite":
        return [json.loads(r.data) for r in rows]  # psycopg decodes JSONB itself
    return rows


def list_queries(db: Database, base: str, headers: dict[str, str], filter_field: str, value: Any,
                 sort_field: str) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    cursor = deep_cursor(db, filter_field, value, sort_field)
    keys = [listing.SortKey(sort_field, True), listing.SortKey("id", True)]
    v, i = listing.decode_cursor(keys, cursor)
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        url = "/api/v1/apps/crm/forms/customer/records"
        for name, extra in (("first", {}), ("deep", {"cursor": cursor})):
            params = {f"filter[{filter_field}]": value, "sort": f"-{sort_field}", "limit": 50, **extra}
            results[f"http {name}"] = timed(lambda p=params: http.get(url, params=p).raise_for_status(), 200)
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
        col = column(ref.form, sort_field, conn.dialect.name)
        for name, cur in (("first", None), ("deep", cursor)):
            query = listing.ListQuery([listing.Condition(filter_field, "eq", value)],
                                      [listing.SortKey(sort_field, True)], 50, cur)
            params = {"f": value, "v": col.parameter(v, conn.dialect.name).value, "i": i}
            sql = text(raw_sql(conn.dialect.name, filter_field, sort_field, cur is not None))
            results[f"tangram {name}"], results[f"raw {name}"] = timed_together([
                lambda q=query: conn.execute(listing.build_select(conn, ref, q, ValueContext(datetime.now(UTC)))[0]).all(),
                lambda s=sql, p=params: _run_raw(conn, s, p)], 300)
    return results


def run(backend: str, size: int) -> dict[str, Any]:
    url = database_url(backend)
    db = prepare(url)
    filter_field, sort_field = list_index(db)
    out: dict[str, Any] = {"backend": backend, "size": size, "database": db.describe()}
    out["bulk_storage_rps"] = bulk_storage(db, size)
    statistics_as_in_use(db)
    with db.read() as conn:
        app = definitions.current(conn, "crm")[0]
        value = conn.execute(select(tables.records.c.data).where(tables.records.c.form == "customer")
                             .limit(1)).scalar_one()[filter_field]
    with server(url, db) as base, httpx.Client(base_url=base) as http:
        headers = login(http)
        out["lists"] = list_queries(db, base, headers, filter_field, value, sort_field)
        # Single creates before the bulk ones: after 10,000 bulk records the server's mirror sync
        # would still be converting them while the single creates are timed.
        out["single_http"] = http_single(base, headers, app)
        out["bulk_http_rps"] = http_bulk(http, headers, app)
    out["single_bare"] = bare_single(backend, app)
    out["bulk_parts"] = bulk_parts(db, min(size, 20_000))
    out["filter"] = f"{filter_field} = {value!r}, sort -{sort_field}"
    db.engine.dispose()
    return out
