"""Print templates of a form: print records (HTML for the print view, PDF rendered on the server), and the
builder's edits of the templates on the draft with a live preview (docs/printing.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from engine.app_check import parse_app
from engine.errors import InvalidDefinition, Issue, NotFound
from engine.forms import builder
from engine.forms.fields.relation import MAX_ID
from engine.printing.model import PrintTemplate
from engine.printing.template import template_issues
from runtime import audit
from runtime.api.apps import edit_draft
from runtime.api.deps import DB, AppSettings, change_for
from runtime.api.guard import Gatekeeper
from runtime.apps import definitions
from runtime.io import printing
from runtime.io.pdf import documents_to_pdf
from runtime.permissions.check import Guard
from runtime.records import records
from runtime.records.context import Change
from runtime.records.files import get_file

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}", tags=["printing"])

MAX_PRINTED = 200  # records in one PDF: a selection of the list page, not the whole form


def _answer(template: PrintTemplate, parts: list[tuple[str, str, str]], fmt: str) -> Response:
    """The print view's HTML (all records in one page), or the PDF: each record laid out as its own
    document, so its page numbers restart (第 1 页 / 共 N 页 of that record)."""
    if fmt == "html":
        return HTMLResponse(printing.document(template, parts, template.name))
    pdf = documents_to_pdf([printing.document(template, [part], template.name) for part in parts])
    disposition = f"inline; filename=\"print.pdf\"; filename*=UTF-8''{quote(template.name + '.pdf')}"
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.get("/print-templates")
def list_templates(app: str, form: str, db: DB, guard: Gatekeeper) -> Any:
    """The form's print templates (报价单, 合同 …) for a reader of the form."""
    with db.read() as conn:
        gate = guard.form(conn, app, form, "read")
    return {
        "items": [
            {"key": t.key, "name": t.name, "paper": t.paper, "orientation": t.orientation}
            for t in gate.ref.form.print_templates
        ]
    }


def printed(
    db: Any, guard: Guard, app: str, form: str, template: str, ids: str | None, change: Change, data_dir: Path, fmt: str
) -> tuple[PrintTemplate, list[tuple[str, str, str]]]:
    """The template and each record's (header, body, footer) as the actor may see it; audited. The API and
    the print view page both print through here."""
    wanted = printing.parse_ids(ids, MAX_PRINTED)
    with db.read() as conn:
        gate = guard.form(conn, app, form, "read")
        chosen = gate.ref.form.print_template(template)
        rows = []
        for record_id in wanted:
            gate.require_record(record_id, "read")
            rows.append(records.get(conn, gate.ref, record_id))
        parts = printing.print_records(
            gate, gate.ref.form, chosen, rows, change, printing.template_images(conn, data_dir, chosen)
        )
    with db.write() as conn:
        audit.write(
            conn,
            "record.print",
            guard.actor,
            guard.now,
            app=app,
            form=form,
            record_id=wanted[0] if len(wanted) == 1 else None,
            detail={"template": template, "ids": wanted, "format": fmt},
        )
    return chosen, parts


@router.get("/print/{template}")
def print_records(
    app: str,
    form: str,
    template: str,
    request: Request,
    db: DB,
    guard: Gatekeeper,
    settings: AppSettings,
    ids: str,
    format: Literal["pdf", "html"] = "pdf",
) -> Response:
    """`ids=1,2,3` printed with the template, one record per page run: a PDF (A4, Chinese fonts, page
    numbers) or the print view's HTML. Each record as the reader may see it; audited."""
    chosen, parts = printed(
        db, guard, app, form, template, ids, change_for(request, guard.actor), settings.data_dir, format
    )
    return _answer(chosen, parts, format)


def _template(body: dict[str, Any], key: str) -> PrintTemplate:
    """The posted template as a model; 422 naming each wrong option as `template.<option>`."""
    try:
        return PrintTemplate.model_validate({**body, "key": key})
    except ValidationError as e:
        issues = [
            Issue("template." + ".".join(str(p) for p in err["loc"]), "invalid", err["msg"], err["msg"])
            for err in e.errors()
        ]
        raise InvalidDefinition(
            f"打印模板有 {len(issues)} 处错误", f"the template has {len(issues)} problem(s)", issues=issues
        ) from None


def _own_images(conn: Any, guard: Any, template: PrintTemplate) -> None:
    """A logo or seal must be an upload of the editor (or the editor an administrator): a template never
    republishes someone else's attachment to every reader of the form."""
    for name in ("logo", "seal"):
        ref = getattr(template, name)
        if ref is None:
            continue
        try:
            meta = get_file(conn, ref.id)
        except NotFound:
            meta = None
        if meta is None or not (guard.actor.is_admin or meta.created_by == guard.actor.username):
            raise NotFound(f"图片文件 {ref.id} 不存在", f"no uploaded image {ref.id!r}", field=f"template.{name}")


@router.put("/print-templates/{key}")
def put_template(
    app: str,
    form: str,
    key: str,
    template: Annotated[dict[str, Any], Body()],
    request: Request,
    db: DB,
    guard: Gatekeeper,
) -> Any:
    """Add or replace a print template in the draft (managers; published with the app). 422 lists every
    problem at `forms[i].print_templates[j].<part>`, naming the placeholder."""
    chosen = _template(template, key)
    with db.read() as conn:
        _own_images(conn, guard, chosen)
    saved = edit_draft(
        app,
        request,
        db,
        guard,
        lambda d: builder.put_print_template(d, form, key, template),
        form=form,
        detail={"print_template": key},
    )
    return saved.form(form).print_template(key).model_dump(mode="json", exclude_defaults=True)


@router.delete("/print-templates/{key}", status_code=204)
def delete_template(app: str, form: str, key: str, request: Request, db: DB, guard: Gatekeeper) -> Response:
    """Remove a print template from the draft."""
    edit_draft(
        app,
        request,
        db,
        guard,
        lambda d: builder.remove_print_template(d, form, key),
        form=form,
        detail={"print_template": key},
    )
    return Response(status_code=204)


@router.post("/print-templates/preview")
def preview(
    app: str,
    form: str,
    request: Request,
    db: DB,
    guard: Gatekeeper,
    settings: AppSettings,
    template: Annotated[dict[str, Any], Body()],
    record_id: Annotated[int, Body(ge=1, le=MAX_ID)],
    format: Annotated[Literal["html", "pdf"], Body()] = "html",
) -> Response:
    """The builder's live preview: an unsaved template (checked against the draft's form: 422 naming the
    placeholder) filled in with one record the manager may read. Nothing is saved."""
    change = change_for(request, guard.actor)
    with db.read() as conn:
        guard.require_manage(conn, app, form)
        draft = parse_app(definitions.draft(conn, app))
        draft_form = draft.form(form)
        chosen = _template(template, str(template.get("key") or "preview"))
        issues = template_issues(draft_form, chosen, "template", draft.forms_by_key)
        if issues:
            raise InvalidDefinition(
                f"打印模板有 {len(issues)} 处错误", f"the template has {len(issues)} problem(s)", issues=issues
            )
        gate = guard.form(conn, app, form, "read")
        gate.require_record(record_id, "read")
        row = records.get(conn, gate.ref, record_id)
        parts = printing.print_records(
            gate, draft_form, chosen, [row], change, printing.template_images(conn, settings.data_dir, chosen)
        )
    return _answer(chosen, parts, format)
