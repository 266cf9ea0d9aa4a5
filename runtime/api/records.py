"""Records of a form: create (one or bulk), list, get, update, delete, restore, history, audit, shares
(import and export: runtime/api/spreadsheets.py). Every route goes through the permission gate (runtime.permissions.check)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Connection, Row

from engine.errors import BadQuery, Issue, ValidationFailed
from runtime import audit
from runtime.api.deps import DB, Id, change_for
from runtime.api.duplicates import refuse_duplicates
from runtime.api.guard import Gatekeeper
from runtime.api.writing import short_write
from runtime.crypto.fields import seal_document
from runtime.flows import flows
from runtime.permissions import partition, shares
from runtime.permissions.check import FormGate, unknown_field
from runtime.records import duplicates, idempotency, listing, merge, records, totals
from runtime.records.context import Actor
from runtime.schemas.records import BulkIn, RecordIn, SharesIn, history_json, shown_records

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}/records", tags=["records"])

_FILTER_PARAM = re.compile(r"^filter\[([^\]]+)\](?:\[([a-z_]+)\])?$")


def _etag(row: Row[Any]) -> dict[str, str]:
    return {"ETag": f'"{row.version}"'}


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise BadQuery("If-Match 应为记录版本号", "If-Match must be the record's version", field="If-Match")
    return int(text)


def _idempotent(request: Request, db: DB, user: Actor, key: str | None, body: BaseModel, run: Any) -> JSONResponse:
    """Run `run(conn)` -> (status, json) once per Idempotency-Key; a retry returns the stored answer."""
    with db.write() as conn:
        if key:
            digest = idempotency.request_digest(request.method, request.url.path, body.model_dump(mode="json"))
            earlier = idempotency.claim(conn, user.user_id or 0, key, digest, change_for(request, user).now)
            if earlier is not None:
                return JSONResponse(earlier[1], status_code=earlier[0], headers={
                    "Idempotent-Replayed": "true", **_version_etag(earlier[1])})
        status, payload = run(conn)
        if key:
            # The stored answer holds the records as created: encrypted whole when there is a key,
            # so no encrypted field's plaintext waits in the table for a retry (runtime/crypto).
            idempotency.remember(conn, user.user_id or 0, key, status, seal_document(payload, "idempotency"))
    return JSONResponse(payload, status_code=status, headers=_version_etag(payload))


def _version_etag(payload: Any) -> dict[str, str]:
    version = payload.get("version") if isinstance(payload, dict) else None
    return {"ETag": f'"{version}"'} if version else {}


@router.post("", status_code=201)
async def create_record(app: str, form: str, body: RecordIn, request: Request, db: DB, guard: Gatekeeper,
                        idempotency_key: Annotated[str | None, Header()] = None, allow_duplicates: bool = False) -> Any:
    """Create a record: 201 with id, version and the normalised data; 409 `possible_duplicates` (unless
    `allow_duplicates=true`) or `duplicate_blocked` when it likely duplicates stored records."""
    def run(conn: Connection) -> tuple[int, Any]:
        gate = guard.form(conn, app, form, "create")
        gate.check_write([body.data])
        row = records.create(conn, gate.ref, body.data, gate.writing(change_for(request, guard.actor)))
        refuse_duplicates(gate, row.id, row.data, allow_duplicates)
        return 201, shown_records(gate, records.as_committed(conn, gate.ref, [row]))[0]

    return await short_write(db, lambda: _idempotent(request, db, guard.actor, idempotency_key, body, run))


@router.post("/bulk", status_code=201)
def create_records(app: str, form: str, body: BulkIn, request: Request, db: DB, guard: Gatekeeper,
                   idempotency_key: Annotated[str | None, Header()] = None) -> Any:
    """Create many records, all or nothing; problems are listed per item as `items[i].<field>`."""
    limit = request.app.state.limits.bulk_items
    if len(body.items) > limit:  # before any item is looked at (TANGRAM_MAX_BULK_ITEMS)
        raise ValidationFailed(f"一次最多创建 {limit} 条记录（当前 {len(body.items)} 条）",
                               f"at most {limit} records per bulk create ({len(body.items)} given)",
                               issues=[Issue("items", "too_many_items", f"最多 {limit} 条", f"at most {limit} items")])

    def run(conn: Connection) -> tuple[int, Any]:
        gate = guard.form(conn, app, form, "create")
        gate.check_write(body.items, prefix=True)
        rows = records.create_many(conn, gate.ref, body.items, gate.writing(change_for(request, guard.actor)))
        return 201, {"items": shown_records(gate, records.as_committed(conn, gate.ref, rows))}

    return _idempotent(request, db, guard.actor, idempotency_key, body, run)


def conditions(request: Request) -> list[listing.Condition]:
    """The `filter[field]=v` / `filter[field][op]=v` query parameters (exports read them too)."""
    return conditions_of(request.query_params.multi_items())


def conditions_of(params: Iterable[tuple[str, str]]) -> list[listing.Condition]:
    """The list conditions among query parameters (name, value): a background export keeps them."""
    conditions = []
    for name, value in params:
        match = _FILTER_PARAM.match(name)
        if match:
            conditions.append(listing.Condition(match.group(1), match.group(2) or "eq", value))
        elif name.startswith("filter["):
            raise BadQuery(f"无法识别的筛选参数 {name}", f"cannot read the filter parameter {name!r}", field=name)
    return conditions


@router.get("")
def list_records(app: str, form: str, request: Request, db: DB, guard: Gatekeeper,
                 sort: str | None = None, limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 50,
                 cursor: str | None = None, fields: str | None = None, count: str | None = None,
                 filter: Annotated[str | None, Query(alias="filter")] = None) -> Any:
    """One page of records: `filter=<expression>` and/or `filter[field]=v`, `filter[field][op]=v`;
    `q=` text in the searched fields (title and search_fields); `sort=-amount,name`; keyset `cursor`;
    `count=true` the total (estimated above totals.EXACT_UP_TO), `count=exact` the exact total. Only records and fields the actor may read."""
    counted, bound = counting(count)
    with db.read() as conn:
        gate = guard.form(conn, app, form, "read")
        departments = gate.department_partition()
        partitioned = departments is not None and 0 < len(departments) <= partition.MAX_PARTS
        query = replace(list_query(gate, request, sort, limit, cursor, counted, filter, scoped=not partitioned),
                        estimate_above=bound)
        wanted = None
        if fields:
            wanted = [f.strip() for f in fields.split(",") if f.strip()]
            for key in wanted:
                if key not in gate.ref.form.by_key:
                    raise unknown_field(gate.ref, key)
            gate.check_keys(wanted)
        ctx = change_for(request, guard.actor).ctx
        if partitioned and departments:
            page = partition.list_by_department(conn, gate.ref, query, departments, ctx)
        else:
            page = listing.list_records(conn, gate.ref, query, ctx)
        body: dict[str, Any] = {"items": shown_records(gate, page.items, wanted), "next_cursor": page.next_cursor}
        keys = flows.approval_flows(gate.ref.app, form)
        if keys:  # the page's approval status in one query (docs/api.md)
            body["approvals"] = approvals_json(flows.latest_of_records(conn, app, form, [r.id for r in page.items], keys))
        if counted:
            body["total"], body["total_exact"] = page.total, page.exact
    return JSONResponse(body)


def counting(asked: str | None) -> tuple[bool, int | None]:
    """`count=`: (whether to count, the bound above which the total is estimated, None for exact):
    absent, `false`, `0`: no count; `true`, `1`: exact up to totals.EXACT_UP_TO; `exact`: exact."""
    value = (asked or "false").lower()
    if value in ("false", "0"):
        return False, None
    if value in ("true", "1"):
        return True, totals.EXACT_UP_TO
    if value == "exact":
        return True, None
    raise BadQuery("count 应为 true、false 或 exact", f"count must be true, false or exact, not {asked!r}",
                   field="count")  # already JSON-ready: skip FastAPI's recursive jsonable_encoder


def approvals_json(latest: dict[int, Row[Any]]) -> dict[str, dict[str, Any]]:
    """Record id → its newest approval instance: `{"status", "flow", "instance_id"}`."""
    return {str(rid): {"status": r.status, "flow": r.flow, "instance_id": r.id} for rid, r in latest.items()}


def list_query(gate: FormGate, request: Request, sort: str | None, limit: int, cursor: str | None, count: bool,
               filter: str | None, *, scoped: bool = True) -> listing.ListQuery:
    """The list a request asks for, inside the actor's read scope (scoped=False: the caller partitions by
    department instead); hidden fields are unknown to it."""
    return query_of(gate, conditions(request), sort, limit, cursor, count, filter, request.query_params.get("q"),
                    request.app.state.limits.expression_chars, scoped=scoped)


def query_of(gate: FormGate, asked: list[listing.Condition], sort: str | None, limit: int, cursor: str | None,
             count: bool, filter: str | None, q: str | None, expression_chars: int, *,
             scoped: bool = True) -> listing.ListQuery:
    """list_query without a request: a background export builds the list the user asked for from its
    stored parameters."""
    sort_keys = listing.parse_sort(gate.ref, sort, gate.conn.dialect.name)
    gate.check_query_keys([c.key for c in asked] + [k.key for k in sort_keys])
    where = [gate.filter(filter, expression_chars)] if filter is not None else []
    scope = gate.where("read") if scoped else None
    if scope is not None:
        where.append(scope)
    text = (q or "").strip()
    return listing.ListQuery(asked, sort_keys, limit, cursor, count, where, text or None, searched_in(gate, bool(text)))


def searched_in(gate: FormGate, asked: bool) -> tuple[str, ...]:
    """The searched fields this actor may read unmasked (a match would reveal a masked value); a search on
    a form without any is a bad query."""
    unsearchable = gate.hidden | gate.masked
    keys = tuple(k for k in gate.ref.form.searched_fields if k not in unsearchable)
    if asked and not keys:
        raise BadQuery(f"表单“{gate.ref.form.name}”没有可搜索的字段", f"form {gate.ref.form.key!r} has no field to "
                       "search (set its title_field or search_fields)", field="q")
    return keys


@router.get("/{record_id}")
def get_record(app: str, form: str, record_id: Id, db: DB, guard: Gatekeeper) -> Any:
    with db.read() as conn:
        gate = guard.form(conn, app, form)
        gate.require_record(record_id, "read")
        row = records.get(conn, gate.ref, record_id)
        return JSONResponse(shown_records(gate, [row])[0], headers=_etag(row))


@router.patch("/{record_id}")
async def update_record(app: str, form: str, record_id: Id, body: RecordIn, request: Request,
                        db: DB, guard: Gatekeeper, if_match: Annotated[str | None, Header()] = None,
                        allow_duplicates: bool = False) -> Any:
    """Change some fields; with `If-Match: <version>` a stale version gets 412; a change of a field the
    duplicate rules compare is checked as a create is (`allow_duplicates`)."""
    def work() -> JSONResponse:
        with db.write() as conn:
            gate = guard.form(conn, app, form)
            gate.require_record(record_id, "update")
            gate.check_write([body.data])
            row = records.update_record(conn, gate.ref, record_id, body.data, gate.writing(change_for(request, guard.actor)),
                                        expected_version=_if_match(if_match))
            if duplicates.compares(gate.ref.form, body.data):
                refuse_duplicates(gate, row.id, row.data, allow_duplicates)
            [row] = records.as_committed(conn, gate.ref, [row])
            return JSONResponse(shown_records(gate, [row])[0], headers=_etag(row))

    return await short_write(db, work)


@router.delete("/{record_id}")
async def delete_record(app: str, form: str, record_id: Id, request: Request, db: DB, guard: Gatekeeper,
                        if_match: Annotated[str | None, Header()] = None) -> Any:
    """Soft delete; the record can be restored."""
    def work() -> JSONResponse:
        with db.write() as conn:
            gate = guard.form(conn, app, form)
            gate.require_record(record_id, "delete")
            row = records.delete(conn, gate.ref, record_id, change_for(request, guard.actor),
                                 expected_version=_if_match(if_match))
            return JSONResponse(shown_records(gate, [row])[0])

    return await short_write(db, work)


@router.post("/{record_id}/restore")
async def restore_record(app: str, form: str, record_id: Id, request: Request, db: DB, guard: Gatekeeper) -> Any:
    def work() -> JSONResponse:
        with db.write() as conn:
            gate = guard.form(conn, app, form)
            gate.require_record(record_id, "restore", deleted=True)
            row = records.restore(conn, gate.ref, record_id, change_for(request, guard.actor))
            return JSONResponse(shown_records(gate, [row])[0])

    return await short_write(db, work)


@router.get("/{record_id}/history")
def record_history(app: str, form: str, record_id: Id, db: DB, guard: Gatekeeper) -> Any:
    """Every version: who, when, which fields changed, and the data after the change (visible fields only);
    with the versions of the records merged into this one (`merged_from`: the merged record's id)."""
    with db.read() as conn:
        gate = guard.form(conn, app, form)
        gate.require_record(record_id, "read", deleted=None)
        hidden = gate.hidden
        found = merge.history_with_merged(conn, gate.ref, record_id, gate.where("read"))
        items = [history_json(h, gate.ref.form) | {"merged_from": source} for h, source in found]
        for item in items:
            item["changed"] = [k for k in item["changed"] if k not in hidden]
            item["data"] = gate.visible_data(item["data"])
        return JSONResponse({"items": items})


@router.get("/{record_id}/shares")
def get_shares(app: str, form: str, record_id: Id, db: DB, guard: Gatekeeper) -> Any:
    """Who the record is shared with (协作人): `{"users": [...], "departments": [...]}`."""
    with db.read() as conn:
        gate = guard.form(conn, app, form)
        gate.require_record(record_id, "read")
        return shares.shares_of(conn, record_id)


@router.put("/{record_id}/shares")
def put_shares(app: str, form: str, record_id: Id, body: SharesIn, db: DB, guard: Gatekeeper) -> Any:
    """Share the record with users and departments (they may read it); needs the update right on it."""
    with db.write() as conn:
        gate = guard.form(conn, app, form)
        gate.require_record(record_id, "update")
        before = shares.shares_of(conn, record_id)
        after = shares.set_shares(conn, record_id, body.users, body.departments)
        audit.write(conn, "record.share", guard.actor, guard.now, app=app, form=form, record_id=record_id,
                    detail={"before": before, "after": after})
        return after


@router.get("/{record_id}/audit")
def record_audit(app: str, form: str, record_id: Id, db: DB, guard: Gatekeeper,
                 limit: Annotated[int, Query(ge=1, le=audit.MAX_LIMIT)] = 100, cursor: str | None = None) -> Any:
    """The record's part of the audit log (its timeline), newest first, without hidden fields."""
    with db.read() as conn:
        gate = guard.form(conn, app, form)
        gate.require_record(record_id, "read", deleted=None)
        rows, next_cursor = audit.search(conn, audit.AuditQuery(app=app, form=form, record_id=record_id,
                                                                limit=limit, cursor=cursor))
        return {"items": [audit.entry_json(r, gate.hidden, gate.mask_value) for r in rows],
                "next_cursor": next_cursor}
