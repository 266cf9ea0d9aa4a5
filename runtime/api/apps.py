"""Apps: import, read, upgrade, versions — and the form builder's edits on the draft, then publish."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from engine.errors import Forbidden
from engine.forms import builder
from runtime.api.deps import DB, CurrentUser, change_for
from runtime.storage import definitions
from runtime.storage.context import Actor

router = APIRouter(prefix="/api/v1/apps", tags=["apps"])


def _admin(user: Actor) -> None:
    # Until roles land (the permissions issue), only administrators change definitions.
    if not user.is_admin:
        raise Forbidden("只有管理员可以修改应用定义", "only administrators can change app definitions")


def _summary(definition: Any, version: int) -> dict[str, Any]:
    return {"key": definition.key, "name": definition.name, "version": version, "label": definition.version,
            "definition": definition.dump()}


@router.get("")
def list_apps(db: DB, user: CurrentUser) -> Any:
    with db.read() as conn:
        return {"items": [{"key": r.key, "name": r.name, "version": r.version} for r in definitions.list_apps(conn)]}


@router.post("", status_code=201)
def import_app(definition: Annotated[dict[str, Any], Body()], request: Request, db: DB, user: CurrentUser) -> Any:
    """Import an app definition as version 1; 409 if the key exists, 422 listing every problem."""
    _admin(user)
    with db.write() as conn:
        app, version = definitions.import_app(conn, definition, change_for(request, user))
    return _summary(app, version)


@router.get("/{app}")
def get_app(app: str, db: DB, user: CurrentUser) -> Any:
    """The current definition."""
    with db.read() as conn:
        definition, version = definitions.current(conn, app)
    return _summary(definition, version)


@router.put("/{app}")
def upgrade_app(app: str, definition: Annotated[dict[str, Any], Body()], request: Request, db: DB,
                user: CurrentUser) -> Any:
    """A new version, checked against stored records (409 with counts when they cannot follow)."""
    _admin(user)
    with db.write() as conn:
        new, version = definitions.upgrade_app(conn, app, definition, change_for(request, user))
    return _summary(new, version)


@router.get("/{app}/versions")
def list_versions(app: str, db: DB, user: CurrentUser) -> Any:
    with db.read() as conn:
        rows = definitions.list_versions(conn, app)
    return {"items": [{"version": r.version, "label": r.label, "created_at": r.created_at.isoformat(),
                       "created_by": r.created_by} for r in rows]}


@router.get("/{app}/versions/{version}")
def get_version(app: str, version: int, db: DB, user: CurrentUser) -> Any:
    with db.read() as conn:
        return _summary(definitions.version_of(conn, app, version), version)


# The builder: each edit changes the draft and returns the edited form; publish makes a version.

def _edit(app: str, form: str, request: Request, db: DB, user: CurrentUser, edit: Any) -> Any:
    _admin(user)
    with db.write() as conn:
        draft = edit(definitions.draft(conn, app))
        saved = definitions.save_draft(conn, app, draft, change_for(request, user))
    return saved.form(form).dump()


@router.get("/{app}/draft")
def get_draft(app: str, db: DB, user: CurrentUser) -> Any:
    """The builder's working copy (the current definition when nothing is being edited)."""
    with db.read() as conn:
        return definitions.draft(conn, app)


@router.post("/{app}/forms", status_code=201)
def add_form(app: str, form: Annotated[dict[str, Any], Body()], request: Request, db: DB, user: CurrentUser) -> Any:
    """A new, empty (or pre-filled) form in the draft."""
    return _edit(app, str(form.get("key")), request, db, user, lambda d: builder.add_form(d, form))


@router.post("/{app}/forms/{form}/fields", status_code=201)
def add_field(app: str, form: str, field: Annotated[dict[str, Any], Body()], request: Request, db: DB,
              user: CurrentUser, position: int | None = None) -> Any:
    """Add a field (at `?position=N`, default the end)."""
    return _edit(app, form, request, db, user, lambda d: builder.add_field(d, form, field, position))


@router.patch("/{app}/forms/{form}/fields/{key}")
def update_field(app: str, form: str, key: str, changes: Annotated[dict[str, Any], Body()], request: Request,
                 db: DB, user: CurrentUser) -> Any:
    """Change a field's options (`null` removes an option)."""
    return _edit(app, form, request, db, user, lambda d: builder.update_field(d, form, key, changes))


@router.post("/{app}/forms/{form}/fields/{key}/move")
def move_field(app: str, form: str, key: str, position: Annotated[int, Body(embed=True)], request: Request,
               db: DB, user: CurrentUser) -> Any:
    """Move a field to `{"position": N}`."""
    return _edit(app, form, request, db, user, lambda d: builder.move_field(d, form, key, position))


@router.delete("/{app}/forms/{form}/fields/{key}")
def remove_field(app: str, form: str, key: str, request: Request, db: DB, user: CurrentUser) -> Any:
    """Remove a field from the form; its stored values are kept."""
    return _edit(app, form, request, db, user, lambda d: builder.remove_field(d, form, key))


@router.post("/{app}/publish")
def publish(app: str, request: Request, db: DB, user: CurrentUser) -> Any:
    """Make the draft the next version."""
    _admin(user)
    with db.write() as conn:
        new, version = definitions.publish(conn, app, change_for(request, user))
    return _summary(new, version)
