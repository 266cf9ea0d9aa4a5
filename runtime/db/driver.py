"""Statements run straight on the DBAPI cursor, in the SQLAlchemy connection's transaction.

Only for the few statements every record write runs: SQLAlchemy's execution context (compiled-cache
lookup, parameter processing, result wrapping) costs more than a one-row insert or a key lookup.
SQL is written with `?` placeholders and no literal `?` or `%`; PostgreSQL gets `%s`. Errors come
out as SQLAlchemy's, as from any other statement: a unique violation as IntegrityError, a lost
connection as OperationalError (which the API answers with 503)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from runtime.db import deferred


def sql_for(conn: Connection, sql: str) -> str:
    return sql.replace("?", "%s") if conn.dialect.name == "postgresql" else sql


def rows(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows of one statement (RETURNING included)."""
    deferred.send(conn)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql_for(conn, sql), params)
        return cursor.fetchall() if cursor.description else []
    except conn.dialect.loaded_dbapi.Error as e:
        raise DBAPIError.instance(sql, params, e, conn.dialect.loaded_dbapi.Error) from e
    finally:
        cursor.close()


def executemany(conn: Connection, sql: str, params: Sequence[Sequence[Any]]) -> None:
    """`sql` once per row of `params`. One row is a plain execute: psycopg runs every executemany in
    pipeline mode, whose setup cost a single create's four inserts a tenth of its time."""
    deferred.send(conn)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if len(params) == 1:
            cursor.execute(sql_for(conn, sql), params[0])
        else:
            cursor.executemany(sql_for(conn, sql), params)
    except conn.dialect.loaded_dbapi.Error as e:
        raise DBAPIError.instance(sql, None, e, conn.dialect.loaded_dbapi.Error) from e
    finally:
        cursor.close()
