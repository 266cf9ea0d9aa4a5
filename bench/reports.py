"""Reports at scale: every CRM dashboard widget on the primary database and on the DuckDB mirror.

For each database: a fresh database with the CRM template, `size` 商机 (opportunities) and `size`
合同 (contracts) from demo-data (over size/5 customers, plus leads, payments and tickets at a tenth
of it, so every dashboard has rows); then (1) the full mirror build, (2) p50 per widget on the
primary database and on the mirror and their ratio, (3) an incremental sync after 10,000 changed
records (and after 100: the lag a dashboard sees), (4) the process's peak memory.
"""

from __future__ import annotations

import resource
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.databases import fresh_url
from bench.records import OWNERS, WORK, prepare
from bench.timing import Stopwatch, timed
from engine.expr.evaluate import EvalContext
from runtime.analytics.mirror import Mirror
from runtime.analytics.run import ReportContext, run_widget
from runtime.analytics.sync import sync
from runtime.apps import definitions
from runtime.db.db import Database
from runtime.demo.generate import generate
from runtime.records import records
from runtime.records.context import Actor, Change
from runtime.settings import Settings

BATCH = 5000
ANALYZE_EVERY = 100_000


def analyze(db: Database) -> None:
    """Fresh planner statistics, as autovacuum gives a live database. This machine's PostgreSQL runs
    with autovacuum off: without it the plans of the load's own queries (reference checks, rollups)
    were made for an empty table and the load crawled at ~500 records/s."""
    with db.write() as conn:
        conn.exec_driver_sql("ANALYZE")


def database_url(backend: str) -> str:
    """A database of its own (not the records benchmark's), so the two can run side by side."""
    return fresh_url(backend, "reports")


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
                if len(ids) % ANALYZE_EVERY == 0:
                    analyze(db)
        if batch:
            with db.write() as conn:
                ids += [r.id for r in records.create_many(conn, ref, batch, change)]
        related[form_key] = ids
        analyze(db)
    return {k: len(v) for k, v in related.items()}


def p50(fn: Any, repeat: int) -> float:
    """The median in milliseconds of `repeat` calls after one unmeasured call."""
    return timed(fn, repeat, warmup=1)["p50"]


def change_leads(db: Database, count: int) -> int:
    """`count` status changes of 线索 (leads), in transactions of 1,000: what the incremental sync applies.
    (Leads feed no rollup, so the writes themselves stay cheap; the sync's cost does not depend on the form.)"""
    from sqlalchemy import select

    from runtime.db.tables import records as table

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


SYNTHETIC = {  # form -> (share of size, column -> DuckDB expression over i = range(n))
    "opportunity": (1, {
        "stage": "(['初步接洽', '需求确认', '方案报价', '商务谈判', '赢单', '输单'])[1 + (i * 7919) % 6]",
        "amount": "CAST(20000 + (i * 104729) % 1980000 AS DECIMAL(18, 2))",
        "weighted_amount": "CAST((20000 + (i * 104729) % 1980000) * 0.3 AS DECIMAL(18, 2))",
        "manager": "'sales' || lpad(CAST(i % 20 AS VARCHAR), 2, '0')",
        "lost_reason": "CASE WHEN (i * 7919) % 6 = 5 THEN (['价格', '产品功能', '竞争对手', '预算取消', '其他'])[1 + i % 5] END",
        "expected_close": "DATE '2026-11-30' - CAST(i % 700 AS INTEGER)",
        "stage_changed_at": "TIMESTAMP '2026-11-01' - INTERVAL (i % 5000) HOUR"}),
    "contract": (1, {
        "amount": "CAST(10000 + (i * 7907) % 2990000 AS DECIMAL(18, 2))",
        "signed_on": "DATE '2026-11-24' - CAST(i % 730 AS INTEGER)",
        "status": "(['执行中', '已完成', '已终止', '草稿'])[1 + i % 4]",
        "manager": "'sales' || lpad(CAST(i % 20 AS VARCHAR), 2, '0')"}),
    "customer": (0.2, {
        "level": "(['A', 'B', 'C'])[1 + i % 3]", "region": "(['华东', '华南', '华北', '华中', '西南', '西北', '东北'])[1 + i % 7]",
        "industry": "[(['制造业', '信息技术', '批发零售', '建筑', '金融'])[1 + i % 5]]",
        "status": "(['潜在客户', '意向客户', '成交客户', '流失客户'])[1 + i % 4]",
        "manager": "'sales' || lpad(CAST(i % 20 AS VARCHAR), 2, '0')",
        "last_order_on": "CASE WHEN i % 3 = 0 THEN DATE '2026-11-24' - CAST(i % 400 AS INTEGER) END",
        "total_contract_amount": "CAST((i * 31) % 5000000 AS DECIMAL(18, 2))"}),
    "lead": (0.1, {"source": "(['官网', '展会', '电话营销', '广告', '合作伙伴'])[1 + i % 5]",
                   "status": "(['新线索', '跟进中', '已转化', '无效'])[1 + (i * 13) % 4]"}),
    "payment": (0.1, {"amount": "CAST(1000 + (i * 37) % 900000 AS DECIMAL(18, 2))",
                      "received_on": "DATE '2026-11-24' - CAST(i % 400 AS INTEGER)"}),
}


