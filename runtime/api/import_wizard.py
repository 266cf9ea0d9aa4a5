"""The import wizard over HTTP (issue 26), under a form: upload a file, choose the sheet, header row and
mapping, dry-run, run in the background, follow the progress, download the error report; and the form's
import template. The steps themselves live in runtime/io/import_wizard.py (the CLI runs the same ones)."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from engine.errors import Conflict, UploadTooLarge
from runtime import audit
from runtime.api.deps import DB, AppSettings, change_for
from runtime.api.guard import Gatekeeper
from runtime.io import import_plan, import_runs, import_wizard
from runtime.io.import_files import template_bytes
from runtime.io.sheet_limits import SheetLimits
from runtime.io.spreadsheet import read_sheet
from runtime.records.files import save_file
from runtime.schemas.imports import ImportSpec

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}/imports", tags=["import wizard"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EDITABLE = ("uploaded", "checked", "failed")  # the statuses whose choices may still change


def _download(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename=\"import.xlsx\"; filename*=UTF-8''{quote(name)}"}


@router.get("/template")
def import_template(app: str, form: str, db: DB, guard: Gatekeeper) -> Any:
    """The form's import template (xlsx): its writable columns the importer may see, each select's options
    as a drop-down, an example row and each column's rules as a comment on its header."""
    with db.read() as conn:
        gate = guard.form(conn, app, form, "import")
    content = template_bytes(gate.ref.form, gate.hidden | gate.masked)
    return Response(content, media_type=XLSX, headers=_download(f"{gate.ref.form.name}-导入模板.xlsx"))


@router.get("/mapping")
def saved_mapping(app: str, form: str, db: DB, guard: Gatekeeper) -> Any:
    """The column mapping the form's last import saved (what the next upload starts from)."""
    with db.read() as conn:
        guard.form(conn, app, form, "import")
        return import_runs.saved_mapping(conn, app, form)


@router.get("")
def recent_imports(app: str, form: str, db: DB, guard: Gatekeeper) -> Any:
    """The importer's latest imports of the form, newest first (administrators: everyone's)."""
    with db.read() as conn:
        guard.form(conn, app, form, "import")
        return {"items": [_brief(r) for r in import_runs.recent(conn, app, form, guard.actor)]}


def _brief(row: Any) -> dict[str, Any]:
    shown = import_runs.as_json(row)
    shown["result"] = {k: v for k, v in row.result.items() if k in ("counts", "error")}
    return shown


@router.post("", status_code=201)
def upload(app: str, form: str, file: UploadFile, request: Request, db: DB, guard: Gatekeeper,
           settings: AppSettings) -> Any:
    """Multipart `file` (xlsx, xls, ods or CSV in UTF-8, UTF-8 with BOM, GBK or GB18030): a new import,
    with its sheets, top rows and each column's suggested field. Needs the import right."""
    limit = settings.max_upload_mb << 20
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(f"文件超过 {settings.max_upload_mb} MB", f"the file is over {settings.max_upload_mb} MB",
                             field="file", limit="max_upload_mb", max=settings.max_upload_mb)
    limits, change = SheetLimits.from_settings(settings), change_for(request, guard.actor)
    name = file.filename or "import"
    with db.read() as conn:  # an unreadable file is refused here, before anything is kept
        gate = import_wizard.gate_for(guard, conn, app, form)
        saved = import_runs.saved_mapping(conn, app, form)
        spec = ImportSpec(mode=saved.get("mode", "create"), key=saved.get("key", []), values=saved.get("values", {}),
                          header_row=import_wizard.header_row(gate, data, name, limits, saved))
        analysis = import_wizard.analyse(conn, gate, data, name, spec, limits, gate.writing(change))
    with db.write() as conn:
        meta = save_file(conn, settings.data_dir, io.BytesIO(data), name, file.content_type or "", change,
                         max_bytes=limit)
        run_id = import_runs.create(conn, app, form, guard.actor, meta["id"], name, spec.as_json(), change.now)
        run = import_runs.get(conn, app, form, run_id, guard.actor)
    return JSONResponse({**import_runs.as_json(run), "analysis": analysis}, status_code=201)


@router.get("/{run_id}")
def show_import(app: str, form: str, run_id: int, db: DB, guard: Gatekeeper) -> Any:
    """An import: its status, choices, progress (`done` of `total` rows) and its last dry run's or run's result."""
    with db.read() as conn:
        guard.form(conn, app, form, "import")
        return import_runs.as_json(import_runs.get(conn, app, form, run_id, guard.actor))


