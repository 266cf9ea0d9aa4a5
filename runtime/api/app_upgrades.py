"""Template upgrades (升级模板): preview the three-way merge of a new template version — of the app, or of an
add-on installed into it — into an installed app, choose per conflict, apply as the next version through
the publish check of stored data; the add-ons installed into an app, and removing one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from engine.addons import is_addon
from engine.errors import BadQuery
from engine.forms.tightening import parse_decisions
from engine.upgrade.plan import parse_choices
from runtime import audit
from runtime.api.deps import DB, change_for
from runtime.api.guard import Gatekeeper, require_admin
from runtime.apps import addons, upgrades

router = APIRouter(prefix="/api/v1/apps", tags=["apps"])


def _template(body: dict[str, Any]) -> dict[str, Any]:
    template = body.get("template")
    if not isinstance(template, dict):
        raise BadQuery("请求体应含 template：新版本的模板定义", "the body needs `template`: the new template version",
                       field="template")
    return template


@router.get("/{app}/template")
def get_template(app: str, db: DB, guard: Gatekeeper) -> Any:
    """The template version the app was installed from or last upgraded to (the base of the next upgrade)."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        template = upgrades.template_of(conn, app)
    return {"key": template.key, "name": template.name, "label": template.version, "definition": template.dump()}


@router.post("/{app}/upgrade/preview")
def preview_upgrade(app: str, body: Annotated[dict[str, Any], Body()], request: Request, db: DB,
                    guard: Gatekeeper) -> Any:
    """`{"template": …, "choices": {path: "ours"|"theirs"}}` → what the upgrade adds, updates, removes and
    keeps, its conflicts (base / ours / theirs) and the publish report of the merged definition. Writes nothing."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        return upgrades.preview(conn, app, _template(body), parse_choices(body.get("choices")),
                                change_for(request, guard.actor))


@router.post("/{app}/upgrade")
def apply_upgrade(app: str, body: Annotated[dict[str, Any], Body()], request: Request, db: DB,
                  guard: Gatekeeper) -> Any:
    """Apply the upgrade as the app's next version: 409 `upgrade_conflicts` naming every conflict without a
    choice, 409 `incompatible_change` with the publish report when stored records need `decisions`."""
    choices = parse_choices(body.get("choices"))
    decisions = parse_decisions(body.get("decisions"))
    template = _template(body)
    with db.write() as conn:
        guard.require_manage(conn, app)
        new, version = upgrades.apply(conn, app, template, choices, change_for(request, guard.actor), decisions)
        upgraded = ({"addon": template.get("key"), "addon_version": template.get("version")} if is_addon(template)
                    else {"template_version": new.version})
        audit.write(conn, "app.template_upgrade", guard.actor, guard.now, app=app,
                    detail={"version": version, **upgraded, "choices": choices,
                            "decisions": [d.model_dump(exclude_none=True) for d in decisions]})
    return {"key": new.key, "name": new.name, "version": version, "label": new.version,
            "definition": new.dump()}


@router.get("/{app}/addons")
def list_addons(app: str, db: DB, guard: Gatekeeper) -> Any:
    """The add-on templates installed into the app: key, name, version and the parts each put in."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        return {"items": addons.installed_addons(conn, app)}


@router.get("/{app}/addons/{key}/removal")
def removal_preview(app: str, key: str, db: DB, guard: Gatekeeper) -> Any:
    """What removing the add-on takes out (`parts`) and the stored records of its forms (`records`: per form)."""
    require_admin(guard.actor)
    with db.read() as conn:
        return addons.removal_preview(conn, app, key)


@router.delete("/{app}/addons/{key}")
def remove_addon(app: str, key: str, request: Request, db: DB, guard: Gatekeeper, confirm: bool = False) -> Any:
    """Take the add-on out of the app as its next version (administrators). 409 `addon_has_records` with the
    counts while its forms hold records and `?confirm=true` is not given (the records are kept, hidden, and
    visible again when it is installed again); 409 `draft_pending` while the builder holds unpublished
    changes; 422 at the path of a part of the app's own that still names one of its forms or fields."""
    require_admin(guard.actor)
    with db.write() as conn:
        new, version, kept = addons.remove(conn, app, key, change_for(request, guard.actor), confirm=confirm)
        audit.write(conn, "app.addon_remove", guard.actor, guard.now, app=app,
                    detail={"addon": key, "version": version, "records": kept})
    return {"key": new.key, "version": version, "removed": key, "records_kept": kept}
