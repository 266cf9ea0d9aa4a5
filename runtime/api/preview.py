"""A record being filled in, computed without saving: the web form shows formulas and sub-table
subtotals as the user types, from the engine's own functions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from engine.forms.visibility import hidden_fields
from runtime.api.deps import DB, MAX_ID, change_for
from runtime.api.duplicates import answer
from runtime.api.errors import language
from runtime.api.guard import Gatekeeper
from runtime.records import duplicates
from runtime.records.preview import preview
from runtime.schemas.records import RecordIn

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}/records", tags=["records"])


@router.post("/preview")
def preview_record(app: str, form: str, body: RecordIn, request: Request, db: DB, guard: Gatekeeper,
                   record_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Any:
    """`{"data": {...}}` → `{"data": <computed values or null>, "issues": [...], "hidden": [...]}`; required
    fields are not demanded and values that do not fit are left out and listed; `hidden` names the fields
    whose `visible_when` is false for these values. A form with duplicate rules also answers 可能重复 as
    `POST …/duplicates` does (`duplicates`, `related`, `blocked`); `?record_id=` is the record being edited,
    never its own duplicate. Nothing is written."""
    user = guard.actor
    change = change_for(request, user)
    with db.read() as conn:
        gate = guard.form(conn, app, form)
        gate.check_write([body.data])
        ref = gate.ref
        data, issues = preview(conn, ref, body.data, gate.writing(change))
        if record_id is not None:
            gate.require_record(record_id, "read")
        exclude = [record_id] if record_id is not None else []
        found = answer(gate, duplicates.find(conn, ref, data or {}, exclude=exclude)) if ref.form.duplicate_rules else {}
        masked = gate.masked
        if data is not None:
            data = gate.visible_data(data)
    # Conditions see masked values as blank, as they see hidden ones: a mask is no value to compare.
    unmasked = {k: v for k, v in data.items() if k not in masked} if data is not None else None
    hidden = hidden_fields(ref.form, unmasked, change.ctx, user.username) if unmasked is not None else []
    lang = language(request)
    return JSONResponse({"data": data, "issues": [i.as_dict(lang) for i in issues], "hidden": hidden, **found})
