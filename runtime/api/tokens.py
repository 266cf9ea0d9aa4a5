"""API tokens for integrators: created by a signed-in user, scoped to apps and read/write, expiring,
revocable; the token text is shown once. The audit API is here too: both are about who may do what."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from engine.errors import BadQuery, Forbidden
from runtime import audit
from runtime.accounts.tokens import all_api_tokens, create_api_token, list_api_tokens, revoke_token
from runtime.api.deps import DB, CurrentUser, Id, IdQuery, change_for
from runtime.api.guard import NO_RECORDS, require_admin
from runtime.permissions.scope import roles_of
from runtime.schemas.org import TokenIn

router = APIRouter(prefix="/api/v1", tags=["tokens", "audit"], dependencies=[NO_RECORDS])


def moment(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def token_json(row: Any) -> dict[str, Any]:
    """An API token as listed: never its text (only a hash is stored)."""
    return {"id": row.id, "name": row.name, "apps": row.apps, "scope": row.scope, "created_at": moment(row.created_at),
            "expires_at": moment(row.expires_at), "revoked": row.revoked_at is not None}


@router.post("/tokens", status_code=201)
def create_token(body: TokenIn, request: Request, db: DB, user: CurrentUser) -> Any:
    """`{"id", "token", ...}`: the token text appears in this answer only."""
    if user.via == "api":
        raise Forbidden("API 令牌不能再创建令牌，请登录后操作", "an API token cannot create tokens; sign in",
                        reason="token_scope")
    change = change_for(request, user)
    with db.write() as conn:
        for app in body.apps:
            if not user.is_admin and not roles_of(conn, user.user_id, app):
                raise BadQuery(f"你在应用 {app} 中没有角色", f"you hold no role in app {app!r}", field="apps")
        token_id, text = create_api_token(conn, user.user_id or 0, body.name, body.apps, body.scope,
                                          body.expires_in_days, change.now)
        audit.write(conn, "token.create", user, change.now, detail={
            "id": token_id, "name": body.name, "apps": body.apps, "scope": body.scope,
            "expires_in_days": body.expires_in_days})
    return {"id": token_id, "token": text, "name": body.name, "apps": sorted(set(body.apps)), "scope": body.scope,
            "expires_in_days": body.expires_in_days}


@router.get("/tokens")
def list_tokens(db: DB, user: CurrentUser) -> Any:
    """The caller's API tokens (without their text, which is not stored)."""
    with db.read() as conn:
        rows = list_api_tokens(conn, user.user_id or 0)
    return {"items": [token_json(r) for r in rows]}


@router.get("/tokens/all")
def list_all_tokens(db: DB, user: CurrentUser, before: IdQuery = None,
                    limit: Annotated[int, Query(ge=1, le=audit.MAX_LIMIT)] = 100) -> Any:
    """Every user's API tokens with their `user`, newest first (administrators); `next_before` pages on."""
    require_admin(user)
    with db.read() as conn:
        rows = all_api_tokens(conn, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [token_json(r) | {"user": r.username} for r in rows],
            "next_before": rows[-1].id if more else None}


@router.delete("/tokens/{token_id}")
def delete_token(token_id: Id, request: Request, db: DB, user: CurrentUser) -> Any:
    """Revoke one of the caller's tokens (administrators: anyone's); refused from the next request on."""
    change = change_for(request, user)
    with db.write() as conn:
        row = revoke_token(conn, token_id, None if user.is_admin else user.user_id, change.now)
        audit.write(conn, "token.revoke", user, change.now, detail={"id": token_id, "name": row.name})
    return {"id": token_id, "revoked": True}


@router.get("/audit")
def search_audit(db: DB, user: CurrentUser, user_filter: Annotated[str | None, Query(alias="user")] = None,
                 action: str | None = None, app: str | None = None, form: str | None = None,
                 record: IdQuery = None, since: datetime | None = None, until: datetime | None = None,
                 limit: Annotated[int, Query(ge=1, le=audit.MAX_LIMIT)] = 100, cursor: str | None = None) -> Any:
    """The audit log for administrators, newest first: filter by `user`, `action` (`record.` for a
    prefix), `app`, `form`, `record`, `since`/`until` (ISO times); keyset `cursor`."""
    require_admin(user)
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise BadQuery(f"{name} 需要带时区（如 Z 或 +08:00）", f"{name} needs a time zone (Z or +08:00)", field=name)
    query = audit.AuditQuery(user_filter, action, app, form, record, since, until, limit, cursor)
    with db.read() as conn:
        rows, next_cursor = audit.search(conn, query)
    return {"items": [audit.entry_json(r) for r in rows], "next_cursor": next_cursor}
