"""A selection of records (the list page's checkboxes): bulk update, bulk delete, CSV export.

Not under …/records/ because `records/{id}` would take the name; updates and deletes are all or nothing."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from engine.errors import BadQuery
from runtime.api.deps import DB, CurrentUser, change_for
from runtime.storage import definitions, selection

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}/selection", tags=["records"])


class Selected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[int] = Field(min_length=1, max_length=selection.MAX_SELECTION)


class SelectedUpdate(Selected):
    data: dict[str, Any] = Field(min_length=1)


@router.post("/update")
def update_selected(app: str, form: str, body: SelectedUpdate, request: Request, db: DB, user: CurrentUser) -> Any:
    """`{"ids": [...], "data": {...}}`: the same change on every record, or none at all."""
    with db.write() as conn:
        ref = definitions.form_ref(conn, app, form)
        rows = selection.update_selected(conn, ref, body.ids, body.data, change_for(request, user))
    return {"updated": len(rows), "items": [{"id": r.id, "version": r.version} for r in rows]}


@router.post("/delete")
def delete_selected(app: str, form: str, body: Selected, request: Request, db: DB, user: CurrentUser) -> Any:
    """`{"ids": [...]}`: soft-delete them all, or none when one cannot be."""
    with db.write() as conn:
        ref = definitions.form_ref(conn, app, form)
        rows = selection.delete_selected(conn, ref, body.ids, change_for(request, user))
    return {"deleted": len(rows)}


@router.get("/export.csv")
def export_selected(app: str, form: str, db: DB, user: CurrentUser,
                    ids: Annotated[str, Query(max_length=20000)]) -> Response:
    """`?ids=1,2,3`: a UTF-8 CSV (with BOM, so Excel reads Chinese) of those records, labels as headers."""
    try:
        wanted = [int(part) for part in ids.split(",") if part.strip()]
    except ValueError:
        raise BadQuery("ids 应为逗号分隔的记录编号", "ids must be comma-separated record ids", field="ids") from None
    if not wanted or len(wanted) > selection.MAX_SELECTION:
        raise BadQuery(f"请选择 1 到 {selection.MAX_SELECTION} 条记录", "select 1 to 1000 records", field="ids")
    with db.read() as conn:
        rows = selection.export_rows(conn, definitions.form_ref(conn, app, form), wanted)
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{form}.csv"'})
