"""Apps: import, read, upgrade, versions — and the form builder's edits on the draft, then publish."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from engine.addons import is_addon
from engine.app import AppDefinition
from engine.errors import NotFound
from engine.forms import builder
from engine.forms.tightening import Decision, parse_decisions
from runtime import audit
from runtime.api.deps import DB, Version, change_for
from runtime.api.guard import Gatekeeper, require_admin
from runtime.apps import addons, definitions
from runtime.permissions.check import Guard
from runtime.permissions.definitions import visible_definition

router = APIRouter(prefix="/api/v1/apps", tags=["apps"])


def _visible(conn: Any, guard: Guard, app: str) -> None:
    if not guard.app_visible(conn, app):
        raise NotFound(f"应用 {app} 不存在", f"no app {app!r}")


def _summary(definition: Any, version: int) -> dict[str, Any]:
    return {"key": definition.key, "name": definition.name, "version": version, "label": definition.version,
            "definition": definition.dump()}


@router.get("")
def list_apps(db: DB, guard: Gatekeeper) -> Any:
    """The apps the user holds a role in (administrators: all)."""
    with db.read() as conn:
        return {"items": [{"key": r.key, "name": r.name, "version": r.version} for r in definitions.list_apps(conn)
                          if guard.app_visible(conn, r.key)]}


@router.post("", status_code=201)
def import_app(definition: Annotated[dict[str, Any], Body()], request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Import an app definition as version 1 (administrators); 409 if the key exists, 422 listing every problem.
    An add-on template (`tangram/addon@1`) is installed into its app instead, as that app's next version."""
    require_admin(guard.actor)
    with db.write() as conn:
        install = addons.install if is_addon(definition) else definitions.import_app
        app, version = install(conn, definition, change_for(request, guard.actor))
        audit.write(conn, "app.import", guard.actor, guard.now, app=app.key, detail={"version": version})
    return _summary(app, version)


@router.get("/{app}")
def get_app(app: str, db: DB, guard: Gatekeeper) -> Any:
    """The current definition (without the forms, fields and roles the user may not see, unless they manage it)."""
    with db.read() as conn:
        _visible(conn, guard, app)
        definition, version = definitions.current(conn, app)
        return _summary(definition, version) | {"definition": visible_definition(conn, guard, definition)}


@router.put("/{app}")
def upgrade_app(app: str, definition: Annotated[dict[str, Any], Body()], request: Request, db: DB,
                guard: Gatekeeper, dry_run: bool = False, discard_draft: bool = False) -> Any:
    """A new version, checked against stored records: 409 with the report when records break a new or
    stricter constraint and no decision says what to do. The body is the definition, or
    `{"definition": …, "decisions": […]}`; `?dry_run=true` answers the report and changes nothing.
    While the builder holds unpublished changes, 409 draft_pending: they would be lost without a word;
    `?discard_draft=true` drops them on purpose."""
    body, decisions = definition, None
    if "definition" in definition and "forms" not in definition:
        body, decisions = definition["definition"], parse_decisions(definition.get("decisions"))
    if dry_run:
        with db.read() as conn:
            guard.require_manage(conn, app)
            return _report(*definitions.check_upgrade(conn, app, body, change_for(request, guard.actor)))
    with db.write() as conn:
        guard.require_manage(conn, app)
        if not discard_draft:
            definitions.refuse_over_draft(conn, app)
        new, version = definitions.upgrade_app(conn, app, body, change_for(request, guard.actor), decisions)
        audit.write(conn, "app.upgrade", guard.actor, guard.now, app=app, detail=_decided(version, decisions))
    return _summary(new, version)


def _report(new: Any, problems: list[Any]) -> dict[str, Any]:
    return {"ok": not problems, "problems": definitions.report_json(new, problems)}


def _decided(version: int, decisions: list[Decision] | None) -> dict[str, Any]:
    """The audit entry of a publish: the version and what the publisher decided for each problem."""
    return {"version": version, "decisions": [d.model_dump(exclude_none=True) for d in decisions or []]}


@router.get("/{app}/versions")
def list_versions(app: str, db: DB, guard: Gatekeeper) -> Any:
    with db.read() as conn:
        _visible(conn, guard, app)
        rows = definitions.list_versions(conn, app)
    return {"items": [{"version": r.version, "label": r.label, "created_at": r.created_at.isoformat(),
                       "created_by": r.created_by} for r in rows]}


@router.get("/{app}/versions/{version}")
def get_version(app: str, version: Version, db: DB, guard: Gatekeeper) -> Any:
    with db.read() as conn:
        _visible(conn, guard, app)
        definition = definitions.version_of(conn, app, version)
        return _summary(definition, version) | {"definition": visible_definition(conn, guard, definition)}


# The builder: each edit changes the draft and returns the edited form; publish makes a version.

def edit_draft(app: str, request: Request, db: DB, guard: Guard, edit: Any, *, form: str | None = None,
               detail: dict[str, Any] | None = None) -> AppDefinition:
    """One builder edit on the draft, audited: needs `manage` on the form (no form: on the whole app).
    Returns the saved draft (422 with JSON paths when the edit breaks the definition)."""
    with db.write() as conn:
        guard.require_manage(conn, app, form)
        saved = definitions.save_draft(conn, app, edit(definitions.draft(conn, app)), change_for(request, guard.actor))
        audit.write(conn, "app.draft", guard.actor, guard.now, app=app, form=form,
                    detail={"edit": f"{request.method} {request.url.path}", **(detail or {})})
    return saved


