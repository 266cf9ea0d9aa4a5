"""The databases the suite runs on, each test in a fresh database of its own."""

from __future__ import annotations

import atexit
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
    reused = create and bool(_EMPTIED)
    schema = _EMPTIED.pop() if reused else f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    if not reused:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    db = open_database(PG_URL, connect_args={"options": f"-csearch_path={schema}"}, **options)
    try:
        if create and not reused:
            stamp_head(db)
            _PRISTINE.setdefault("catalog", _catalog(db, schema))
        yield db
    finally:
        emptied = create and _emptied(db, schema)
        db.engine.dispose()
        if emptied:
            _EMPTIED.append(schema)
        else:
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


# A PostgreSQL schema with the metadata's 39 tables and their indexes takes 0.3–0.5 s to make and 0.1 s to drop,
# for each of ~1,700 tests; emptying one takes ~30 ms. So a test's schema, once it is back to the tables a
# fresh one has (the indexes an app's forms added dropped, no table or column added), is emptied and given to
# this process's next test; the schemas left at the end are dropped when the process exits.
_EMPTIED: list[str] = []
_PRISTINE: dict[str, tuple[frozenset[str], str]] = {}


def _catalog(db: Database, name: str) -> tuple[frozenset[str], str]:
    """The schema's index names, and a digest of its other relations with their columns."""
    with db.engine.connect() as conn:
        indexes = frozenset(conn.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = :s"),
                                         {"s": name}).scalars())
        digest = conn.execute(text(
            "SELECT md5(string_agg(c.relname::text || '.' || c.relkind::text || '.' || coalesce(a.attname::text, '') || '.' "
            "|| coalesce(a.atttypid::text, ''), ',' ORDER BY c.relname, a.attnum)) FROM pg_class c "
            "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE c.relnamespace = CAST(:s AS regnamespace) AND c.relkind <> 'i'"), {"s": name}).scalar_one()
    return indexes, digest


def _emptied(db: Database, name: str) -> bool:
    """Empty the schema as a fresh one is (no rows, sequences restarted, the head revision stamped), when its
    tables are those of a fresh one once the indexes added since are dropped; False (drop it) otherwise, or
    when a lock left by the test stands in the way."""
    pristine = _PRISTINE.get("catalog")
    if pristine is None:
        return False
    try:
        indexes, _ = _catalog(db, name)
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '2s'"))
            for index in indexes - pristine[0]:
                conn.execute(text(f'DROP INDEX "{index}"'))
        if _catalog(db, name) != pristine:
            return False
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '2s'"))
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # no foreign keys checked: any order
            tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": name}).scalars().all()
            sequences = conn.execute(text("SELECT relname FROM pg_class WHERE relkind = 'S' "
                                          "AND relnamespace = CAST(:s AS regnamespace)"), {"s": name}).scalars().all()
            conn.exec_driver_sql("; ".join([f'DELETE FROM "{t}"' for t in tables]
                                           + [f'ALTER SEQUENCE "{q}" RESTART' for q in sequences]))
            conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": schema.expected_revision()})
        return True
    except Exception:  # noqa: BLE001 — any failure to empty it: a fresh schema is the safe answer
        return False


@atexit.register  # also after a script, or a run that ends without pytest's hook
def drop_emptied_schemas() -> None:
    """Drop this process's emptied schemas (at the end of a test session)."""
    if not _EMPTIED:
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        for emptied in _EMPTIED:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {emptied} CASCADE"))
    admin.dispose()
    _EMPTIED.clear()


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
