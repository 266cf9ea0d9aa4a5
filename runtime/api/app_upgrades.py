"""Template upgrades (升级模板): preview the three-way merge of a new template version into an installed
app, choose per conflict, apply as the next version through the publish check of stored data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from engine.errors import BadQuery
from engine.forms.tightening import parse_decisions
from engine.upgrade.plan import parse_choices
from runtime import audit
from runtime.api.deps import DB, change_for
from runtime.api.guard import Gatekeeper
from runtime.apps import upgrades

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
    with db.write() as conn:
        guard.require_manage(conn, app)
        new, version = upgrades.apply(conn, app, _template(body), choices, change_for(request, guard.actor),
                                      decisions)
        audit.write(conn, "app.template_upgrade", guard.actor, guard.now, app=app,
                    detail={"version": version, "template_version": new.version, "choices": choices,
                            "decisions": [d.model_dump(exclude_none=True) for d in decisions]})
    return {"key": new.key, "name": new.name, "version": version, "label": new.version,
            "definition": new.dump()}