def _edit(app: str, form: str, request: Request, db: DB, guard: Guard, edit: Any) -> Any:
    """A form builder edit: answers with the edited form."""
    return edit_draft(app, request, db, guard, edit, form=form).form(form).dump()


@router.get("/{app}/draft")
def get_draft(app: str, db: DB, guard: Gatekeeper) -> Any:
    """The builder's working copy (the current definition when nothing is being edited); for managers."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        return definitions.draft(conn, app)


@router.get("/{app}/draft/changes")
def get_draft_changes(app: str, db: DB, guard: Gatekeeper) -> Any:
    """Whether the builder holds unpublished changes, and which parts they add, change and remove."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        return definitions.draft_changes(conn, app)


@router.delete("/{app}/draft")
def discard_draft(app: str, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Drop the builder's unpublished changes (needs `manage` on the whole app); audited with what was
    dropped. The published version is untouched."""
    with db.write() as conn:
        guard.require_manage(conn, app)
        changes = definitions.draft_changes(conn, app)
        definitions.discard_draft(conn, app, change_for(request, guard.actor))
        if changes["pending"]:
            audit.write(conn, "app.draft.discard", guard.actor, guard.now, app=app,
                        detail={k: changes[k] for k in ("added", "updated", "removed")})
    return {"discarded": changes["pending"]}


@router.post("/{app}/forms", status_code=201)
def add_form(app: str, form: Annotated[dict[str, Any], Body()], request: Request, db: DB, guard: Gatekeeper) -> Any:
    """A new, empty (or pre-filled) form in the draft."""
    with db.read() as conn:
        guard.require_manage(conn, app)  # a new form is a change to the whole app
    return _edit(app, str(form.get("key")), request, db, guard, lambda d: builder.add_form(d, form))


@router.post("/{app}/forms/{form}/fields", status_code=201)
def add_field(app: str, form: str, field: Annotated[dict[str, Any], Body()], request: Request, db: DB,
              guard: Gatekeeper, position: int | None = None) -> Any:
    """Add a field (at `?position=N`, default the end)."""
    return _edit(app, form, request, db, guard, lambda d: builder.add_field(d, form, field, position))


@router.patch("/{app}/forms/{form}/fields/{key}")
def update_field(app: str, form: str, key: str, changes: Annotated[dict[str, Any], Body()], request: Request,
                 db: DB, guard: Gatekeeper) -> Any:
    """Change a field's options (`null` removes an option)."""
    return _edit(app, form, request, db, guard, lambda d: builder.update_field(d, form, key, changes))


@router.post("/{app}/forms/{form}/fields/{key}/move")
def move_field(app: str, form: str, key: str, position: Annotated[int, Body(embed=True)], request: Request,
               db: DB, guard: Gatekeeper) -> Any:
    """Move a field to `{"position": N}`."""
    return _edit(app, form, request, db, guard, lambda d: builder.move_field(d, form, key, position))


@router.delete("/{app}/forms/{form}/fields/{key}")
def remove_field(app: str, form: str, key: str, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Remove a field from the form; its stored values are kept."""
    return _edit(app, form, request, db, guard, lambda d: builder.remove_field(d, form, key))


@router.put("/{app}/forms/{form}/timelines/{key}")
def put_timeline(app: str, form: str, key: str, view: Annotated[dict[str, Any], Body()], request: Request, db: DB,
                 guard: Gatekeeper) -> Any:
    """Add or replace the timeline `key` (甘特图: start, end, group_by, done, scale) on the draft."""
    return _edit(app, form, request, db, guard, lambda d: builder.put_timeline(d, form, key, view))


@router.delete("/{app}/forms/{form}/timelines/{key}")
def remove_timeline(app: str, form: str, key: str, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Take the timeline `key` off the form in the draft."""
    return _edit(app, form, request, db, guard, lambda d: builder.remove_timeline(d, form, key))


@router.post("/{app}/publish/check")
def check_publish(app: str, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """The draft's report: per new or stricter constraint, how many records break it, with examples."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        return _report(*definitions.check_upgrade(conn, app, definitions.draft(conn, app),
                                                  change_for(request, guard.actor)))


@router.post("/{app}/publish")
def publish(app: str, request: Request, db: DB, guard: Gatekeeper,
            body: Annotated[dict[str, Any] | None, Body()] = None, dry_run: bool = False) -> Any:
    """Make the draft the next version (needs `manage` on the whole app); `{"decisions": […]}` says
    what to do with each problem of the report (409 with the report when one is left undecided);
    `?dry_run=true` is /publish/check."""
    if dry_run:
        return check_publish(app, request, db, guard)
    decisions = parse_decisions((body or {}).get("decisions"))
    with db.write() as conn:
        guard.require_manage(conn, app)
        new, version = definitions.publish(conn, app, change_for(request, guard.actor), decisions)
        audit.write(conn, "app.publish", guard.actor, guard.now, app=app, detail=_decided(version, decisions))
    return _summary(new, version)
