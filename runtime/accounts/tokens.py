"""API tokens for integrators: scoped to apps and read/write, expiring, revocable, stored hashed.

The token text is returned once by create_api_token; only its SHA-256 is kept (storage.users). Revoking
sets revoked_at, and user_for_token refuses it from the next request on."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from engine.errors import BadQuery, NotFound
from runtime.accounts.users import issue_token
from runtime.db.tables import apps, tokens, users

MAX_DAYS = 3650


def create_api_token(conn: Connection, user_id: int, name: str, app_keys: Sequence[str], scope: str,
                     days: int, now: datetime) -> tuple[int, str]:
    """(id, token text) of a new API token; the apps must exist."""
    if scope not in ("read", "write"):
        raise BadQuery("scope 应为 read 或 write", "scope must be read or write", field="scope")
    if not 1 <= days <= MAX_DAYS:
        raise BadQuery(f"有效期应在 1 到 {MAX_DAYS} 天之间", f"expires_in_days must be 1 to {MAX_DAYS}",
                       field="expires_in_days")
    known = set(conn.scalars(select(apps.c.key)))
    for key in app_keys:
        if key not in known:
            raise BadQuery(f"应用 {key} 不存在", f"no app {key!r}", field="apps")
    text = issue_token(conn, user_id, now, kind="api", days=days, name=name)
    token_id = conn.scalar(select(tokens.c.id).where(tokens.c.token_hash == hashlib.sha256(text.encode()).hexdigest()))
    conn.execute(update(tokens).where(tokens.c.id == token_id).values(apps=sorted(set(app_keys)), scope=scope))
    return int(token_id), text


def list_api_tokens(conn: Connection, user_id: int) -> list[Row[Any]]:
    """The user's API tokens, newest first (never the token text: it is not stored)."""
    return list(conn.execute(select(tokens.c.id, tokens.c.name, tokens.c.apps, tokens.c.scope, tokens.c.created_at,
                                    tokens.c.expires_at, tokens.c.revoked_at)
                             .where(tokens.c.user_id == user_id, tokens.c.kind == "api").order_by(tokens.c.id.desc())))


def all_api_tokens(conn: Connection, before: int | None, limit: int) -> list[Row[Any]]:
    """Every user's API tokens with their owner, newest first, keyset on id (for administrators)."""
    query = (select(tokens.c.id, tokens.c.name, tokens.c.apps, tokens.c.scope, tokens.c.created_at,
                    tokens.c.expires_at, tokens.c.revoked_at, users.c.username)
             .join(users, users.c.id == tokens.c.user_id).where(tokens.c.kind == "api")
             .order_by(tokens.c.id.desc()).limit(limit))
    return list(conn.execute(query.where(tokens.c.id < before) if before else query))


def revoke_token(conn: Connection, token_id: int, user_id: int | None, now: datetime) -> Row[Any]:
    """Revoke a token of `user_id` (None: any user's, for administrators); NotFound for someone else's."""
    query = select(tokens).where(tokens.c.id == token_id)
    if user_id is not None:
        query = query.where(tokens.c.user_id == user_id)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"令牌 {token_id} 不存在", f"no token {token_id}")
    if row.revoked_at is None:
        conn.execute(update(tokens).where(tokens.c.id == token_id).values(revoked_at=now))
    return row


__all__ = ["all_api_tokens", "create_api_token", "list_api_tokens", "revoke_token"]
