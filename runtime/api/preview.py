"""A record being filled in, computed without saving: the web form shows formulas and sub-table
subtotals as the user types, from the engine's own functions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from runtime.api.deps import DB, CurrentUser, change_for
from runtime.api.errors import language
from runtime.schemas.records import RecordIn
from runtime.storage import definitions
from runtime.storage.preview import preview

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}/records", tags=["records"])


@router.post("/preview")
def preview_record(app: str, form: str, body: RecordIn, request: Request, db: DB, user: CurrentUser) -> Any:
    """`{"data": {...}}` → `{"data": <computed values or null>, "issues": [...]}`; required fields are not
    demanded and values that do not fit are left out and listed. Nothing is written."""
    with db.read() as conn:
        ref = definitions.form_ref(conn, app, form)
        data, issues = preview(conn, ref, body.data, change_for(request, user))
    lang = language(request)
    return JSONResponse({"data": data, "issues": [i.as_dict(lang) for i in issues]})
