"""The analytics mirror's sync of many new records, in process: its peak memory and time by part size and
DuckDB memory limit (issue 26: the sync that follows an import of 100,000 rows took the server over 500 MiB).

`python -m bench.mirror_sync [--backend sqlite|postgresql] [--rows 100000] [--parts 100000,10000]
[--limits ,256MB,128MB]`

A fresh database with the CRM template, the mirror's first sync (empty tables), then `rows` demo customers
made by `records.create_many` in batches of 5,000; then, for each part size and memory limit, a copy of that
mirror synced once in a child process of its own (a fresh heap for each): the child's resident memory before
the sync, its peak during it (VmHWM, reset from the current RSS through /proc/self/clear_refs just before),
what it keeps after, and the sync's wall and CPU seconds."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.databases import fresh_url
from bench.records import OWNERS, WORK, prepare

BATCH = 5000


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(url: str, path: str, part: int, limit: str) -> dict[str, Any]:
    """One sync of the mirror at `path` in this process: its memory and time."""
    import gc

    from runtime.analytics import sync as syncing
    from runtime.analytics.mirror import Mirror
    from runtime.db.db import open_database

    syncing.PART = part
    db = open_database(url)
    mirror = Mirror(Path(path), limit)
    with mirror.read() as conn:  # DuckDB and the pool opened, as in a running server
        conn.exec_driver_sql("SELECT 1")
    with db.read() as conn:
        conn.exec_driver_sql("SELECT 1")
    gc.collect()
    start = _status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    cpu, wall = time.process_time(), time.perf_counter()
    result = syncing.sync(db, mirror, datetime.now(UTC))
    seconds, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = _status("VmHWM")
    gc.collect()
    return {"part": part, "limit": limit or "DuckDB's default", "start_mib": start, "peak_mib": peak,
            "after_mib": _status("VmRSS"), "seconds": seconds, "cpu_s": cpu, "changed": result.changed,
            "watermark": result.watermark}


def run(backend: str, rows: int, parts: list[int], limits: list[str]) -> list[dict[str, Any]]:
    from runtime.analytics.mirror import Mirror
    from runtime.analytics.sync import sync
    from runtime.apps import definitions
    from runtime.demo.generate import generate
    from runtime.records import records
    from runtime.records.context import Actor, Change

    url = fresh_url(backend, "mirror_sync", schema=os.environ.get("TANGRAM_BENCH_SCHEMA", "tangram_bench") + "_sync")
    db = prepare(url)
    base = WORK / "mirror_sync-base.duckdb"
    for f in WORK.glob("mirror_sync-*.duckdb*"):
        f.unlink()
    mirror = Mirror(base)
    sync(db, mirror, datetime.now(UTC))
    mirror.close()
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
    items = list(generate(ref.app, "customer", rows, seed=11, owners=OWNERS, start=70_000_000))
    for start in range(0, rows, BATCH):
        with db.write() as conn:
            records.create_many(conn, ref, items[start:start + BATCH], Change(Actor("admin")))
    del items
    db.engine.dispose()
    out = []
    for part in parts:
        for limit in limits:
            copy = WORK / f"mirror_sync-{part}-{limit or 'default'}.duckdb"
            shutil.copyfile(base, copy)
            done = subprocess.run([sys.executable, "-m", "bench.mirror_sync", "--child", url, str(copy), str(part),
                                   limit], check=True, capture_output=True, text=True)
            out.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(table(out[-1:]), flush=True)
            for f in WORK.glob(f"{copy.name}*"):
                f.unlink()
    return out


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| part | DuckDB memory limit | changed | RSS before MiB | peak MiB (above before) | after MiB | s | CPU s |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['part']:,} | {r['limit']} | {r['changed']:,} | {r['start_mib']:.0f} "
                     f"| {r['peak_mib']:.0f} (+{r['peak_mib'] - r['start_mib']:.0f}) | {r['after_mib']:.0f} "
                     f"| {r['seconds']:.1f} | {r['cpu_s']:.1f} |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, path, part, limit = sys.argv[2:6]
        print(json.dumps(child(url, path, int(part), limit)))
        return
    parser = argparse.ArgumentParser(prog="python -m bench.mirror_sync")
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--parts", default="100000,10000")
    parser.add_argument("--limits", default=",256MB,128MB", help="DuckDB memory limits ('' is DuckDB's default)")
    args = parser.parse_args()
    results = run(args.backend, args.rows, [int(p) for p in args.parts.split(",")], args.limits.split(","))
    print(f"\n{datetime.now(UTC):%Y-%m-%d %H:%M}, {args.backend}, {args.rows:,} new customers\n\n{table(results)}")


if __name__ == "__main__":
    main()
