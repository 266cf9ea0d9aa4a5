"""Records of a form: create (one or bulk), list, get, update, delete, restore, history."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, Row

from engine.errors import BadQuery
from engine.expr.evaluate import EvalContext
from runtime.api.deps import DB, CurrentUser, change_for
from runtime.schemas.records import BulkIn, RecordIn, history_json, record_json
from runtime.storage import definitions, idempotency, listing, records
from runtime.storage.context import FormRef
from runtime.storage.expressions import filter_clause
from runtime.storage.titles import related_ids, titles

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}/records", tags=["records"])

_FILTER_PARAM = re.compile(r"^filter\[([^\]]+)\](?:\[([a-z_]+)\])?$")


def _render(conn: Connection, ref: FormRef, rows: list[Row[Any]], fields: list[str] | None = None) -> list[dict[str, Any]]:
    names = titles(conn, ref.app, related_ids(ref.app, ref.form.key, (r.data for r in rows)))
    return [record_json(r, ref.form, names, fields) for r in rows]


def _etag(row: Row[Any]) -> dict[str, str]:
    return {"ETag": f'"{row.version}"'}


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise BadQuery("If-Match 应为记录版本号", "If-Match must be the record's version", field="If-Match")
    return int(text)


def _idempotent(request: Request, db: DB, user: CurrentUser, key: str | None, body: Any, run: Any) -> JSONResponse:
    """Run `run(conn)` -> (status, json) once per Idempotency-Key; a retry returns the stored answer."""
    with db.write() as conn:
        if key:
            digest = idempotency.request_digest(request.method, request.url.path, body)
            earlier = idempotency.claim(conn, user.user_id or 0, key, digest, change_for(request, user).now)
            if earlier is not None:
                return JSONResponse(earlier[1], status_code=earlier[0], headers={
                    "Idempotent-Replayed": "true", **_version_etag(earlier[1])})
        status, payload = run(conn)
        if key:
            idempotency.remember(conn, user.user_id or 0, key, status, payload)
    return JSONResponse(payload, status_code=status, headers=_version_etag(payload))


def _version_etag(payload: Any) -> dict[str, str]:
    version = payload.get("version") if isinstance(payload, dict) else None
    return {"ETag": f'"{version}"'} if version else {}


@router.post("", status_code=201)
def create_record(app: str, form: str, body: RecordIn, request: Request, db: DB, user: CurrentUser,
                  idempotency_key: Annotated[str | None, Header()] = None) -> Any:
    """Create a record: 201 with id, version and the normalised data."""
    def run(conn: Connection) -> tuple[int, Any]:
        ref = definitions.form_ref(conn, app, form)
        row = records.create(conn, ref, body.data, change_for(request, user))
        return 201, _render(conn, ref, [row])[0]

    return _idempotent(request, db, user, idempotency_key, body.model_dump(mode="json"), run)


@router.post("/bulk", status_code=201)
def create_records(app: str, form: str, body: BulkIn, request: Request, db: DB, user: CurrentUser,
                   idempotency_key: Annotated[str | None, Header()] = None) -> Any:
    """Create many records, all or nothing; problems are listed per item as `items[i].<field>`."""
    def run(conn: Connection) -> tuple[int, Any]:
        ref = definitions.form_ref(conn, app, form)
        rows = records.create_many(conn, ref, body.items, change_for(request, user))
        return 201, {"items": _render(conn, ref, rows)}

    return _idempotent(request, db, user, idempotency_key, body.model_dump(mode="json"), run)


def conditions(request: Request) -> list[listing.Condition]:
    """The `filter[field]=v` / `filter[field][op]=v` query parameters (exports read them too)."""
    conditions = []
    for name, value in request.query_params.multi_items():
        match = _FILTER_PARAM.match(name)
        if match:
            conditions.append(listing.Condition(match.group(1), match.group(2) or "eq", value))
        elif name.startswith("filter["):
            raise BadQuery(f"无法识别的筛选参数 {name}", f"cannot read the filter parameter {name!r}", field=name)
    return conditions


@router.get("")
def list_records(app: str, form: str, request: Request, db: DB, user: CurrentUser,
                 sort: str | None = None, limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 50,
                 cursor: str | None = None, fields: str | None = None, count: bool = False,
                 filter: Annotated[str | None, Query(alias="filter")] = None) -> Any:
    """One page of records: `filter=<expression>` and/or `filter[field]=v`, `filter[field][op]=v`;
    `sort=-amount,name`; keyset `cursor`."""
    with db.read() as conn:
        ref = definitions.form_ref(conn, app, form)
        wanted = None
        if fields:
            wanted = [f.strip() for f in fields.split(",") if f.strip()]
            for key in wanted:
                if key not in ref.form.by_key:
                    _unknown_field(ref, key)
        change = change_for(request, user)
        where = []
        if filter is not None:
            ctx = EvalContext(change.now, change.timezone, user.username)
            where.append(filter_clause(ref, filter, conn.dialect.name, ctx))
        query = listing.ListQuery(conditions(request), listing.parse_sort(ref, sort, conn.dialect.name), limit,
                                  cursor, count, where)
        page = listing.list_records(conn, ref, query, change.ctx)
        body: dict[str, Any] = {"items": _render(conn, ref, page.items, wanted), "next_cursor": page.next_cursor}
        if count:
            body["total"] = page.total
    return JSONResponse(body)  # already JSON-ready: skip FastAPI's recursive jsonable_encoder


def _unknown_field(ref: FormRef, key: str) -> None:
    raise BadQuery(f"表单“{ref.form.name}”没有字段 {key}", f"form {ref.form.key!r} has no field {key!r}", field=key)


@router.get("/{record_id}")
def get_record(app: str, form: str, record_id: int, db: DB, user: CurrentUser) -> Any:
    with db.read() as conn:
        ref = definitions.form_ref(conn, app, form)
        row = records.get(conn, ref, record_id)
        return JSONResponse(_render(conn, ref, [row])[0], headers=_etag(row))


@router.patch("/{record_id}")
def update_record(app: str, form: str, record_id: int, body: RecordIn, request: Request,
                  db: DB, user: CurrentUser, if_match: Annotated[str | None, Header()] = None) -> Any:
    """Change some fields; with `If-Match: <version>` a stale version gets 412."""
    with db.write() as conn:
        ref = definitions.form_ref(conn, app, form)
        row = records.update_record(conn, ref, record_id, body.data, change_for(request, user),
                                    expected_version=_if_match(if_match))
        return JSONResponse(_render(conn, ref, [row])[0], headers=_etag(row))


@router.delete("/{record_id}")
def delete_record(app: str, form: str, record_id: int, request: Request, db: DB, user: CurrentUser,
                  if_match: Annotated[str | None, Header()] = None) -> Any:
    """Soft delete; the record can be restored."""
    with db.write() as conn:
        ref = definitions.form_ref(conn, app, form)
        row = records.delete(conn, ref, record_id, change_for(request, user), expected_version=_if_match(if_match))
        return JSONResponse(_render(conn, ref, [row])[0])


@router.post("/{record_id}/restore")
def restore_record(app: str, form: str, record_id: int, request: Request, db: DB, user: CurrentUser) -> Any:
    with db.write() as conn:
        ref = definitions.form_ref(conn, app, form)
        row = records.restore(conn, ref, record_id, change_for(request, user))
        return JSONResponse(_render(conn, ref, [row])[0])


@router.get("/{record_id}/history")
def record_history(app: str, form: str, record_id: int, db: DB, user: CurrentUser) -> Any:
    """Every version: who, when, which fields changed, and the data after the change."""
    with db.read() as conn:
        ref = definitions.form_ref(conn, app, form)
        return JSONResponse({"items": [history_json(h, ref.form) for h in records.history(conn, ref, record_id)]})
