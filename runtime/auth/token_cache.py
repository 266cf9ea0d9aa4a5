"""Tokens checked a moment ago, so that a client sending many requests costs one lookup, not one each.

Checking a bearer token or session cookie took its own read transaction and a hop to a worker thread:
about a fifth of a single create over HTTP on SQLite (bench/records.py). An entry is trusted for
SECONDS at most, and the token's expiry is checked on every request. Any SQLAlchemy statement of this
process that writes users, tokens or department memberships empties the cache (the raw-driver
statements of runtime/storage/driver.py are for record writes only), on the statement and again when
its connection goes back to the pool, after the commit; a lookup that read before then is not kept.
So a logout, a revoked token, a deactivated user or a new primary department take effect
from the next request. A change made by another process (a second worker, the CLI) takes effect
within SECONDS.
"""

from __future__ import annotations

import hashlib
from time import monotonic
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.sql.dml import UpdateBase

SECONDS = 1.0
MAX_ENTRIES = 10_000
WATCHED = frozenset({"users", "tokens", "department_members"})
"""The tables user_for_token reads: a write to any of them may change who a token stands for."""


class TokenCache:
    """token → the user_for_token row, with when it was read."""

    def __init__(self, seconds: float = SECONDS) -> None:
        self.seconds = seconds
        self._entries: dict[bytes, tuple[Any, float]] = {}
        self.generation = 0  # counts clears: a lookup started before one must not be kept

    @staticmethod
    def _key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()  # the secret itself is not kept

    def get(self, token: str) -> Any | None:
        entry = self._entries.get(self._key(token))
        if entry is None or monotonic() - entry[1] >= self.seconds:
            return None
        return entry[0]

    def put(self, token: str, row: Any, generation: int) -> None:
        """Keep what a lookup begun at `generation` found, unless the cache was cleared since."""
        if generation != self.generation:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[self._key(token)] = (row, monotonic())

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()

    def watch(self, engine: Engine) -> TokenCache:
        """Empty the cache whenever a statement on `engine` writes a WATCHED table, and again when its
        connection is checked back in, after the commit (a lookup between the two saw the old row)."""
        def after_execute(conn: Connection, statement: Any, *_: Any) -> None:
            if isinstance(statement, UpdateBase) and getattr(statement.table, "name", None) in WATCHED:
                conn.info["token_cache_stale"] = True
                self.clear()

        def checkin(_dbapi: Any, record: Any) -> None:
            if record is not None and record.info.pop("token_cache_stale", False):
                self.clear()

        event.listen(engine, "after_execute", after_execute)
        event.listen(engine.pool, "checkin", checkin)
        return self


__all__ = ["TokenCache", "SECONDS", "WATCHED"]
