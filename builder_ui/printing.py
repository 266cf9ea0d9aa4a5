"""Printing in the web UI: the print view (A4 pages on screen, 打印 and 下载 PDF) and the builder's print
template editor with a live preview. Both go through the same functions as the API (runtime/api/printing.py)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import select

from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from engine.app_check import parse_app
from engine.forms.expressions import sub_table_form
from engine.forms.model import FormDefinition
from engine.printing.template import MAX_HOPS, print_relations
from runtime.api.deps import DB, AppSettings, change_for
from runtime.api.printing import printed
from runtime.apps import definitions
from runtime.db.tables import live, records
from runtime.io import printing
from runtime.records.titles import titles

router = APIRouter(include_in_schema=False)

PREVIEW_CHOICES = 20  # the newest records offered for the builder's preview
UNPRINTED_RELATED = frozenset({"sub_table", "attachment"})  # a related record's rows and files: not offered


def _related(form: FormDefinition, forms: Mapping[str, FormDefinition], key: str, label: str, hops: int,
             only: str | None = None) -> list[dict[str, str]]:
    """The placeholders of the fields single relations of `form` lead to, `hops` steps deep (key and label
    paths: contact.customer.address, 联系人.客户.所在地区)."""
    out: list[dict[str, str]] = []
    for rel, target in print_relations(form, forms).items():
        if only is not None and rel != only:
            continue
        head, name = f"{key}{rel}.", f"{label}{form.by_key[rel].label}."
        out += [{"key": head + c.key, "label": name + c.label, "type": c.type}
                for c in target.fields if c.type not in UNPRINTED_RELATED]
        if hops > 1:
            out += _related(target, forms, head, name, hops - 1)
    return out


@router.get("/apps/{app}/forms/{form}/print/{template}")
def print_view(
    request: Request,
    app: str,
    form: str,
    template: str,
    user: Viewer,
    guard: PageGuard,
    db: DB,
    settings: AppSettings,
    ids: str = "",
) -> Response:
    """The records as they will print, with 打印 (the browser's) and 下载 PDF (rendered on the server)."""
    chosen, parts = printed(db, guard, app, form, template, ids, change_for(request, user), settings.data_dir, "view")
    pdf = f"/api/v1/apps/{app}/forms/{form}/print/{template}?{urlencode({'ids': ids, 'format': 'pdf'})}"
    back = f"/apps/{app}/forms/{form}" + (f"/records/{ids}" if ids.isdigit() else "")
    return render(
        request,
        "print/view.html",
        user=user,
        title=chosen.name,
        css=Markup(printing.page_css(chosen)),
        sections=Markup(printing.sections(parts)),
        pdf_url=pdf,
        back_url=back,
        count=len(parts),
    )


@router.get("/apps/{app}/builder/forms/{form}/print-templates")
def template_builder(
    request: Request, app: str, form: str, user: Viewer, guard: PageGuard, db: DB, template: str | None = None
) -> Response:
    """Edit the form's print templates on the draft: layout, header and footer, logo and seal, with a live
    preview of a chosen record."""
    with db.read() as conn:
        guard.require_manage(conn, app, form)
        draft = parse_app(definitions.draft(conn, app))
        _, published = definitions.current(conn, app)
        gate = guard.form(conn, app, form, "read")
        newest = (
            conn.execute(
                select(records.c.id)
                .where(
                    records.c.app == app,
                    records.c.form == form,
                    live(records),
                    *([w] if (w := gate.where("read")) is not None else []),
                )
                .order_by(records.c.id.desc())
                .limit(PREVIEW_CHOICES)
            )
            .scalars()
            .all()
        )
        readable = bool(newest) and gate.ref.form.title_field not in gate.hidden | gate.masked
        names = titles(conn, gate.ref.app, set(newest)) if readable else {}  # a hidden title stays #id
    form_def = draft.form(form)
    fields = [
        {
            "key": f.key,
            "label": f.label,
            "type": f.type,
            "columns": [{"key": c.key, "label": c.label} for c in getattr(f, "fields", [])]
            if f.type == "sub_table"
            else [],
            # the fields of the records single relations lead to, two steps: {{ customer.address }} (客户.所在地区),
            # {{ contact.customer.address }}; a sub-table's relation columns, for its rows: {{ product.name }}
            "related": _related(sub_table_form(f), draft.forms_by_key, "", "", 1)
            if f.type == "sub_table"
            else _related(form_def, draft.forms_by_key, "", "", MAX_HOPS, only=f.key),
            "in_rows": f.type == "sub_table",
        }
        for f in form_def.fields
    ]
    templates = [t.model_dump(mode="json") for t in form_def.print_templates]
    return render(
        request,
        "print/builder.html",
        user=user,
        app_key=app,
        app_name=draft.name,
        form=form_def,
        published=published,
        data={
            "app": app,
            "form": form,
            "templates": templates,
            "fields": fields,
            "records": [{"id": i, "title": names.get(i, f"#{i}")} for i in newest],
            "chosen": template,
        },
    )
