"""Reports at scale: every CRM dashboard widget on the primary database and on the DuckDB mirror.

For each database: a fresh database with the CRM template, `size` 商机 (opportunities) and `size`
合同 (contracts) from demo-data (over size/5 customers, plus leads, payments and tickets at a tenth
of it, so every dashboard has rows); then (1) the full mirror build, (2) p50 per widget on the
primary database and on the mirror and their ratio, (3) an incremental sync after 10,000 changed
records (and after 100: the lag a dashboard sees), (4) the process's peak memory.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bench.records import OWNERS, PG_URL, WORK, prepare
from bench.timing import Stopwatch
from engine.expr.evaluate import EvalContext
from runtime.analytics.mirror import Mirror
from runtime.analytics.run import ReportContext, run_widget
from runtime.analytics.sync import sync
from runtime.demo.generate import generate
from runtime.settings import Settings
from runtime.storage import definitions, records
from runtime.storage.context import Actor, Change
from runtime.storage.db import Database

BATCH = 5000


def database_url(backend: str) -> str:
    """A database of its own (not the records benchmark's), so the two can run side by side."""
    if backend == "sqlite":
        WORK.mkdir(parents=True, exist_ok=True)
        for f in WORK.glob("reports.db*"):
            f.unlink()
        return f"sqlite:///{WORK}/reports.db"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS tangram_bench_reports CASCADE"))
        conn.execute(text("CREATE SCHEMA tangram_bench_reports"))
    admin.dispose()
    return PG_URL + "?options=-csearch_path%3Dtangram_bench_reports"


def load(db: Database, size: int) -> dict[str, int]:
    """Demo records: customers, opportunities and contracts at `size`, the rest smaller."""
    plan = {"product": 20, "customer": max(size // 5, 1), "opportunity": size, "contract": size,
            "lead": max(size // 10, 1), "payment": max(size // 10, 1)}
    related: dict[str, list[int]] = {}
    change = Change(Actor("admin"))
    for form_key, count in plan.items():
        with db.read() as conn:
            ref = definitions.form_ref(conn, "crm", form_key)
        ids: list[int] = []
        batch: list[dict[str, Any]] = []
        for item in generate(ref.app, form_key, count, seed=1, owners=OWNERS, related=related):
            batch.append(item)
            if len(batch) == BATCH:
                with db.write() as conn:
                    ids += [r.id for r in records.create_many(conn, ref, batch, change)]
                batch = []
        if batch:
            with db.write() as conn:
                ids += [r.id for r in records.create_many(conn, ref, batch, change)]
        related[form_key] = ids
    return {k: len(v) for k, v in related.items()}


def p50(fn: Any, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def change_leads(db: Database, count: int) -> int:
    """`count` status changes of 线索 (leads), in transactions of 1,000: what the incremental sync applies.
    (Leads feed no rollup, so the writes themselves stay cheap; the sync's cost does not depend on the form.)"""
    from sqlalchemy import select

    from runtime.storage.tables import records as table

    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "lead")
        ids = list(conn.scalars(select(table.c.id).where(table.c.app == "crm", table.c.form == "lead")
                                .order_by(table.c.id).limit(count)))
    statuses = ["新线索", "跟进中", "已转化", "无效"]
    for start in range(0, len(ids), 1000):
        with db.write() as conn:
            for record_id in ids[start:start + 1000]:
                row = records.get(conn, ref, record_id)
                wanted = statuses[(statuses.index(row.data.get("status", "新线索")) + 1) % 4]
                records.update_record(conn, ref, record_id, {"status": wanted}, Change(Actor("admin")))
    return len(ids)


def _say(message: str) -> None:
    print(f"  {datetime.now(UTC):%H:%M:%S} {message}", file=sys.stderr, flush=True)


def run(backend: str, size: int, repeat: int = 5) -> dict[str, Any]:
    db = prepare(database_url(backend))
    _say(f"{backend}: loading {size:,} 商机 and 合同")
    with Stopwatch() as loading:
        counts = load(db, size)
    _say("building the mirror")
    path = WORK / f"mirror-{backend}.duckdb"
    for f in WORK.glob(f"mirror-{backend}.duckdb*"):
        f.unlink()
    mirror = Mirror(Path(path))
    build = sync(db, mirror, datetime.now(UTC))
    with db.read() as conn:
        app, _ = definitions.current(conn, "crm")
    ctx = EvalContext(now=datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    primary = ReportContext(db, mirror, Settings(mirror="off"), ctx)
    mirrored = ReportContext(db, mirror, Settings(mirror="always", mirror_max_lag=1e9), ctx)
    widgets = []
    _say("timing widgets")
    for report in app.reports:
        for widget in report.widgets:
            a = p50(lambda w=widget: run_widget(primary, app, w, {}), repeat)
            b = p50(lambda w=widget: run_widget(mirrored, app, w, {}), repeat)
            widgets.append({"report": report.name, "widget": widget.name or widget.key, "type": widget.type,
                            "form": widget.form, "primary": a, "mirror": b})
    _say("changing 10,000 leads")
    change_leads(db, 10_000)
    incremental = sync(db, mirror, datetime.now(UTC))
    change_leads(db, 100)
    small = sync(db, mirror, datetime.now(UTC))
    mirror.close()
    db.engine.dispose()
    return {"database": db.describe(), "size": size, "counts": counts, "load_s": loading.seconds,
            "build_s": build.seconds, "widgets": widgets, "sync_10k_s": incremental.seconds,
            "sync_10k_changed": incremental.changed, "sync_100_s": small.seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "mirror_mb": path.stat().st_size / 2**20 if path.exists() else 0}


def table_md(results: list[dict[str, Any]]) -> str:
    lines = ["| widget | type | form | " + " | ".join(f"{r['database']} p50 ms · mirror ms · ×" for r in results) + " |",
             "|---|---|---|" + "---|" * len(results)]
    for i, w in enumerate(results[0]["widgets"]):
        cells = []
        for r in results:
            x = r["widgets"][i]
            cells.append(f"{x['primary']:.1f} · {x['mirror']:.1f} · {x['primary'] / x['mirror']:.0f}×")
        lines.append(f"| {w['report']} / {w['widget']} | {w['type']} | {w['form']} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("| database | records (商机 / 合同) | load s | full mirror build s | sync of 10,000 changed leads s "
                 "| sync of 100 changes s | peak RSS MB | mirror file MB | slowest widget on mirror ms |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        slowest = max(w["mirror"] for w in r["widgets"])
        lines.append(f"| {r['database']} | {r['counts']['opportunity']:,} / {r['counts']['contract']:,} "
                     f"| {r['load_s']:.0f} | {r['build_s']:.2f} | {r['sync_10k_s']:.2f} | {r['sync_100_s']:.3f} "
                     f"| {r['peak_mb']:.0f} | {r['mirror_mb']:.0f} | {slowest:.1f} |")
    return "\n".join(lines)
