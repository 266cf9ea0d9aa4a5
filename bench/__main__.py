"""`python -m bench [--dbs sqlite,postgresql] [--sizes 100000,1000000]`: run and print a table."""

from __future__ import annotations

import argparse
import os
import platform
from datetime import UTC, datetime
from typing import Any

from bench import (
    admin,
    app_openapi,
    db_upgrade,
    dedup,
    dedup_groups,
    expressions,
    flow_ui,
    flows,
    import_wizard,
    imports,
    metrics,
    permissions,
    records,
    report_builder,
    report_sub_tables,
    reports,
    scale,
    sheets,
    ui,
    writes,
)
from runtime import subscribers


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| database | records | bulk storage rec/s (validation + rest µs/rec) | record rows alone rec/s | bulk HTTP rec/s "
        "| single HTTP req/s (p95 ms) · bare stack "
        "| list HTTP p50/p95 ms first · deep | list alone p50 ms first · deep | raw SQL p50 ms first · deep "
        "| Tangram/raw first · deep |",
        "|---|---:|---:|---:|---:|---:|---|---|---|---|",
    ]
    for r in results:
        ls = r["lists"]
        ratio = [ls[f"tangram {p}"]["p50"] / ls[f"raw {p}"]["p50"] for p in ("first", "deep")]
        lines.append(
            f"| {r['database']} | {r['size']:,} | {r['bulk_storage_rps']:,.0f} "
            f"({r['bulk_parts']['validation_us']:.0f} + {r['bulk_parts']['rest_us']:.0f}) "
            f"| {1e6 / r['bulk_parts']['floor_us']:,.0f} ({r['bulk_parts']['floor_us'] / r['bulk_parts']['rest_us']:.0%}) "
            f"| {r['bulk_http_rps']:,.0f} "
            f"| {r['single_http']['rps']:,.0f} ({r['single_http']['p95']:.1f}) · {r['single_bare']['rps']:,.0f} "
            f"| {ls['http first']['p50']:.2f}/{ls['http first']['p95']:.2f} · "
            f"{ls['http deep']['p50']:.2f}/{ls['http deep']['p95']:.2f} "
            f"| {ls['tangram first']['p50']:.2f} · {ls['tangram deep']['p50']:.2f} "
            f"| {ls['raw first']['p50']:.2f} · {ls['raw deep']['p50']:.2f} "
            f"| {ratio[0]:.2f}× · {ratio[1]:.2f}× |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--only", choices=["records", "expressions", "permissions", "flows", "flow-ui", "reports", "ui",
                                           "imports", "sheets", "import", "dedup", "dedup-groups", "admin", "report-builder",
                                           "report-sub-tables", "metrics", "app-openapi", "db-upgrade", "scale",
                                           "writes"],
                        help="run one benchmark (imports, sheets: --sizes are rows; run only when asked)")
    parser.add_argument("--flow-size", type=int, default=200, help="flows: instances through the API")
    parser.add_argument("--seconds", type=float, default=30, help="scale: seconds of load per process count")
    parser.add_argument("--repeat", type=int, default=5, help="reports: runs per widget (the p50 of them)")
    parser.add_argument("--tasks", type=int, default=10_000, help="flow-ui: open tasks in the user's inbox")
    parser.add_argument("--browser", action="store_true",
                        help="flow-ui: also time Chromium drawing the 60-node flow (Playwright, /usr/bin/chromium)")
    parser.add_argument("--index-effect", action="store_true",
                        help="flow-ui: also time the inbox page without, then with, the task index of migration 0025")
    parser.add_argument("--mirror-only", action="store_true",
                        help="reports: time the widgets on a mirror filled with synthetic rows (no primary records)")
    args = parser.parse_args()
    subscribers.install()  # storage is driven directly: every write does what it does in the server
    if args.only == "app-openapi":  # an app's typed API document (issue 29)
        result = app_openapi.run(args.dbs.split(","))
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{app_openapi.table(result)}")
        return
    if args.only == "db-upgrade":  # `tangram db upgrade` 0020 → head on --sizes records: time, locks (issue 28)
        runs = []
        for size in args.sizes.split(","):
            for backend in args.dbs.split(","):
                runs.append(db_upgrade.run(backend, int(size)))
                print(db_upgrade.table(runs[-1:]), flush=True)
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{db_upgrade.table(runs)}")
        return
    if args.only == "scale":  # 1, 2, 4 `tangram serve` processes and a worker on PostgreSQL, 32 users (issue 28)
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n"
              f"{scale.table(scale.run(args.seconds))}")
        return
    if args.only == "metrics":  # what /metrics costs a request and a scrape (issue 28)
        result = metrics.run(args.dbs.split(","))
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{metrics.table(result)}")
        return
    if args.only == "writes":  # bulk creates and imports against their floor, history per update (issue 28)
        sizes = [20_000] if args.sizes == "100000,1000000" else [int(s) for s in args.sizes.split(",")]
        runs = [writes.run(b, s) for s in sizes for b in args.dbs.split(",")]
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{writes.table(runs)}")
        return
    if args.only == "imports":  # other users' creates while an import of each size runs
        runs = [imports.run(b, int(s), 2, 0.1, None) for s in args.sizes.split(",") for b in args.dbs.split(",")]
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{imports.table(runs)}")
        return
    if args.only == "import":  # the import wizard end to end (issue 26): upload to committed and searchable
        runs = []
        for size in args.sizes.split(","):
            for backend in args.dbs.split(","):
                print(f"… import wizard, {backend}, {int(size):,} rows", flush=True)
                runs.append(import_wizard.run(backend, int(size)))
                print(import_wizard.table(runs[-1:]), flush=True)
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{import_wizard.table(runs)}")
        return
    if args.only == "dedup":  # duplicate check and pinyin search (bench/dedup.py)
        runs = []
        for size in args.sizes.split(","):
            for backend in args.dbs.split(","):
                runs.append(dedup.run(backend, int(size)))
                print(dedup.table(runs[-1:]), flush=True)
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{dedup.table(runs)}")
        return
    if args.only == "dedup-groups":  # 查重 on stored groups: the scan job and the page (bench/dedup_groups.py)
        runs = []
        for size in args.sizes.split(","):
            for backend in args.dbs.split(","):
                runs.append(dedup_groups.run(backend, int(size)))
                print(dedup_groups.table(runs[-1:]), flush=True)
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{dedup_groups.table(runs)}")
        return
    if args.only == "report-sub-tables":  # sizes are 报价单 counts, 3 明细 rows each (bench/report_sub_tables.py)
        runs = [report_sub_tables.run(int(size)) for size in args.sizes.split(",")]
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{report_sub_tables.table(runs)}")
        return
    if args.only == "report-builder":  # sizes are 商机 and 合同 counts on the mirror (bench/report_builder.py)
        runs = []
        for size in args.sizes.split(","):
            runs.append(report_builder.run(int(size)))
            print(report_builder.table(runs[-1:]), flush=True)
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{report_builder.table(runs)}")
        return
    if args.only == "sheets":
        for size in args.sizes.split(","):
            sheets.print_table(int(size))
        return
    if args.only == "admin":  # --sizes: users,audit entries (default 10,000 users and 1,000,000 entries)
        users, entries = (10_000, 1_000_000) if args.sizes == "100000,1000000" else map(int, args.sizes.split(","))
        runs = []
        for backend in args.dbs.split(","):
            print(f"… admin console, {backend}", flush=True)
            runs.append(admin.run(backend, users, entries))
            print(admin.table_md(runs[-1:]), flush=True)
        print(f"\n{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{admin.table_md(runs)}")
        return
    if args.only == "ui":
        runs = [ui.run(b, int(s)) for s in args.sizes.split(",") for b in args.dbs.split(",")]
        print(f"{runs[0]['date']}, {platform.node()}, {os.cpu_count()} cores\n\n{ui.table(runs)}")
        return
    if args.only == "reports" and args.mirror_only:
        for size in args.sizes.split(","):
            print(reports.mirror_only_md(reports.mirror_only(int(size), args.repeat)), flush=True)
        return
    if args.only == "reports":  # sizes are 商机 and 合同 counts
        found = []
        for size in args.sizes.split(","):
            for backend in args.dbs.split(","):
                found.append(reports.run(backend, int(size), args.repeat))
                print(reports.table_md(found[-1:]), flush=True)  # each database as it ends: long runs may be cut
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{reports.table_md(found)}")
        return
    if args.only == "flows":
        flows.main(args.dbs.split(","), args.flow_size)
        return
    if args.only == "flow-ui":
        print(f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n"
              f"{flow_ui_table(args)}")
        return
    if args.only == "permissions":
        perms = []
        for size in [int(s) for s in args.sizes.split(",")]:
            for backend in args.dbs.split(","):
                print(f"… permissions, {backend}, {size:,} customers", flush=True)
                perms.append(permissions.run(backend, size))
                print(permissions.table_md(perms[-1:]), flush=True)
        print(f"\n{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores\n\n{permissions.table_md(perms)}")
        return
    if args.only != "records":
        exprs = [expressions.run(b, int(s)) for s in args.sizes.split(",")[:1] for b in args.dbs.split(",")]
        print(expressions.table_md(exprs), flush=True)
        if args.only == "expressions":
            return
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        for backend in args.dbs.split(","):
            print(f"… {backend}, {size:,} customers", flush=True)
            results.append(records.run(backend, size))
            print(table(results[-1:]), flush=True)
    header = (f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}")
    print(f"\n{header}\n\n{table(results)}\n\nList query: {results[0]['filter']}, limit 50.", flush=True)
    print(f"\nFlows in the UI (designer, inbox, submit → first task):\n\n{flow_ui_table(args)}")


def flow_ui_table(args: argparse.Namespace) -> str:
    """The designer, inbox and submit benchmark on each database (bench/flow_ui.py)."""
    runs = []
    for backend in args.dbs.split(","):
        print(f"… flows in the UI, {backend}, {args.tasks:,} open tasks", flush=True)
        runs.append(flow_ui.run(backend, args.tasks, browser=args.browser, index_effect=args.index_effect))
    return flow_ui.table(runs)


if __name__ == "__main__":
    main()
