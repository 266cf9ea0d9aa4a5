"""Ending a login: a revoked token is refused by user_for_token from the next request on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, or_, select, update

from runtime.accounts.users import _digest
from runtime.db.tables import tokens


def revoke_token(conn: Connection, token: str, now: datetime) -> bool:
    """Revoke one live token; False when it was unknown or already revoked."""
    result = conn.execute(update(tokens).where(tokens.c.token_hash == _digest(token), tokens.c.revoked_at.is_(None))
                          .values(revoked_at=now))
    return result.rowcount > 0


def live_sessions(conn: Connection, user_id: int, now: datetime) -> list[Row[Any]]:
    """The user's live browser sessions and login tokens, newest first (API tokens are listed apart)."""
    return list(conn.execute(
        select(tokens.c.id, tokens.c.kind, tokens.c.created_at, tokens.c.expires_at)
        .where(tokens.c.user_id == user_id, tokens.c.kind.in_(("session", "login")), tokens.c.revoked_at.is_(None),
               or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > now))
        .order_by(tokens.c.id.desc())))


def end_all_sessions(conn: Connection, user_id: int, now: datetime) -> int:
    """全部下线: revoke every live session and login token of the user; how many."""
    return conn.execute(update(tokens).where(tokens.c.user_id == user_id, tokens.c.kind.in_(("session", "login")),
                                             tokens.c.revoked_at.is_(None)).values(revoked_at=now)).rowcount


__all__ = ["end_all_sessions", "live_sessions", "revoke_token"]
