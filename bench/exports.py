"""`python -m bench.exports [ROWS] [sqlite|postgresql]`: the list page's 导出 of a whole list of ROWS customers
(8 columns: text, select, money, date, a relation by title, a datetime), to xlsx and to CSV, through
`runtime/io/exports.run` — the function the request and the background job both call: the list's keyset
pages, cells, the file, storing it. Wall and CPU seconds, rows/s, the file's size."""

from __future__ import annotations

import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from bench.flows import open_app
from bench.records import database_url
from runtime.apps import definitions
from runtime.io import exports
from runtime.records import records
from runtime.records.context import SYSTEM, Actor, Change
from runtime.settings import Settings

APP: dict[str, Any] = {
    "format": "tangram/app@1",
    "key": "bench",
    "name": "导出",
    "version": "1.0.0",
    "forms": [
        {
            "key": "industry",
            "name": "行业",
            "title_field": "name",
            "fields": [{"key": "name", "type": "text", "label": "行业名称"}],
        },
        {
            "key": "customer",
            "name": "客户",
            "title_field": "name",
            "fields": [
                {"key": "name", "type": "text", "label": "客户名称"},
                {"key": "region", "type": "select", "label": "地区", "options": ["华东", "华南", "华北"]},
                {"key": "level", "type": "select", "label": "等级", "options": ["A", "B", "C"]},
                {"key": "amount", "type": "money", "label": "成交金额"},
                {"key": "since", "type": "date", "label": "合作开始"},
                {"key": "industry", "type": "relation", "label": "行业", "target": "industry"},
                {"key": "met_at", "type": "datetime", "label": "上次拜访"},
                {"key": "note", "type": "text", "label": "备注"},
            ],
        },
    ],
}
BATCH = 5000


def seed(db: Any, rows: int) -> None:
    change = Change(SYSTEM)
    with db.write() as conn:
        ref = definitions.form_ref(conn, "bench", "industry")
        industries = [r.id for r in records.create_many(conn, ref, [{"name": f"行业{i}"} for i in range(20)], change)]
    for start in range(0, rows, BATCH):
        with db.write(large=True) as conn:
            ref = definitions.form_ref(conn, "bench", "customer")
            records.create_many(
                conn,
                ref,
                [
                    {
                        "name": f"苏州恒瑞精密机械{n}号有限公司",
                        "region": ("华东", "华南", "华北")[n % 3],
                        "level": "ABC"[n % 3],
                        "amount": f"{n * 13 % 100000}.50",
                        "since": "2026-03-01",
                        "industry": industries[n % 20],
                        "met_at": "2026-11-30T02:30:00Z",
                        "note": "重点客户" if n % 2 else "一般",
                    }
                    for n in range(start, min(rows, start + BATCH))
                ],
                change,
            )


def measure(db: Any, settings: Settings, fmt: str, encoding: str = "utf-8") -> dict[str, Any]:
    admin = Actor("admin", 1, True)
    now = datetime.now(UTC)
    with db.write() as conn:
        export_id = exports.create(conn, admin, "bench", "customer", fmt, encoding, [["sort", "-id"]], 0, now)
    wall, cpu = time.perf_counter(), time.process_time()
    row = exports.run(db, export_id, admin, now, settings)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    size = (settings.data_dir / "files" / row.file_id[:2] / row.file_id).stat().st_size
    return {
        "format": fmt + (" (GBK)" if encoding == "gbk" else ""),
        "rows": row.done,
        "wall_s": wall,
        "cpu_s": cpu,
        "rows_per_s": row.done / wall,
        "mb": size / 2**20,
    }


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    backend = sys.argv[2] if len(sys.argv) > 2 else "sqlite"
    db, _ = open_app(database_url(backend), APP, ["admin"])
    seed(db, rows)
    with TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url="unused://", embedded_worker=False)
        print("| database | format | rows | wall s | CPU s | rows/s | file MB |\n|---|---|---:|---:|---:|---:|---:|")
        for fmt, encoding in (("xlsx", "utf-8"), ("csv", "utf-8"), ("csv", "gbk")):
            r = measure(db, settings, fmt, encoding)
            print(
                f"| {backend} | {r['format']} | {r['rows']:,} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | "
                f"{r['rows_per_s']:,.0f} | {r['mb']:.1f} |"
            )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
