"""API tokens for integrators: created by a signed-in user, scoped to apps and read/write, expiring,
revocable; the token text is shown once. The audit API is here too: both are about who may do what."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from engine.errors import BadQuery, Forbidden
from runtime import audit
from runtime.accounts.tokens import all_api_tokens, create_api_token, list_api_tokens, revoke_token
from runtime.api.deps import DB, CurrentUser, Id, IdQuery, change_for
from runtime.api.guard import NO_RECORDS, require_admin
from runtime.io.spreadsheet import csv_bytes, xlsx_bytes
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


def audit_filters(user_filter: Annotated[str | None, Query(alias="user", max_length=64)] = None,
                  action: Annotated[str | None, Query(max_length=400)] = None,
                  app: Annotated[str | None, Query(max_length=63)] = None,
                  form: Annotated[str | None, Query(max_length=63)] = None, record: IdQuery = None,
                  since: datetime | None = None, until: datetime | None = None,
                  limit: Annotated[int, Query(ge=1, le=audit.MAX_LIMIT)] = 100,
                  cursor: str | None = None) -> audit.AuditQuery:
    """The audit log's filters from the query string; a time without its zone is a 400 naming it."""
    return audit.AuditQuery(user_filter, action, app, form, record, audit.checked_moment("since", since),
                            audit.checked_moment("until", until), limit, cursor)


AuditFilters = Annotated[audit.AuditQuery, Depends(audit_filters)]


@router.get("/audit")
def search_audit(db: DB, user: CurrentUser, query: AuditFilters) -> Any:
    """The audit log for administrators, newest first: filter by `user`, `action` (`record.` for a
    prefix, several separated by commas), `app`, `form`, `record`, `since`/`until` (ISO times); keyset
    `cursor`."""
    require_admin(user)
    with db.read() as conn:
        rows, next_cursor = audit.search(conn, query)
    return {"items": [audit.entry_json(r) for r in rows], "next_cursor": next_cursor}


EXPORT_CAP = 100_000
"""At most this many entries in one export (newest first): narrow the filters for more."""
EXPORT_MEDIA = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@router.get("/audit/export")
def export_audit(request: Request, db: DB, user: CurrentUser, query: AuditFilters,
                 format: Literal["csv", "xlsx"] = "csv") -> Response:
    """The entries the filters match as CSV or xlsx (local times, what changed as JSON), newest first, at
    most EXPORT_CAP of them; the export itself is audited."""
    require_admin(user)
    change = change_for(request, user)
    with db.read() as conn:
        rows = [audit_row(r, change.timezone) for r in audit.entries(conn, query, EXPORT_CAP)]
    with db.write() as conn:
        audit.write(conn, "audit.export", user, change.now, detail={
            "format": format, "rows": len(rows), "filters": {k: v for k, v in asdict(query).items()
                                                             if v is not None and k not in ("limit", "cursor")}})
    header = ["时间", "用户", "操作", "应用", "表单", "记录", "地址", "详情"]
    body = csv_bytes(header, rows) if format == "csv" else xlsx_bytes(header, rows, "审计日志")
    name = quote(f"审计日志.{format}")
    return Response(body, media_type=EXPORT_MEDIA[format],
                    headers={"Content-Disposition": f"attachment; filename=\"audit.{format}\"; filename*=UTF-8''{name}"})


def audit_row(row: Any, zone: Any) -> list[Any]:
    """One entry as an export row: the local time, who, what, where, and what changed as JSON."""
    return [row.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), row.actor or "", row.action, row.app or "",
            row.form or "", row.record_id or "", row.ip or "", json.dumps(row.detail, ensure_ascii=False)]
