"""Fast inserts of many rows: COPY on PostgreSQL (an INSERT for a few), multi-row INSERTs on SQLite.

SQLAlchemy's per-row parameter processing costs more than the insert itself at thousands of rows;
here each column's bind processor is looked up once and applied in a tight loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.exc import IntegrityError

from runtime.db import deferred, driver
from runtime.db.types import RecordJSON, dumps, uses_sqlite_jsonb

COPY_FROM = 50
"""Rows from which COPY beats an INSERT on PostgreSQL: a COPY costs a few round trips and its setup,
which a single record's create (records, history, search document, audit) paid four times."""

SQLITE_ROWS_PER_INSERT = 200
"""Rows per INSERT statement into the records table on SQLite. Each run of an INSERT opens a cursor
on every index of its table, partial ones included, and records has indexes for every form: row by
row (executemany) a bulk create kept reopening the other forms' indexes. One statement of 200 rows
opens them once (records rows 66–85 → 60–69 µs each at 100k customers, docs/benchmarks-history.md).
History and the FTS5 search table measured slower so, and stay row by row."""
MULTI_ROW_TABLES = frozenset({"records"})
DEFERRED_TABLES = frozenset({"record_history", "record_search", "audit_log"})
"""Tables whose one-row inserts PostgreSQL receives with the connection's next statement
(runtime/db/deferred.py): what a write adds after its record."""


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
                json_texts: dict[int, str] | None = None) -> None:
    """Insert `rows` (all with the same keys) into `table` inside the caller's transaction.
    `json_texts` (id of a JSON value → its text) lets two inserts of the same values serialise them
    once: a new record's data goes into records and into its first history row."""
    if not rows:
        return
    names, params, marks = _driver_rows(conn, table, rows, json_texts)
    write_rows(conn, table.name, names, params, marks)


def insert_row_returning(conn: Connection, table: Table, row: dict[str, Any], column: str,
                         json_texts: dict[int, str] | None = None) -> Any:
    """Insert one row and return the value its `column` took (a generated id): on PostgreSQL a round
    trip less than asking the sequence first."""
    names, [params], marks = _driver_rows(conn, table, [row], json_texts)
    insert, marks = _insert_sql(table.name, names, marks)
    [(value,)] = driver.rows(conn, f"{insert}{marks} RETURNING {column}", params)
    return value


def _driver_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], json_texts: dict[int, str] | None,
                 ) -> tuple[tuple[str, ...], list[tuple[Any, ...]], str]:
    """The column names, each row's values converted for the driver, and one row's placeholders."""
    names = tuple(rows[0])
    as_json = _json_text({} if json_texts is None else json_texts)
    marks, kinds = _plan(table, names, conn.dialect)
    many = len(rows) > 1
    convert = [as_json if k is _JSON else (_memoized(k) if many else k) for k in kinds]
    return names, [tuple(c(row[n]) if c else row[n] for n, c in zip(names, convert, strict=True)) for row in rows], marks


def write_rows(conn: Connection, table: str, names: Sequence[str], params: Sequence[Sequence[Any]],
               marks: str | None = None) -> None:
    """Rows of values ready for the driver into `table`: by COPY on PostgreSQL from COPY_FROM rows,
    else by INSERTs. `marks` is one row's placeholders, `(?, ?)` by default (`(?, jsonb(?))` where a
    value needs converting in SQL); into MULTI_ROW_TABLES on SQLite a statement takes many rows."""
    insert, marks = _insert_sql(table, tuple(names), marks)
    if conn.dialect.name == "sqlite" and table in MULTI_ROW_TABLES:
        for start in range(0, len(params), SQLITE_ROWS_PER_INSERT):
            part = params[start:start + SQLITE_ROWS_PER_INSERT]
            driver.executemany(conn, insert + ", ".join([marks] * len(part)), [[v for row in part for v in row]])
        return
    if conn.dialect.name == "postgresql" and len(params) == 1 and table in DEFERRED_TABLES:
        deferred.defer(conn, driver.sql_for(conn, insert + marks), params[0])
        return
    if conn.dialect.name == "sqlite" or len(params) < COPY_FROM:
        driver.executemany(conn, insert + marks, params)
        return
    import psycopg

    deferred.send(conn)
    raw = conn.connection.driver_connection
    try:
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in params:
                copy.write_row(row)
    except psycopg.errors.IntegrityError as e:
        raise IntegrityError(f"COPY {table}", None, e) from e


_JSON = object()  # a column of RecordJSON: its value goes in as JSON text


@lru_cache(maxsize=256)
def _insert_sql(table: str, names: tuple[str, ...], marks: str | None) -> tuple[str, str]:
    """`INSERT INTO table (names) VALUES ` and one row's placeholders, spelled once per column set."""
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ", marks or f"({', '.join('?' for _ in names)})"


@lru_cache(maxsize=256)
def _plan(table: Table, names: tuple[str, ...], dialect: Dialect) -> tuple[str, list[Any]]:
    """One row's placeholders for these columns and how each value is converted: worked out once per
    table and column set, not on every call (a single record's create makes four of these inserts)."""
    columns = [table.c[n] for n in names]
    if dialect.name == "postgresql":  # psycopg adapts the values itself (for COPY too)
        kinds = [_JSON if isinstance(c.type, RecordJSON) else None for c in columns]
        marks = ", ".join("?" for _ in columns)
    else:
        kinds = [_JSON if isinstance(c.type, RecordJSON) else c.type._cached_bind_processor(dialect) for c in columns]
        jsonb = uses_sqlite_jsonb(dialect)
        marks = ", ".join("jsonb(?)" if jsonb and k is _JSON else "?" for k in kinds)
    return f"({marks})", kinds


def shared_per_keys(make: Callable[[list[str]], Any]) -> Callable[[dict[str, Any]], Any]:
    """`make(sorted(data))` as one object per distinct set of keys: the rows of a batch mostly share
    their keys, and insert_rows serialises a shared JSON value once (history's changed fields,
    the audit detail). The objects are shared: never change them."""
    made: dict[tuple[str, ...], Any] = {}

    def of(data: dict[str, Any]) -> Any:
        keys = tuple(data)
        if keys not in made:
            made[keys] = make(sorted(keys))
        return made[keys]

    return of


def _memoized(process: Any) -> Any:
    """A batch shares its timestamps: convert each distinct scalar once (JSON values are not hashable)."""
    if process is None:
        return None
    done: dict[Any, Any] = {}

    def run(value: Any) -> Any:
        if value is None or isinstance(value, dict | list):
            return process(value)
        if value not in done:
            done[value] = process(value)
        return done[value]

    return run


def _json_text(texts: dict[int, str]) -> Any:
    def text(value: Any) -> str | None:
        if value is None:
            return None
        found = texts.get(id(value))
        if found is None:
            found = texts[id(value)] = dumps(value)
        return found

    return text
