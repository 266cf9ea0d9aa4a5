"""List speed per bracket filter operator, two code trees against one database, interleaved.

    python bench/list_filters.py seed postgresql 100000           # the CRM's customers, once
    python bench/list_filters.py compare postgresql /tree/a /tree/b --rounds 5

`compare` runs `time` in a fresh process with each tree first on PYTHONPATH, alternately, round
after round, so both see the same machine; it prints each case's median per tree and their ratio.
Each case is one first page (limit 50, sorted by -annual_revenue) of `filter[f][op]=v` through
runtime.records.listing, the query only (no HTTP), its median over `--repeat` runs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CASES = [  # (name, field, operator, value)
    ("eq select", "level", "eq", "A"),
    ("ne select", "level", "ne", "A"),
    ("in select", "region", "in", "华东,华北"),
    ("lt money", "annual_revenue", "lt", "1000000"),
    ("gte date", "next_followup_on", "gte", "2026-06-01"),
    ("blank date", "next_followup_on", "blank", ""),
    ("not_blank url", "website", "not_blank", ""),
    ("contains text", "name", "contains", "科技"),
    ("has multi_select", "tags", "has", "VIP"),
    ("eq owner", "owner", "eq", "sales01"),
]
WORK = Path(os.environ.get("TANGRAM_BENCH_DIR", "/tmp/tangram-filters-bench"))
PG_URL = os.environ.get("TANGRAM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "tangram_filters_bench"


def url(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{WORK}/bench.db"
    return PG_URL + f"?options=-csearch_path%3D{SCHEMA}"


def seed(backend: str, size: int) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from runtime.accounts.users import create_user
    from runtime.apps import definitions
    from runtime.cli import CRM_TEMPLATE
    from runtime.db import schema
    from runtime.db.db import open_database
    from runtime.demo.generate import generate
    from runtime.records import records
    from runtime.records.context import Actor, Change

    if backend == "sqlite":
        WORK.mkdir(parents=True, exist_ok=True)
        for f in WORK.glob("bench.db*"):
            f.unlink()
    else:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        admin.dispose()
    db = open_database(url(backend))
    schema.upgrade(db)
    owners = [f"sales{i:02d}" for i in range(20)]
    with db.write() as conn:
        definitions.import_app(conn, json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")), Change(Actor(None)))
        now = datetime.now(UTC)
        create_user(conn, "admin", "bench-password", now, is_admin=True)
        for name in owners:
            create_user(conn, name, "bench-password", now)
        ref = definitions.form_ref(conn, "crm", "customer")
    items = list(generate(ref.app, "customer", size, seed=1, owners=owners))
    for start in range(0, size, 5000):
        with db.write() as conn:
            records.create_many(conn, ref, items[start:start + 5000], Change(Actor("admin")))
    if backend == "postgresql":
        with db.write() as conn:
            conn.exec_driver_sql("ANALYZE")
    db.engine.dispose()


def time_cases(backend: str, repeat: int) -> dict[str, float]:
    """Each case's median milliseconds, with the code on this process's PYTHONPATH."""
    from engine.forms.fields.base import ValueContext
    from runtime.apps import definitions
    from runtime.db.db import open_database
    from runtime.records import listing

    db = open_database(url(backend))
    out: dict[str, float] = {}
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
        for name, key, op, value in CASES:
            query = listing.ListQuery([listing.Condition(key, op, value)], [listing.SortKey("annual_revenue", True)], 50)
            listing.list_records(conn, ref, query, ValueContext())  # warm: plans, caches
            runs = []
            for _ in range(repeat):
                start = time.perf_counter()
                listing.list_records(conn, ref, query, ValueContext())
                runs.append((time.perf_counter() - start) * 1000)
            out[name] = statistics.median(runs)
    db.engine.dispose()
    return out


def compare(backend: str, trees: list[str], rounds: int, repeat: int) -> None:
    seen: dict[str, dict[str, list[float]]] = {t: {} for t in trees}
    for _ in range(rounds):
        for tree in trees:
            env = {**os.environ, "PYTHONPATH": tree}
            done = subprocess.run([sys.executable, __file__, "time", backend, "--repeat", str(repeat)], env=env,
                                  cwd=tree, check=True, capture_output=True, text=True)
            for name, ms in json.loads(done.stdout.splitlines()[-1]).items():
                seen[tree].setdefault(name, []).append(ms)
    a, b = trees
    print(f"{backend}: median ms of {rounds} rounds × median of {repeat} runs; ratio = {Path(b).name} / {Path(a).name}")
    print(f"| case | {Path(a).name} ms | {Path(b).name} ms | ratio |\n|---|---:|---:|---:|")
    for name, *_ in CASES:
        ma, mb = statistics.median(seen[a][name]), statistics.median(seen[b][name])
        print(f"| {name} | {ma:.2f} | {mb:.2f} | {mb / ma:.2f} |")


def main(argv: list[str]) -> None:
    command, backend = argv[0], argv[1]
    options: dict[str, Any] = {"--rounds": 5, "--repeat": 30}
    rest = [a for a in argv[2:]]
    for flag in options:
        if flag in rest:
            i = rest.index(flag)
            options[flag] = int(rest[i + 1])
            del rest[i:i + 2]
    if command == "seed":
        seed(backend, int(rest[0]))
    elif command == "time":
        print(json.dumps(time_cases(backend, options["--repeat"])))
    else:
        compare(backend, rest, options["--rounds"], options["--repeat"])


if __name__ == "__main__":
    main(sys.argv[1:])
