"""Counts, totals and plans at scale: one form of 1M orders, seeded straight into the tables.

    PYTHONPATH=. python bench/counts.py seed sqlite 1000000      # executemany into records, indexes built after
    python bench/counts.py seed postgresql 1000000  # COPY into records, indexes built after, ANALYZE
    python bench/counts.py measure sqlite [--repeat 30] [--no-exact]
    python bench/counts.py drop postgresql

`measure` times, in one process, side by side: the exact count (what `count=true` ran before) and the
bounded count with its estimate above totals.EXACT_UP_TO, each with a filter on an indexed
select and without one; a first page with its total; and a list sorted by each of two indexes that
lead with the same field, run more than six times on one connection (psycopg prepares it after five).
Only the storage layer (runtime.records.listing), no HTTP. Medians, p95 and the fastest run in milliseconds.
Run with another tree first on PYTHONPATH (`PYTHONPATH=/work/main python bench/counts.py …`) for a before:
a tree without listing.count_index counts without naming an index.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

WORK = Path(os.environ.get("TANGRAM_BENCH_DIR", "/tmp/tangram-counts-bench"))
PG_SERVER = os.environ.get("TANGRAM_BENCH_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
PG_DATABASE = "tangram_counts_bench"
STATUSES = ["新建", "处理中", "已完成", "已取消"]
WEIGHTS = [1, 2, 6, 1]  # 已完成 is most of them, 新建 a tenth
APP = {
    "format": "tangram/app@1", "key": "scale", "name": "规模", "version": "1.0.0",
    "forms": [{
        "key": "order", "name": "订单", "title_field": "name",
        "indexes": [["status", "-amount"], ["status", "qty"]],  # two indexes that lead with one field
        "fields": [
            {"key": "name", "type": "text", "label": "名称"},
            {"key": "status", "type": "select", "label": "状态", "options": STATUSES, "indexed": True},
            {"key": "qty", "type": "number", "label": "数量"},
            {"key": "amount", "type": "money", "label": "金额"},
            {"key": "note", "type": "text", "label": "备注"},
        ],
    }],
}


def url(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{WORK}/bench.db"
    return f"{PG_SERVER}/{PG_DATABASE}"


def _admin(sql: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(sql))
    admin.dispose()


def _rows(size: int, def_version: int) -> Any:
    rng = random.Random(1)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(size):
        at = start + timedelta(seconds=60 * i)
        data = {"name": f"订单{i:07d}", "status": rng.choices(STATUSES, WEIGHTS)[0], "qty": rng.randint(1, 500),
                "amount": f"{rng.randint(100, 10_000_000) / 100:.2f}", "note": "备注" if i % 10 == 0 else None}
        yield {"app": "scale", "form": "order", "data": {k: v for k, v in data.items() if v is not None},
               "version": 1, "def_version": def_version, "owner": f"sales{i % 20:02d}", "department": None,
               "created_at": at, "created_by": "admin", "updated_at": at, "updated_by": "admin", "deleted_at": None}


def seed(backend: str, size: int) -> None:
    from sqlalchemy import insert

    from runtime.apps import definitions
    from runtime.db import schema
    from runtime.db.db import open_database
    from runtime.db.tables import records
    from runtime.records.context import Actor, Change
    from runtime.records.indexes import drop_form_indexes, sync_indexes

    if backend == "sqlite":
        shutil.rmtree(WORK, ignore_errors=True)  # a directory of this bench's own
        WORK.mkdir(parents=True)
    else:
        _admin(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        _admin(f"CREATE DATABASE {PG_DATABASE}")
    db = open_database(url(backend))
    schema.upgrade(db)
    began = time.perf_counter()
    with db.write() as conn:
        definitions.import_app(conn, APP, Change(Actor(None)))
        ref = definitions.form_ref(conn, "scale", "order")
        drop_form_indexes(conn, "scale", "order")  # built once, after the rows
    rows = _rows(size, ref.version)
    with db.write(large=True) as conn:
        if backend == "postgresql":
            raw = conn.connection.dbapi_connection
            columns = list(records.c.keys())[1:]
            with raw.cursor().copy(f"COPY records ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row([json.dumps(row["data"], ensure_ascii=False) if c == "data" else row[c]
                                    for c in columns])
        else:
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == 20_000:
                    conn.execute(insert(records), batch)
                    batch = []
            if batch:
                conn.execute(insert(records), batch)
    loaded = time.perf_counter() - began
    with db.write() as conn:
        sync_indexes(conn, "scale", ref.form)
    db.checkpoint()
    print(f"seeded {size:,} rows on {backend}: rows {loaded:.0f} s, with indexes {time.perf_counter() - began:.0f} s")
    db.engine.dispose()


def _timed(run: Any, repeat: int) -> dict[str, float]:
    run()  # warm: caches, the first plan
    seen = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        seen.append((time.perf_counter() - began) * 1000)
    seen.sort()  # the fastest run too: on a loaded machine it shows the work, the others the waits for a core
    return {"p50": statistics.median(seen), "p95": seen[max(0, round(0.95 * len(seen)) - 1)], "min": seen[0]}


def measure(backend: str, repeat: int, lists_only: bool = False, exact: bool = True) -> dict[str, Any]:
    from engine.forms.fields.base import ValueContext
    from runtime.apps import definitions
    from runtime.db.db import open_database
    from runtime.records import listing

    db = open_database(url(backend))
    ctx = ValueContext(datetime.now(UTC))
    out: dict[str, Any] = {}
    with db.read() as conn:
        ref = definitions.form_ref(conn, "scale", "order")
        filtered = [listing.Condition("status", "eq", "新建")]
        for name, conditions in () if lists_only else (("filtered", filtered), ("all", [])):
            from runtime.records import totals

            query = listing.ListQuery(conditions, limit=1, count=True)
            count = listing.build_select(conn, ref, query, ctx)[1]
            assert count is not None
            if exact:  # `--no-exact`: leave out the exact counts (a second each on SQLite at a million)
                out[f"count exact {name}"] = _timed(lambda c=count: conn.scalar(c), repeat)
            # the index the bounded count reads, on trees that choose one (main's before 2026-12-06 evening does not)
            index = [listing.count_index(ref, query, conn.dialect.name)] if hasattr(listing, "count_index") else []
            out[f"count bounded {name}"] = _timed(lambda c=count, i=index: totals.total(
                conn, c, totals.EXACT_UP_TO, listing.of_form(ref), *i), repeat)
            if exact:
                out[f"list with exact total {name}"] = _timed(lambda q=query: listing.list_records(
                    conn, ref, listing.ListQuery(q.conditions, limit=50, count=True), ctx), repeat)
            out[f"list with total {name}"] = _timed(lambda q=query: listing.list_records(
                conn, ref, listing.ListQuery(q.conditions, limit=50, count=True, estimate_above=totals.EXACT_UP_TO),
                ctx), repeat)
        if not lists_only:
            exact = conn.scalar(listing.build_select(conn, ref, listing.ListQuery(filtered, count=True), ctx)[1])
            shown = totals.total(conn, listing.build_select(conn, ref, listing.ListQuery(filtered, count=True), ctx)[1],
                                  totals.EXACT_UP_TO, listing.of_form(ref))
            out["estimate"] = {"exact": exact, "shown": shown[0], "exact_flag": shown[1]}
        for sort in ("-amount", "qty"):  # 7+ runs on one connection: psycopg prepares the statement after 5
            query = listing.ListQuery(filtered, listing.parse_sort(ref, sort, conn.dialect.name), 50)
            out[f"list status=新建 sort {sort}"] = _timed(lambda q=query: listing.list_records(conn, ref, q, ctx),
                                                       max(repeat, 12))
    db.engine.dispose()
    return out


def main(argv: list[str]) -> None:
    command, backend = argv[0], argv[1]
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 30
    if command == "seed":
        seed(backend, int(argv[2]))
    elif command in ("measure", "lists"):  # lists: the list cases only, which any tree can run (before/after)
        print(json.dumps({"backend": backend, **measure(backend, repeat, command == "lists", "--no-exact" not in argv)},
                         ensure_ascii=False, indent=1))
    elif command == "drop" and backend == "postgresql":
        _admin(f"DROP DATABASE IF EXISTS {PG_DATABASE}")


if __name__ == "__main__":
    main(sys.argv[1:])
