"""A selection of records (the list page's checkboxes): bulk update, bulk delete, CSV export.

Not under …/records/ because `records/{id}` would take the name; updates and deletes are all or nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from engine.errors import EngineError
from engine.permissions.rights import Operation
from runtime.api.deps import DB, BodyId, change_for
from runtime.api.guard import Gatekeeper
from runtime.api.spreadsheets import export_records
from runtime.permissions.check import FormGate
from runtime.records import selection

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}/selection", tags=["records"])


class Selected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[BodyId] = Field(min_length=1, max_length=selection.MAX_SELECTION)


class SelectedUpdate(Selected):
    data: dict[str, Any] = Field(min_length=1)


def _each_in_scope(gate: FormGate, ids: list[int], op: Operation) -> None:
    """Every selected record is within the user's `op` scope; the error names the first that is not."""
    for record_id in ids:
        try:
            gate.require_record(record_id, op)
        except EngineError as e:
            e.extra.setdefault("record_id", record_id)
            raise


@router.post("/update")
def update_selected(app: str, form: str, body: SelectedUpdate, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """`{"ids": [...], "data": {...}}`: the same change on every record, or none at all; every record must be
    in the user's update scope (404 / 403 naming it otherwise) and no field read-only or hidden for them."""
    with db.write() as conn:
        gate = guard.form(conn, app, form, "update")
        gate.check_write([body.data])
        _each_in_scope(gate, body.ids, "update")
        change = gate.writing(change_for(request, guard.actor))
        rows = selection.update_selected(conn, gate.ref, body.ids, body.data, change)
    return {"updated": len(rows), "items": [{"id": r.id, "version": r.version} for r in rows]}


@router.post("/delete")
def delete_selected(app: str, form: str, body: Selected, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """`{"ids": [...]}`: soft-delete them all, or none when one cannot be (or is outside the delete scope)."""
    with db.write() as conn:
        gate = guard.form(conn, app, form, "delete")
        _each_in_scope(gate, body.ids, "delete")
        rows = selection.delete_selected(conn, gate.ref, body.ids, change_for(request, guard.actor))
    return {"deleted": len(rows)}


@router.get("/export.csv")
def export_selected(app: str, form: str, request: Request, db: DB, guard: Gatekeeper,
                    ids: Annotated[str, Query(max_length=20000)]) -> Response:
    """`?ids=1,2,3`: those records as the records export makes them (UTF-8 CSV with BOM, labels as headers,
    the user's visible fields, the export right and the audit log)."""
    return export_records(app, form, request, db, guard, format="csv", sort=None, fields=None, filter=None, ids=ids)
