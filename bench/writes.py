"""The write path as ratios to its floor, and what history keeps per update (issue 28).

`python -m bench --only writes [--dbs sqlite,postgresql] [--sizes 20000]`. For each database: a fresh
database with the CRM template, then in one run (1) bulk_parts from bench/records.py: µs per record of a
bulk create's write (validated beforehand) and of the floor, the same record rows with the same indexes
and no history, search document, audit entry or subscriber; (2) an import of as many customers through
runtime/io/imports.write (checked beforehand, as the wizard does), per record; (3) the bulk write again without the
search index and duplicate keys (their subscribers left out), to show what is whose; (4) single-field
updates through the storage layer: their µs each, and the bytes of their history rows against the bytes
of the whole data a history row held before migration 0024 (records.data), and of their audit entries.
`TANGRAM_BENCH_ROUNDS` (default 1) repeats (1) and (3) on the same database, each round on new records:
the table then gives the medians, and each ratio is the median of the rounds' own ratios (the floor and
the bulk write of a round are measured seconds apart, so a shared machine's load changes both alike).
A second table gives the same writes in CPU time (this process's, and the PostgreSQL backend's when the
server runs on this machine), which the other work on a shared machine disturbs far less than a wall clock.
"""

from __future__ import annotations

import os
import statistics
from typing import Any

from sqlalchemy import func, select

from bench.records import OWNERS, bulk_parts, database_url, prepare
from bench.timing import Stopwatch
from runtime.apps import definitions
from runtime.db.tables import audit_log, record_history, records
from runtime.demo.generate import generate
from runtime.io import imports
from runtime.io.records import ParsedRows
from runtime.records import records as stored
from runtime.records.context import Actor, Change

SEARCH = frozenset({"runtime.records.search", "runtime.records.duplicates"})
"""The subscribers a second bulk write leaves out: the search document and duplicate keys of each record."""
UPDATES = int(os.environ.get("TANGRAM_BENCH_UPDATES", "2000"))
ROUNDS = int(os.environ.get("TANGRAM_BENCH_ROUNDS", "1"))


def _size(dialect: str, column: Any) -> Any:
    """Bytes the database keeps for a JSON value (before compression on PostgreSQL's TOAST)."""
    return func.pg_column_size(column) if dialect == "postgresql" else func.length(column)


def import_us(db: Any, count: int) -> float:
    """µs per record of imports.write (staged in chunks, published at once), rows checked beforehand."""
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
        start = max(90_000_000, 40_000_000 * ROUNDS + 50_000_000)  # after the bulk rounds' names (bench/records.py)
        items = list(generate(ref.app, "customer", count, seed=9, owners=OWNERS, start=start))
        change = Change(Actor("admin"))
        prepared = imports.checked(conn, ref, ParsedRows(items, list(range(2, count + 2)), []), change)
    with Stopwatch() as sw:
        imports.write(db, prepared, change)
    return 1e6 * sw.seconds / count


def updates(db: Any, count: int) -> dict[str, float]:
    """One-field updates of `count` customers (the first ones), one transaction each: µs per update,
    median bytes of their history rows, of the whole data (what each row kept before 0024), of their audit entries."""
    change = Change(Actor("admin"))
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
        ids = list(conn.scalars(select(records.c.id).where(records.c.form == "customer", records.c.version == 1)
                                .order_by(records.c.id).limit(count)))
    with Stopwatch() as sw:
        for i, record_id in enumerate(ids):
            with db.write() as conn:
                stored.update_record(conn, ref, record_id, {"note": f"第 {i} 次回访"}, change)
    with db.read() as conn:
        d = conn.dialect.name
        h, a = record_history.c, audit_log.c
        history = conn.scalars(select(_size(d, h.data)).where(h.record_id.in_(ids), h.version == 2)).all()
        whole = conn.scalars(select(_size(d, records.c.data)).where(records.c.id.in_(ids))).all()
        audit = conn.scalars(select(_size(d, a.detail)).where(a.record_id.in_(ids), a.action == "record.update")).all()
    return {"us": 1e6 * sw.seconds / len(ids), "history_bytes": statistics.median(history),
            "whole_bytes": statistics.median(whole), "audit_bytes": statistics.median(audit)}


def run(backend: str, count: int) -> dict[str, Any]:
    db = prepare(database_url(backend))
    try:
        with db.write() as conn:
            ref = definitions.form_ref(conn, "crm", "customer")
            stored.create_many(conn, ref, list(generate(ref.app, "customer", UPDATES, seed=8, owners=OWNERS)),
                               Change(Actor("admin")))
        rounds = []
        for r in range(ROUNDS):
            parts = bulk_parts(db, count, run=2 * r)
            unsearched = bulk_parts(db, count, SEARCH, run=2 * r + 1)
            parts["unsearched_us"], parts["unsearched_cpu_us"] = unsearched["rest_us"], unsearched["rest_cpu_us"]
            rounds.append(parts)
        out: dict[str, Any] = {"database": db.describe(), "count": count, "rounds": rounds}
        for key in ("validation_us", "rest_us", "floor_us", "unsearched_us", "rest_cpu_us", "floor_cpu_us",
                    "unsearched_cpu_us"):
            out[key] = statistics.median(p[key] for p in rounds)
        out["bulk_ratio"] = statistics.median(p["floor_us"] / p["rest_us"] for p in rounds)
        out["unsearched_ratio"] = statistics.median(p["floor_us"] / p["unsearched_us"] for p in rounds)
        out["bulk_cpu_ratio"] = statistics.median(p["floor_cpu_us"] / p["rest_cpu_us"] for p in rounds)
        out["unsearched_cpu_ratio"] = statistics.median(p["floor_cpu_us"] / p["unsearched_cpu_us"] for p in rounds)
        out["import_us"] = import_us(db, count)
        out.update(updates(db, UPDATES))
        return out
    finally:
        db.engine.dispose()


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| database | records | floor µs/rec | bulk write µs/rec (floor/bulk) | … without search and duplicate "
             "keys | import µs/rec (floor/import) | update µs | history row bytes per update (whole data) "
             "| audit entry bytes |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['database']} | {r['count']:,} | {r['floor_us']:.0f} "
                     f"| {r['rest_us']:.0f} ({r['bulk_ratio']:.0%}) "
                     f"| {r['unsearched_us']:.0f} ({r['unsearched_ratio']:.0%}) "
                     f"| {r['import_us']:.0f} ({r['floor_us'] / r['import_us']:.0%}) | {r['us']:.0f} "
                     f"| {r['history_bytes']:.0f} ({r['whole_bytes']:.0f}) | {r['audit_bytes']:.0f} |")
    lines += ["", "CPU time of the write (this process's, and on PostgreSQL its server backend's), µs/rec:", "",
              "| database | floor | bulk write (floor/bulk) | … without search and duplicate keys |", "|---|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['database']} | {r['floor_cpu_us']:.0f} | {r['rest_cpu_us']:.0f} ({r['bulk_cpu_ratio']:.0%}) "
                     f"| {r['unsearched_cpu_us']:.0f} ({r['unsearched_cpu_ratio']:.0%}) |")
    for r in results:
        if len(r["rounds"]) > 1:
            lines.append(f"\n{r['database']}, {len(r['rounds'])} rounds, floor/bulk: " + ", ".join(
                f"{p['floor_us'] / p['rest_us']:.0%}" for p in r["rounds"]) + "; floor/bulk without search: " + ", ".join(
                f"{p['floor_us'] / p['unsearched_us']:.0%}" for p in r["rounds"]))
    return "\n".join(lines)