@router.get("/{run_id}/analysis")
def analysis(app: str, form: str, run_id: int, request: Request, db: DB, guard: Gatekeeper,
             settings: AppSettings) -> Any:
    """The mapping step of an import as its current choices make it (sheets, top rows, columns, values)."""
    with db.read() as conn:
        gate = import_wizard.gate_for(guard, conn, app, form)
        run = import_runs.get(conn, app, form, run_id, guard.actor)
        data = import_wizard.upload_bytes(settings.data_dir, run)
        return import_wizard.analyse(conn, gate, data, run.filename, ImportSpec.model_validate(run.spec),
                                     SheetLimits.from_settings(settings), gate.writing(change_for(request, guard.actor)))


@router.put("/{run_id}/spec")
def choose(app: str, form: str, run_id: int, spec: ImportSpec, request: Request, db: DB, guard: Gatekeeper,
           settings: AppSettings) -> Any:
    """Set the sheet, header row, column and value mapping, mode, business key and skip_bad; checked against
    the file (4xx naming the column or key), then a new dry run is needed. Returns the mapping step."""
    change, limits = change_for(request, guard.actor), SheetLimits.from_settings(settings)
    with db.write() as conn:
        gate = import_wizard.gate_for(guard, conn, app, form)
        run = import_runs.get(conn, app, form, run_id, guard.actor)
        _editable(run)
        data = import_wizard.upload_bytes(settings.data_dir, run)
        sheet = read_sheet(data, run.filename, limits, sheet=spec.sheet, header_row=spec.header_row)
        sheet.rows.close()
        if spec.columns is not None:
            import_plan.chosen_columns(gate.ref, spec, sheet.header, gate.hidden | gate.masked)
        import_runs.change(conn, run_id, change.now, spec=spec.as_json(), status="uploaded", result={})
        shown = import_wizard.analyse(conn, gate, data, run.filename, spec, limits, gate.writing(change))
        run = import_runs.get(conn, app, form, run_id, guard.actor)
    return {**import_runs.as_json(run), "analysis": shown}


def _editable(run: Any) -> None:
    if run.status not in EDITABLE:
        raise Conflict("导入已开始，不能再修改", "the import has started; its choices cannot change", status=run.status)


@router.post("/{run_id}/dry-run")
def dry_run(app: str, form: str, run_id: int, request: Request, db: DB, guard: Gatekeeper,
            settings: AppSettings) -> Any:
    """Check every row as the run would, writing nothing: counts of new / updated / unchanged / failed
    rows, the first rows as they will be stored (problems per cell) and every problem by row."""
    change, limits = change_for(request, guard.actor), SheetLimits.from_settings(settings)
    with db.read() as conn:
        run = import_runs.get(conn, app, form, run_id, guard.actor)
    _editable(run)
    result = import_wizard.dry_run(db, guard, run, import_wizard.upload_bytes(settings.data_dir, run), limits, change)
    with db.write() as conn:
        import_runs.change(conn, run_id, change.now, status="checked", result=result, total=result["counts"]["rows"])
        return import_runs.as_json(import_runs.get(conn, app, form, run_id, guard.actor))


@router.post("/{run_id}/run", status_code=202)
def run_import(app: str, form: str, run_id: int, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Start the import in the background (after a dry run that found no bad row, or with skip_bad); follow
    it with GET …/imports/{id}. Needs the rights of the dry run."""
    change = change_for(request, guard.actor)
    with db.write() as conn:
        run = import_runs.get(conn, app, form, run_id, guard.actor)
        import_wizard.gate_for(guard, conn, app, form, ImportSpec.model_validate(run.spec))
        import_wizard.start(conn, run, guard.actor, change.now)
        audit.write(conn, "import.start", guard.actor, change.now, app=app, form=form,
                    detail={"import": run_id, "file": run.filename})
        return JSONResponse(import_runs.as_json(import_runs.get(conn, app, form, run_id, guard.actor)),
                            status_code=202)


@router.get("/{run_id}/errors")
def error_report(app: str, form: str, run_id: int, db: DB, guard: Gatekeeper, settings: AppSettings) -> Any:
    """The rows that failed (the last dry run's or the run's) as uploaded, with a column 错误说明 saying what
    is wrong in each: fix them there and import the file again."""
    with db.read() as conn:
        guard.form(conn, app, form, "import")
        run = import_runs.get(conn, app, form, run_id, guard.actor)
    content = import_wizard.error_report(run, import_wizard.upload_bytes(settings.data_dir, run),
                                         SheetLimits.from_settings(settings))
    return Response(content, media_type=XLSX, headers=_download(f"{run.filename.rsplit('.', 1)[0]}-错误行.xlsx"))
