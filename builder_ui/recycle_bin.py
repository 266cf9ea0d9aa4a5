"""回收站: a form's deleted records, newest deletion first, with who deleted them and when; search; restore
one or several, and for a merged record a link to the one it went into and 撤销合并. The page draws the bin
API's answer (runtime/api/recycle_bin.py); recycle_bin.js POSTs each restore to the records API."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui.records import visible_form
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from runtime.accounts.people import display_names
from runtime.api.deps import DB
from runtime.api.recycle_bin import bin_json, bin_page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


@router.get("/apps/{app}/forms/{form}/bin")
def bin_view(
    request: Request, app: str, form: str, user: Viewer, guard: PageGuard, db: DB, q: str = "", cursor: str = ""
) -> Response:
    """The bin of one form: 403 without the form's restore (delete) right, as the API."""
    with db.read() as conn:
        gate = guard.form(conn, app, form)
        page = bin_json(gate, bin_page(gate, q, PAGE_SIZE, cursor or None))
        names = display_names(conn, {i["deleted_by"] for i in page["items"] if i["deleted_by"]})
    params = [("q", q)] if q else []
    return render(
        request,
        "bin/page.html",
        user=user,
        app=gate.ref.app,
        form=visible_form(gate.ref.form, gate.hidden),
        items=page["items"],
        names=names,
        q=q,
        next_url=f"?{urlencode([*params, ('cursor', page['next_cursor'])])}" if page["next_cursor"] else None,
    )
