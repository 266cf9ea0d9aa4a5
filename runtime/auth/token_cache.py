"""Tokens checked a moment ago, so that a client sending many requests costs one lookup, not one each.

Checking a bearer token or session cookie took its own read transaction and a hop to a worker thread:
about a fifth of a single create over HTTP on SQLite (bench/records.py). An entry is trusted for
SECONDS at most (runtime/db/recent.py), and the token's expiry is checked on every request. A write
to users, tokens or department memberships made through this process empties the cache, so a logout,
a revoked token, a deactivated user or a new primary department take effect from the next request; a
change made by another process (a second worker, the CLI) takes effect within SECONDS.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from typing import Any

from runtime.db.recent import SECONDS, RecentReads

WATCHED = frozenset({"users", "tokens", "department_members"})
"""The tables user_for_token reads: a write to any of them may change who a token stands for."""


class TokenCache(RecentReads[str, Any]):
    """token → the user_for_token row, with when it was read."""

    def __init__(self, seconds: float = SECONDS) -> None:
        super().__init__(WATCHED, seconds)

    def _key(self, key: str) -> Hashable:
        return hashlib.sha256(key.encode()).digest()  # the secret itself is not kept


__all__ = ["TokenCache", "SECONDS", "WATCHED"]
