"""查重: a form's stored records that likely duplicate each other, in groups (largest first, a page at a time),
each with its records and 合并 leading to the merge page (builder_ui/merge.py), as the form's last scan found
them (生成于 …). The page draws the groups API's answer (runtime/api/duplicate_groups.py); 开始查重 / 重新查重
and the scan's progress are duplicate_scan.js on the scan API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from builder_ui.records import visible_form
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from runtime.api.deps import DB
from runtime.api.duplicate_groups import groups_page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20


@router.get("/apps/{app}/forms/{form}/duplicates")
def duplicates_view(
    request: Request,
    app: str,
    form: str,
    user: Viewer,
    guard: PageGuard,
    db: DB,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The groups of one form's likely duplicates, as the API gives them to this user."""
    with db.read() as conn:
        gate = guard.form(conn, app, form, "read")
        found = groups_page(gate, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render(
        request,
        "duplicates/page.html",
        user=user,
        app=gate.ref.app,
        form=visible_form(gate.ref.form, gate.hidden),
        groups=found["groups"],
        scan=found["scan"],
        total=found["total"],
        page=page,
        prev_url=f"?page={page - 1}" if page > 1 else None,
        next_url=f"?page={page + 1}" if page * PAGE_SIZE < found["total"] else None,
    )