def fill_synthetic(mirror: Mirror, size: int, forms: dict[str, tuple[float, dict[str, str]]]) -> None:
    """`forms`' rows straight into a synced (empty) mirror of the CRM app: `size × share` rows per form."""
    system = ("id, version, owner, created_at, updated_at",
              "i + 1, 1, 'sales' || lpad(CAST(i % 20 AS VARCHAR), 2, '0'), "
              "TIMESTAMP '2026-11-23' - INTERVAL (i % 20000) HOUR, TIMESTAMP '2026-11-23'")
    with mirror.write() as conn:
        for form, (share, columns) in forms.items():
            names = ", ".join(f'"{c}"' for c in columns)
            values = ", ".join(columns.values())
            conn.exec_driver_sql(f'INSERT INTO "crm__{form}" ({system[0]}, {names}) SELECT {system[1]}, {values} '
                                 f"FROM range({int(size * share)}) AS r(i)")
            mirror.count_rows(conn, f"crm__{form}")


def mirror_only(size: int, repeat: int) -> dict[str, Any]:
    """Every CRM widget on a mirror filled with `size` synthetic 商机 and 合同 straight in DuckDB (no
    primary records: loading a million through the platform takes hours on this machine)."""
    db = prepare(database_url("sqlite"))
    path = WORK / "mirror-synthetic.duckdb"
    for f in WORK.glob("mirror-synthetic.duckdb*"):
        f.unlink()
    limit = Settings().mirror_memory_limit  # TANGRAM_MIRROR_MEMORY_LIMIT, as the server's mirror has it
    mirror = Mirror(path, limit)
    sync(db, mirror, datetime.now(UTC))
    with Stopwatch() as filling:
        fill_synthetic(mirror, size, SYNTHETIC)
    with db.read() as conn:
        app, _ = definitions.current(conn, "crm")
    rc = ReportContext(db, mirror, Settings(mirror="always", mirror_max_lag=1e9),
                       EvalContext(now=datetime(2026, 11, 24, 2, 0, tzinfo=UTC)))
    widgets = [{"report": r.name, "widget": w.name or w.key, "type": w.type, "form": w.form,
                **{f"mirror_{k}": v for k, v in timed(lambda w=w: run_widget(rc, app, w, {}), repeat, warmup=1).items()}}
               for r in app.reports for w in r.widgets]
    mirror.close()
    return {"size": size, "fill_s": filling.seconds, "widgets": widgets, "limit": limit or "DuckDB's default",
            "mirror_mb": path.stat().st_size / 2**20, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def mirror_only_md(result: dict[str, Any]) -> str:
    lines = [f"| widget | type | form | mirror p50 / p95 ms at {result['size']:,} 商机 + 合同, memory limit "
             f"{result['limit']} |", "|---|---|---|---:|"]
    lines += [f"| {w['report']} / {w['widget']} | {w['type']} | {w['form']} | {w['mirror_p50']:.1f} / {w['mirror_p95']:.1f} |"
              for w in result["widgets"]]
    return "\n".join(lines) + f"\n\nfilled in {result['fill_s']:.1f} s; mirror file {result['mirror_mb']:.0f} MB; " \
                              f"peak RSS {result['peak_mb']:.0f} MB"
