"""Users and their tokens. Tokens are random, shown once, and stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.errors import AlreadyExists, BadQuery, Unauthorized
from runtime.accounts import user_search
from runtime.auth.passwords import check_password, hash_password, verify_password
from runtime.db.tables import department_members, tokens, users
from runtime.records.context import Actor
from runtime.system_settings import store as system_settings

USERNAME_RE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


def create_user(conn: Connection, username: str, password: str, now: datetime, *,
                display_name: str | None = None, is_admin: bool = False) -> Row[Any]:
    """A new active user; AlreadyExists if the username is taken."""
    if not re.fullmatch(USERNAME_RE, username):
        raise BadQuery("用户名只能包含字母、数字和 . _ -", "a username is letters, digits and . _ -", field="username")
    check_password(password, username, system_settings.current(conn).password_min_length)
    try:
        with conn.begin_nested():
            user_id = conn.scalar(insert(users).values(
                username=username, display_name=display_name or username, password_hash=hash_password(password),
                is_admin=is_admin, active=True, created_at=now).returning(users.c.id))
    except IntegrityError:
        raise AlreadyExists(f"用户 {username} 已存在", f"user {username!r} exists already") from None
    user_search.refresh(conn, [user_id])
    return conn.execute(select(users).where(users.c.id == user_id)).one()


def user_by_name(conn: Connection, username: str) -> Row[Any] | None:
    return conn.execute(select(users).where(users.c.username == username)).first()


def set_password(conn: Connection, username: str, password: str) -> None:
    check_password(password, username, system_settings.current(conn).password_min_length)
    conn.execute(update(users).where(users.c.username == username).values(password_hash=hash_password(password)))


def authenticate(conn: Connection, username: str, password: str) -> Row[Any]:
    """The active user with this password; otherwise one message that does not say which part was wrong."""
    user = user_by_name(conn, username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        raise Unauthorized("用户名或密码错误", "wrong username or password")
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(conn: Connection, user_id: int, now: datetime, *, kind: str = "login", days: int = 30,
                name: str | None = None) -> str:
    """A new bearer token for the user; only its hash is stored."""
    token = "tg_" + secrets.token_urlsafe(32)
    conn.execute(insert(tokens).values(user_id=user_id, token_hash=_digest(token), kind=kind, name=name,
                                       created_at=now, expires_at=now + timedelta(days=days)))
    return token


_PRIMARY_DEPARTMENT = (
    select(department_members.c.department).where(department_members.c.user_id == users.c.id,
                                                  department_members.c.is_primary.is_(True))
    .limit(1).scalar_subquery().label("primary_department"))

_USER_FOR_TOKEN = (
    select(users, tokens.c.expires_at, tokens.c.apps, tokens.c.scope, tokens.c.kind, tokens.c.id.label("token_id"),
           _PRIMARY_DEPARTMENT).join(tokens, tokens.c.user_id == users.c.id)
    .where(tokens.c.token_hash == bindparam("digest"), tokens.c.revoked_at.is_(None), users.c.active.is_(True))
)  # built once: every request runs it


def user_for_token(conn: Connection, token: str, now: datetime) -> Row[Any] | None:
    """The active user a live token belongs to, or None."""
    row = conn.execute(_USER_FOR_TOKEN, {"digest": _digest(token)}).first()
    return None if row is None or expired(row, now) else row


def expired(row: Row[Any], now: datetime) -> bool:
    """Whether the token of a user_for_token row has run out by `now` (a cached row is asked again)."""
    return row.expires_at is not None and row.expires_at <= now


def actor_of(row: Row[Any], ip: str | None = None) -> Actor:
    """The Actor of a user_for_token row: who, their primary department, and the token's limits."""
    apps = frozenset(row.apps) if row.apps is not None else None
    return Actor(row.username, row.id, row.is_admin, department=row.primary_department, ip=ip, apps=apps,
                 scope=row.scope or "write", via=row.kind)


__all__ = ["actor_of", "create_user", "user_by_name", "authenticate", "issue_token", "user_for_token", "expired", "set_password"]
