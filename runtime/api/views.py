"""Saved list views and the column layout of each user, per form (the web UI's list page uses them)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from runtime.api.deps import DB, CurrentUser, Id, change_for
from runtime.api.guard import NO_RECORDS
from runtime.apps import definitions
from runtime.records import views
from runtime.schemas.views import LayoutIn, ViewIn, view_json

# A user's own saved list specs and column order: no record data (the list itself goes through the gate).
router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}", tags=["views"], dependencies=[NO_RECORDS])


@router.get("/views")
def list_views(app: str, form: str, db: DB, user: CurrentUser) -> Any:
    """The user's saved views of this form, by name."""
    with db.read() as conn:
        ref = definitions.form_ref(conn, app, form)
        return {"items": [view_json(r) for r in views.list_views(conn, user.user_id or 0, ref)]}


@router.post("/views", status_code=201)
def create_view(app: str, form: str, body: ViewIn, request: Request, db: DB, user: CurrentUser) -> Any:
    """Save a view; 400 naming the part the list cannot run, 409 when the name is taken."""
    with db.write() as conn:
        ref = definitions.form_ref(conn, app, form)
        return view_json(views.save_view(conn, user.user_id or 0, ref, body, change_for(request, user)))


@router.put("/views/{view_id}")
def replace_view(app: str, form: str, view_id: Id, body: ViewIn, request: Request, db: DB, user: CurrentUser) -> Any:
    with db.write() as conn:
        ref = definitions.form_ref(conn, app, form)
        return view_json(views.save_view(conn, user.user_id or 0, ref, body, change_for(request, user), view_id))


@router.delete("/views/{view_id}", status_code=204)
def delete_view(app: str, form: str, view_id: Id, db: DB, user: CurrentUser) -> None:
    with db.write() as conn:
        views.delete_view(conn, user.user_id or 0, definitions.form_ref(conn, app, form), view_id)


@router.get("/layout")
def get_layout(app: str, form: str, db: DB, user: CurrentUser) -> Any:
    """`{"columns": [...]}`, or `{"columns": null}` when the user never chose."""
    with db.read() as conn:
        return {"columns": views.layout(conn, user.user_id or 0, definitions.form_ref(conn, app, form))}


@router.put("/layout")
def set_layout(app: str, form: str, body: LayoutIn, request: Request, db: DB, user: CurrentUser) -> Any:
    """Remember the list's columns and their order for this user."""
    with db.write() as conn:
        ref = definitions.form_ref(conn, app, form)
        return {"columns": views.set_layout(conn, user.user_id or 0, ref, body.columns, change_for(request, user))}
