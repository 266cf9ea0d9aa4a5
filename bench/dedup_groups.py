"""查重 with stored groups (issue 26): `python -m bench --only dedup-groups --dbs sqlite --sizes 100000`.

For each database and size: N customers seeded as bench/dedup.py seeds them (DUPLICATE_SHARE named as another
customer written another way), then (1) the scan job's duration: `POST …/duplicates/scan`'s work queued and
run by the job worker (`worker.run_due`, as `tangram worker` runs it), twice (the second replaces the first's
pairs), (2) the 查重 page (`GET /apps/crm/forms/customer/duplicates`, HTML, through the app in-process) on
the stored groups, as an administrator and as a 销售代表 (read: own, sales00 owns 1/20 of the customers), and
the API's first page of groups (`GET …/duplicates/groups`) as the administrator. p50/p95 in ms.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from bench import records as bench_records
from bench.dedup import _seed
from bench.timing import Stopwatch, timed
from runtime.db.tables import duplicate_links, role_members, users
from runtime.jobs import worker
from runtime.main import create_app
from runtime.records import duplicate_scan
from runtime.settings import Settings

PAGE = "/apps/crm/forms/customer/duplicates"
API = "/api/v1/apps/crm/forms/customer/duplicates/groups"
REPEAT = 30
SCANS = 2


def _scan(db: Any, settings: Settings) -> float:
    """Seconds from the start of a scan to its groups stored (the job queued, claimed and run)."""
    with Stopwatch() as sw:
        with db.write() as conn:
            duplicate_scan.start(conn, "crm", "customer", datetime.now(UTC))
        assert worker.run_due(db, settings, datetime.now(UTC)) >= 1
    with db.read() as conn:
        assert duplicate_scan.scan_of(conn, "crm", "customer").status == "done"  # type: ignore[union-attr]
    return sw.seconds


def run(backend: str, size: int) -> dict[str, Any]:
    db = bench_records.prepare(bench_records.database_url(backend))
    _, seed_rps = _seed(db, size)
    bench_records.statistics_as_in_use(db)
    with db.write() as conn:
        rep = conn.scalar(select(users.c.id).where(users.c.username == "sales00"))
        conn.execute(insert(role_members).values(app="crm", role="sales_rep", user_id=rep))
    settings = Settings(data_dir=bench_records.WORK, database_url="unused://", embedded_worker=False)
    scans = [_scan(db, settings) for _ in range(SCANS)]
    with db.read() as conn:
        pairs = conn.scalar(select(func.count()).select_from(duplicate_links))
    app = create_app(settings, db)
    result: dict[str, Any] = {"database": backend, "size": size, "seed_rps": seed_rps, "scans": scans, "pairs": pairs}
    with TestClient(app) as admin, TestClient(app) as sales:
        bench_records.log_in(admin)
        bench_records.log_in(sales, "sales00")
        first = admin.get(API)
        assert first.status_code == 200, first.text
        result["groups"] = first.json()["total"]
        result["rep_groups"] = sales.get(API).json()["total"]

        def page(client: TestClient) -> Any:
            def go() -> None:
                r = client.get(PAGE)
                assert r.status_code == 200 and "生成于" in r.text, r.status_code

            return go

        result["page_admin"] = timed(page(admin), REPEAT, warmup=2)
        result["page_rep"] = timed(page(sales), REPEAT, warmup=2)
        result["api_admin"] = timed(lambda: admin.get(API), REPEAT, warmup=2)
    db.engine.dispose()
    return result


def table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| database | customers | seeded rec/s | scan job s (runs) | pairs | groups (admin · 销售代表) "
        "| 查重 page p50/p95 ms admin | 查重 page 销售代表 | API groups admin |",
        "|---|---:|---:|---|---:|---|---|---|---|",
    ]

    def pair(t: dict[str, float]) -> str:
        return f"{t['p50']:.1f}/{t['p95']:.1f}"

    for r in runs:
        lines.append(
            f"| {r['database']} | {r['size']:,} | {r['seed_rps']:,.0f} | {' · '.join(f'{s:.1f}' for s in r['scans'])} "
            f"| {r['pairs']:,} | {r['groups']:,} · {r['rep_groups']:,} | {pair(r['page_admin'])} "
            f"| {pair(r['page_rep'])} | {pair(r['api_admin'])} |"
        )
    return "\n".join(lines)
