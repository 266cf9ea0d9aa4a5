"""PostgreSQL: the one-row inserts that follow a record's own (its history row, search document and
audit entry) go to the server together, as one statement, when the connection next runs anything.

Every statement costs psycopg's execution path and a round trip to the server: about 20 µs of the
server process's CPU and 60 µs of waiting. A single create made three such inserts after its record.
Queued here, they go as one statement of data-modifying CTEs, `WITH d0 AS (INSERT …), d1 AS (INSERT …)
INSERT …`, sent before the next statement of the connection (SQLAlchemy's, driver's, a COPY) and
before the commit. Every statement therefore sees them as if they had been inserted one by one, and
a rollback drops the ones never sent. The inserted tables have no unique index a user's value can
clash with, so an error from them is a bug wherever it surfaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError

_QUEUE = "tangram_deferred_inserts"  # in conn.info: it lives as long as the pooled DBAPI connection


def defer(conn: Connection, sql: str, params: Sequence[Any]) -> None:
    """Queue a one-row INSERT (with %s placeholders, no RETURNING) to be sent with the next statement."""
    conn.info.setdefault(_QUEUE, []).append((sql, params))


def send(conn: Connection) -> None:
    """Send what is queued on this connection now (a no-op when nothing is)."""
    info = conn.info
    if _QUEUE in info:
        _send(conn.connection.dbapi_connection, info)


def _send(dbapi_conn: Any, info: dict[str, Any]) -> None:
    queued = info.pop(_QUEUE, None)
    if not queued:
        return
    *first, last = queued
    sql = "".join(f"{'WITH' if i == 0 else ','} d{i} AS ({s}) " for i, (s, _) in enumerate(first)) + last[0]
    import psycopg

    values = [v for _, params in queued for v in params]
    try:
        with dbapi_conn.cursor() as cursor:
            cursor.execute(sql, values)
    except psycopg.Error as e:  # as SQLAlchemy's, like the statement it went before (a lost connection: 503)
        raise DBAPIError.instance(sql, values, e, psycopg.Error) from e


def install(engine: Engine) -> None:
    """Send the queue before every SQLAlchemy statement and before the commit; drop it on rollback."""
    event.listen(engine, "before_cursor_execute", _before_statement)
    event.listen(engine, "commit", send)
    event.listen(engine, "rollback", _drop)
    event.listen(engine, "reset", _reset)


def _before_statement(conn: Connection, cursor: Any, *_args: Any) -> None:
    if _QUEUE in conn.info:
        _send(cursor.connection, conn.info)


def _drop(conn: Connection) -> None:
    conn.info.pop(_QUEUE, None)


def _reset(_dbapi_conn: Any, record: Any, _state: Any) -> None:
    """The pool resets a connection given back (a rollback): nothing queued may outlive it."""
    if record is not None:
        record.info.pop(_QUEUE, None)


__all__ = ["defer", "send", "install"]
