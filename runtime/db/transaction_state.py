"""A value a connection keeps for the length of one transaction, in `conn.info`.

`conn.info` belongs to the pooled DBAPI connection and outlives the transaction, so what one
transaction leaves there must end with it: handed to `on_commit` just before the commit, dropped on a
rollback or when the pool resets the connection it was given back (whatever ended the transaction).
The reference checks' newly seen usernames and PostgreSQL's deferred inserts keep theirs here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event


def follow(engine: Engine, key: str, on_commit: Callable[[Connection, Any], None]) -> None:
    """Give `conn.info[key]` to `on_commit(conn, value)` before each commit; drop it otherwise."""

    def committed(conn: Connection) -> None:
        value = conn.info.pop(key, None)
        if value:
            on_commit(conn, value)

    def rolled_back(conn: Connection) -> None:
        conn.info.pop(key, None)

    def reset(_dbapi_conn: Any, record: Any, _state: Any) -> None:
        if record is not None:
            record.info.pop(key, None)

    event.listen(engine, "commit", committed)
    event.listen(engine, "rollback", rolled_back)
    event.listen(engine, "reset", reset)
