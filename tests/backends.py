"""The databases the suite runs on, each test in a fresh database of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from runtime.db import schema
from runtime.db.db import Database, open_database
from runtime.db.tables import metadata

PG_URL = os.environ.get("TANGRAM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ALL = ("sqlite", "sqlite-text", "postgresql")


# TEXT JSON (a SQLite without JSONB) changes only how record data is written and read in SQL
# (runtime/db/types.py). The suites whose subject is something else — pages, flows, accounts, settings,
# processes — run on SQLite JSONB and PostgreSQL only; every other database test runs on all three.
NOT_ON_TEXT_JSON = ("tests/builder_ui/", "tests/runtime/flows/", "tests/runtime/accounts/", "tests/runtime/security/",
                    "tests/runtime/apps/", "tests/runtime/settings/", "tests/runtime/ops/", "tests/runtime/metrics/",
                    "tests/runtime/jobs/",
                    # the API fuzzers (schemathesis, 2 minutes a database): TEXT JSON's reads and writes are the
                    # records suites' subject, which run on all three
                    "tests/runtime/api/test_api_fuzz.py", "tests/runtime/api/test_app_openapi_fuzz.py")


def for_test(names: list[str], path: str) -> list[str]:
    """The databases a test file at `path` (relative to the project) runs on, of those chosen."""
    if path.startswith(NOT_ON_TEXT_JSON):
        return [n for n in names if n != "sqlite-text"]
    return names


def selected(option: str) -> list[str]:
    names = [n.strip() for n in option.split(",") if n.strip()]
    unknown = set(names) - set(ALL)
    if unknown:
        raise pytest.UsageError(f"unknown --db {', '.join(sorted(unknown))}; choose from {', '.join(ALL)}")
    return names


_pg_checked: dict[str, str | None] = {}


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    if "result" not in _pg_checked:
        engine = create_engine(PG_URL, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            _pg_checked["result"] = None
        except Exception as e:  # any reason at all: the message is shown with the skip
            _pg_checked["result"] = f"PostgreSQL at {PG_URL} is not reachable: {type(e).__name__}: {e}"
        finally:
            engine.dispose()
    return _pg_checked["result"]


def require_postgres() -> None:
    """Skip (fail under CI) with the reason when PostgreSQL cannot be used."""
    problem = postgres_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)


def stamp_head(db: Database) -> None:
    """The tables of the metadata (faster than running every migration), marked as at the head revision as
    alembic would mark them: /health and `tangram serve` check the revision."""
    metadata.create_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": schema.expected_revision()})


def url_of(db: Database) -> str:
    """A URL another process (a `tangram` command under test) opens this test database by, schema included."""
    if db.engine.dialect.name == "sqlite":
        return db.engine.url.render_as_string(hide_password=False)
    with db.read() as conn:
        schema = conn.exec_driver_sql("SHOW search_path").scalar()
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@contextmanager
def fresh_database(backend: str, tmp_path: object, *, create: bool = True, **options: Any) -> Iterator[Database]:
    """A new empty database: a SQLite file, or a PostgreSQL schema dropped afterwards. `options` go
    to open_database (lock_wait=…)."""
    if backend.startswith("sqlite"):
        mode = "text" if backend == "sqlite-text" else "jsonb"
        db = open_database(f"sqlite:///{tmp_path}/tangram.db", sqlite_json=mode, **options)
        if create:
            stamp_head(db)
        try:
            yield db
        finally:
            db.engine.dispose()
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    db = open_database(PG_URL, connect_args={"options": f"-csearch_path={schema}"}, **options)
    try:
        if create:
            stamp_head(db)
        yield db
    finally:
        db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def schema_url() -> Iterator[str]:
    """The URL of a new empty PostgreSQL schema, dropped afterwards: its search_path is in the URL, so other
    processes (a `tangram serve` under test) use it too."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
