"""Bundled templates (apps/*.json): which are installed, and installing one (administrators) — the CRM as
a new app, 进销存 and 项目管理 into the CRM (runtime/apps/addons.py), optionally with their demo records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from engine.addons import is_addon
from runtime import audit
from runtime.api.deps import DB, change_for
from runtime.api.guard import Gatekeeper, require_admin
from runtime.apps import addons, definitions
from runtime.demo.declared import load_declared

router = APIRouter(prefix="/api/v1/templates", tags=["apps"])


@router.get("")
def list_templates(db: DB, guard: Gatekeeper) -> Any:
    """Each bundled template with `state`: `installed`, `available`, or `needs_app` (an add-on whose app is missing)."""
    require_admin(guard.actor)
    with db.read() as conn:
        return {"items": addons.install_state(conn)}


def install_template(key: str, demo: bool, request: Request, db: Any, guard: Any) -> dict[str, Any]:
    """Install (and with `demo`, fill with the template's declared demo records); the app's new version."""
    require_admin(guard.actor)
    data = addons.template(key)
    with db.write() as conn:
        change = change_for(request, guard.actor)
        if is_addon(data):
            app, version = addons.install(conn, data, change)
        else:
            app, version = definitions.import_app(conn, data, change)
        audit.write(conn, "app.template_install", guard.actor, guard.now, app=app.key,
                    detail={"template": key, "version": version, "demo": demo})
    written = load_declared(db, data, now=guard.now) if demo and data.get("demo") else {}
    return {"template": key, "app": app.key, "version": version, "demo": written}


@router.post("/{key}/install", status_code=201)
def install(key: str, request: Request, db: DB, guard: Gatekeeper,
            body: Annotated[dict[str, Any] | None, Body()] = None) -> Any:
    """`{"demo": true}` also loads the template's declared demo records. 409 when installed already,
    404 for an add-on whose app is not installed, 422 naming each clash with the app's own forms."""
    return install_template(key, bool((body or {}).get("demo")), request, db, guard)
