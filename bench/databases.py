"""A fresh database for a benchmark: a SQLite file of its own, or a PostgreSQL schema of its own, so benches
can run side by side on a shared machine."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

PG_URL = os.environ.get("TANGRAM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORK = Path(os.environ.get("TANGRAM_BENCH_DIR", "/tmp/tangram-bench"))


def fresh_url(backend: str, name: str, folder: Path | None = None, schema: str | None = None) -> str:
    """The URL of an empty database: `<folder>/<name>.db` (its old files removed) on SQLite; on PostgreSQL the
    schema `schema` (default `tangram_bench_<name>`), dropped and made anew."""
    if backend == "sqlite":
        folder = folder or WORK
        folder.mkdir(parents=True, exist_ok=True)
        for f in folder.glob(f"{name}.db*"):
            f.unlink()
        return f"sqlite:///{folder}/{name}.db"
    schema = schema or f"tangram_bench_{name}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return PG_URL + f"?options=-csearch_path%3D{schema}"
