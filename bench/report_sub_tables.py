"""The chart builder's preview over a sub-table's rows (报价单 → 报价明细), on the DuckDB mirror.

`size` 报价单 with 3 报价明细 rows each (and 50 产品, a fifth as many 客户) are generated straight in DuckDB,
into the mirror's record table and its row table (`crm__quote__lines`), as bench/report_builder.py fills
its forms; then POST /api/v1/apps/crm/query of "小计合计 by 报价明细.产品" and "by 客户.所属区域" is timed
through the ASGI app in-process (no network), as an administrator.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from bench.flow_ui import PASSWORD
from bench.flows import open_app
from bench.records import CRM_TEMPLATE, WORK
from bench.reports import database_url, fill_synthetic
from bench.timing import Stopwatch, timed
from runtime.analytics.mirror import Mirror
from runtime.analytics.sync import sync
from runtime.main import create_app
from runtime.settings import Settings

ROWS_PER_QUOTE = 3
PRODUCTS = 50
WIDGETS = {
    "by product": {"type": "bar", "form": "quote", "dimensions": [{"field": "lines.product"}],
                   "measures": [{"agg": "sum", "field": "lines.subtotal"}, {"agg": "count"}]},
    "by customer region": {"type": "bar", "form": "quote", "dimensions": [{"field": "customer.region"}],
                           "measures": [{"agg": "sum", "field": "lines.subtotal"}]},
}


def _fill(mirror: Mirror, size: int) -> None:
    customers = max(size // 5, 1)
    fill_synthetic(mirror, size, {
        "customer": (customers / size, {"region": "(['华东', '华南', '华北', '华中', '西南'])[1 + i % 5]"}),
        "product": (PRODUCTS / size, {"name": "'产品' || CAST(i AS VARCHAR)"}),
        "quote": (1, {"customer": f"1 + (i * 31) % {customers}", "status": "(['草稿', '已发送', '已接受'])[1 + i % 3]"}),
    })
    with mirror.write() as conn:  # ids: fill_synthetic numbers every form's rows from 1
        conn.exec_driver_sql(
            'INSERT INTO "crm__quote__lines" (id, "lines.product", "lines.item", "lines.qty", "lines.unit_price", '
            '"lines.subtotal") SELECT 1 + i // 3, 1 + (i * 7) % 50, \'产品\', 1 + i % 5, 100.50, '
            f"CAST((1 + i % 5) * 100.50 AS DECIMAL(18, 2)) FROM range({size * ROWS_PER_QUOTE}) AS r(i)")
        mirror.count_rows(conn, "crm__quote__lines")


def run(size: int, repeat: int = 30) -> dict[str, Any]:
    data_dir = WORK / "report-sub-tables"
    data_dir.mkdir(parents=True, exist_ok=True)
    for f in data_dir.glob("analytics.duckdb*"):
        f.unlink()
    url = database_url("sqlite")
    db, headers = open_app(url, json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")), ["admin"], PASSWORD)
    settings = Settings(data_dir=data_dir, database_url=url, mirror="always", mirror_max_lag=1e9, embedded_worker=False)
    mirror = Mirror(data_dir / "analytics.duckdb")
    sync(db, mirror, datetime.now(UTC))
    with Stopwatch() as filling:
        _fill(mirror, size)
    mirror.close()
    found = {}
    with TestClient(create_app(settings, db)) as client:
        for name, body in WIDGETS.items():
            r = client.post("/api/v1/apps/crm/query", json=body, headers=headers["admin"])
            assert r.status_code == 200 and r.json()["widgets"][0]["engine"] == "mirror", r.text[:500]
            assert r.json()["widgets"][0]["rows"], r.text[:500]
            found[name] = timed(lambda b=body: client.post("/api/v1/apps/crm/query", json=b, headers=headers["admin"]),
                                repeat, warmup=3)
    db.engine.dispose()
    return {"size": size, "fill_s": filling.seconds, "previews": found}


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| 报价单 (× 3 明细 rows) | preview POST /query | p50 ms | p95 ms |", "|---:|---|---:|---:|"]
    for r in results:
        for name, t in r["previews"].items():
            lines.append(f"| {r['size']:,} | sum of 报价明细.小计 {name} | {t['p50']:.1f} | {t['p95']:.1f} |")
    lines += [f"\n{r['size']:,}: mirror filled in {r['fill_s']:.1f} s" for r in results]
    return "\n".join(lines)
