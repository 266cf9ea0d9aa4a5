"""Likely duplicates of a record (the form's duplicate rules): checked for a draft or a stored record, and
the refusal the interactive create and edit give (docs/api.md, 查重)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from engine.dedup.match import Match
from runtime.api.deps import DB, MAX_ID, change_for
from runtime.api.errors import language
from runtime.api.guard import Gatekeeper
from runtime.db.tables import records as records_table
from runtime.permissions.check import FormGate
from runtime.records import duplicates, records
from runtime.records.preview import preview
from runtime.records.titles import titles

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}/duplicates", tags=["records"])


class DraftIn(BaseModel):
    """`{"data": {...}, "record_id": 12}`: the record as typed, and which stored record it is (when editing)."""

    model_config = ConfigDict(extra="forbid")
    data: dict[str, Any]
    record_id: int | None = Field(default=None, ge=1, le=MAX_ID)


def seen_by(gate: FormGate, found: Sequence[Match]) -> list[Match]:
    """The matches this actor may know of: under rules reading only fields they see, on records they may
    read. Any other would tell them that a record they may not see holds the value they typed."""
    blind = duplicates.blind_rules(gate.ref.form, gate.hidden | gate.masked)
    kept = [m for m in found if m.rule not in blind]
    if not kept or gate.rights.unrestricted:
        return kept
    if not gate.may("read"):
        return []
    query = select(records_table.c.id).where(records_table.c.id.in_(sorted({m.record_id for m in kept})))
    clause = gate.where("read")
    readable = set(gate.conn.scalars(query.where(clause) if clause is not None else query))
    return [m for m in kept if m.record_id in readable]


def shown(gate: FormGate, found: Sequence[Match]) -> list[dict[str, Any]]:
    """The matches (already `seen_by` the actor) as they may see them: a record whose title field they may
    not see is titled `#id`, without a link."""
    names = titles(gate.conn, gate.ref.app, {m.record_id for m in found})
    shown_titles = gate.titles_on(gate.conn, gate.ref.form.key, names)
    items = duplicates.matches_json(gate.ref, found, shown_titles)
    for item in items:
        if shown_titles.get(item["id"], "#") == f"#{item['id']}":
            item["url"] = None
    return items


def refuse_duplicates(gate: FormGate, record_id: int, data: dict[str, Any], allow: bool) -> None:
    """Raise the write's refusal when the record, as it will be stored, likely duplicates others (only
    what the writer may know of warns or is listed; a block on anything else still refuses, anonymously)."""
    if not gate.ref.form.duplicate_rules:
        return
    found = duplicates.find(gate.conn, gate.ref, data, exclude=[record_id])
    seen = seen_by(gate, found)
    error = duplicates.refusal(gate.ref, found, allow, seen)
    if error is not None:
        error.extra["duplicates"] = shown(gate, seen) if "record_ids" in error.extra else []
        raise error


def answer(gate: FormGate, found: Sequence[Match]) -> dict[str, Any]:
    """What a check of a record answers: its likely duplicates and related records (branches) the actor may
    know of, and whether a block rule refuses it."""
    items = shown(gate, seen_by(gate, found))
    return {
        "duplicates": [i for i in items if i["relation"] == "duplicate"],
        "related": [i for i in items if i["relation"] == "branch"],
        "blocked": any(i["action"] == "block" for i in items if i["relation"] == "duplicate"),
    }


@router.get("")
def stored_duplicates(
    app: str, form: str, record_id: Annotated[int, Query(ge=1, le=MAX_ID)], db: DB, guard: Gatekeeper
) -> Any:
    """`?record_id=12` → the stored records that record likely duplicates: `{"duplicates": [...], "related":
    [...] (branches), "blocked": bool}`, each `{id, title, rule, rule_name, action, score, relation, url}`."""
    with db.read() as conn:
        gate = guard.form(conn, app, form, "read")
        gate.require_record(record_id, "read")
        row = records.get(conn, gate.ref, record_id)
        return answer(gate, duplicates.find(conn, gate.ref, row.data, exclude=[record_id]))


@router.post("")
def draft_duplicates(app: str, form: str, body: DraftIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """A record being filled in (`{"data", "record_id"}`) → the same answer as GET, and `issues`: values
    that do not fit yet are left out and listed, as in the preview. Nothing is written."""
    with db.read() as conn:
        gate = guard.form(conn, app, form, "read")
        gate.check_write([body.data])
        if body.record_id is not None:
            gate.require_record(body.record_id, "read")
        data, issues = preview(conn, gate.ref, body.data, gate.writing(change_for(request, guard.actor)))
        exclude = [body.record_id] if body.record_id is not None else []
        found = answer(gate, duplicates.find(conn, gate.ref, data or {}, exclude=exclude))
        return found | {"issues": [i.as_dict(language(request)) for i in issues]}
