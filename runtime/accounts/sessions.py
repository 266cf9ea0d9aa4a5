"""Ending a login: a revoked token is refused by user_for_token from the next request on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, update

from runtime.accounts.users import _digest
from runtime.db.tables import tokens


def revoke_token(conn: Connection, token: str, now: datetime) -> bool:
    """Revoke one live token; False when it was unknown or already revoked."""
    result = conn.execute(update(tokens).where(tokens.c.token_hash == _digest(token), tokens.c.revoked_at.is_(None))
                          .values(revoked_at=now))
    return result.rowcount > 0
