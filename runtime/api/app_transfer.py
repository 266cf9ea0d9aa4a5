"""An app's export (definition, template, optionally records) and its import as a new app or a copy."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from engine.errors import BadQuery
from engine.keys import KEY_RE
from runtime import audit
from runtime.api.deps import DB, change_for
from runtime.api.guard import Gatekeeper, require_admin
from runtime.apps import transfer

router = APIRouter(prefix="/api/v1/apps", tags=["apps"])


@router.post("/import", status_code=201)
def import_app(bundle: Annotated[dict[str, Any], Body()], request: Request, db: DB, guard: Gatekeeper,
               key: str | None = None) -> Any:
    """An export (`GET …/export`) or a bare definition as a new app; `?key=crm2` imports it as a copy under
    that key, every reference to the app's key rewritten and the records' relations kept within the copy.
    Administrators; 409 if the key is taken, 422 listing every problem of the definition or the records."""
    require_admin(guard.actor)
    if key is not None and not KEY_RE.match(key):
        raise BadQuery(f"应用键 {key[:70]} 不合规：小写字母开头，只含小写字母、数字和下划线",
                       f"app key {key[:70]!r} must be snake_case ASCII starting with a letter", field="key")
    with db.write() as conn:
        app, counts = transfer.import_bundle(conn, bundle, change_for(request, guard.actor), key)
        audit.write(conn, "app.import", guard.actor, guard.now, app=app.key, detail={"version": 1, "records": counts})
    return {"key": app.key, "name": app.name, "version": 1, "records": counts}


@router.get("/{app}/export")
def export_app(app: str, db: DB, guard: Gatekeeper, records: bool = False) -> Any:
    """The app as one JSON file: definition, the template it was installed from, and with `?records=true`
    every live record (administrators: the records are read whole, past every row scope)."""
    require_admin(guard.actor)
    if not records:
        with db.read() as conn:
            bundle = transfer.export_app(conn, app)
    else:  # every record leaves the system: audited like a record export
        with db.write() as conn:
            bundle = transfer.export_app(conn, app, with_records=True)
            audit.write(conn, "app.export", guard.actor, guard.now, app=app,
                        detail={"records": {form: len(rows) for form, rows in bundle["records"].items()}})
    return JSONResponse(bundle, headers={"Content-Disposition": f'attachment; filename="{app}.tangram.json"'})
