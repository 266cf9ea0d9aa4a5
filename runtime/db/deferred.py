"""PostgreSQL: the one-row inserts that follow a record's own (its history row, search document and
audit entry) go to the server together, as one statement, when the connection next runs anything.

Every statement costs psycopg's execution path and a round trip to the server: about 20 µs of the
server process's CPU and 60 µs of waiting. A single create made three such inserts after its record.
Queued here, they go as one statement of data-modifying CTEs, `WITH d0 AS (INSERT …), d1 AS (INSERT …)
INSERT …`, sent before the next statement of the connection (SQLAlchemy's, driver's, a COPY) and
with the commit, in the same round trip. Every statement therefore sees them as if they had been
inserted one by one, and a rollback drops the ones never sent. The inserted tables have no unique
index a user's value can clash with, so an error from them is a bug wherever it surfaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError

from runtime.db import transaction_state

_QUEUE = "tangram_deferred_inserts"  # for the length of a transaction (storage.transaction_state)


def defer(conn: Connection, sql: str, params: Sequence[Any]) -> None:
    """Queue a one-row INSERT (with %s placeholders, no RETURNING) to be sent with the next statement."""
    conn.info.setdefault(_QUEUE, []).append((sql, params))


def send(conn: Connection) -> None:
    """Send what is queued on this connection now (a no-op when nothing is)."""
    queued = conn.info.pop(_QUEUE, None)
    if queued:
        _send(conn, queued)


def _send(conn: Connection, queued: list[tuple[str, Sequence[Any]]], *, commit: bool = False) -> None:
    import psycopg

    *first, last = queued
    sql = "".join(f"{'WITH' if i == 0 else ','} d{i} AS ({s}) " for i, (s, _) in enumerate(first)) + last[0]
    values = [v for _, params in queued for v in params]
    dbapi_conn = conn.connection.dbapi_connection
    try:
        if not commit:
            with dbapi_conn.cursor() as cursor:  # type: ignore[union-attr]
                cursor.execute(sql, values)
            return
        # The statement and the COMMIT in one round trip: psycopg's pipeline sends both, and one Sync,
        # before it waits; the statement stays a prepared one. (Connection.commit() in the pipeline
        # syncs once more; one simple query of both, bound on the client, cost the server a parse and
        # plan each time: 0.11 ms a transaction, pgbench.) Should the statement fail, the server skips
        # the COMMIT, and SQLAlchemy's commit, whose event this is, fails with the error; once
        # committed here, its own commit finds nothing to do.
        with dbapi_conn.pipeline(), dbapi_conn.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(sql, values)
            cursor.execute("COMMIT")
    except psycopg.Error as e:  # as SQLAlchemy's, like the statement it went before (a lost connection: 503)
        raise DBAPIError.instance(sql, values, e, psycopg.Error) from e


def install(engine: Engine) -> None:
    """Send the queue before every SQLAlchemy statement, and with the commit; drop it on rollback."""
    event.listen(engine, "before_cursor_execute", _before_statement)
    transaction_state.follow(engine, _QUEUE, partial(_send, commit=True))


def _before_statement(conn: Connection, _cursor: Any, *_args: Any) -> None:
    send(conn)


__all__ = ["defer", "send", "install"]
