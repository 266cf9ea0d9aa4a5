"""Fast inserts of many rows: COPY on PostgreSQL (an INSERT for a few), one raw executemany on SQLite.

SQLAlchemy's per-row parameter processing costs more than the insert itself at thousands of rows;
here each column's bind processor is looked up once and applied in a tight loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import IntegrityError

from runtime.storage.driver import executemany
from runtime.storage.types import RecordJSON, dumps, uses_sqlite_jsonb

COPY_FROM = 50
"""Rows from which COPY beats an INSERT on PostgreSQL: a COPY costs a few round trips and its setup,
which a single record's create (records, history, search document, audit) paid four times."""


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
                json_texts: dict[int, str] | None = None) -> None:
    """Insert `rows` (all with the same keys) into `table` inside the caller's transaction.
    `json_texts` (id of a JSON value → its text) lets two inserts of the same values serialise them
    once: a new record's data goes into records and into its first history row."""
    if not rows:
        return
    names = list(rows[0])
    columns = [table.c[n] for n in names]
    as_json = _json_text({} if json_texts is None else json_texts)
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        _copy(conn, table.name, names, columns, rows, as_json)
        return
    if conn.dialect.name == "postgresql":
        params = [tuple(as_json(row[n]) if isinstance(c.type, RecordJSON) else row[n]
                        for n, c in zip(names, columns, strict=True)) for row in rows]
        marks = ", ".join(["?"] * len(names))
        executemany(conn, f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", params)
        return
    processors = [as_json if isinstance(c.type, RecordJSON) else _memoized(c.type._cached_bind_processor(conn.dialect))
                  for c in columns]
    jsonb = uses_sqlite_jsonb(conn.dialect)
    marks = ", ".join("jsonb(?)" if jsonb and isinstance(c.type, RecordJSON) else "?" for c in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"
    params = [tuple(p(row[n]) if p else row[n] for n, p in zip(names, processors, strict=True)) for row in rows]
    executemany(conn, sql, params)


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


def _copy(conn: Connection, table: str, names: list[str], columns: list[Any], rows: Sequence[dict[str, Any]],
          as_json: Any) -> None:
    import psycopg

    is_json = [isinstance(c.type, RecordJSON) for c in columns]
    raw = conn.connection.driver_connection
    try:
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([as_json(row[n]) if j else row[n]
                                for n, j in zip(names, is_json, strict=True)])
    except psycopg.errors.IntegrityError as e:
        raise IntegrityError(f"COPY {table}", None, e) from e
