"""应用设置 → 升级模板: upload a new template version, see the preview (additions, template updates and
removals, kept local changes, conflicts side by side with a choice each), apply through the publish check —
the app's template or an add-on's new version; the add-ons installed into the app, each removable; and the
app's export and its import as a copy. The page renders; the browser calls the JSON API
(runtime/api/app_upgrades.py, app_transfer.py) from static/js/template_upgrade.js."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from runtime.api.deps import DB
from runtime.apps import addons, definitions, upgrades

router = APIRouter(include_in_schema=False)


@router.get("/apps/{app}/builder/upgrade")
def upgrade_page(request: Request, app: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    with db.read() as conn:
        guard.require_manage(conn, app)
        definition, version = definitions.current(conn, app)
        template = upgrades.template_of(conn, app)
        installed = addons.installed_addons(conn, app)
    return render(request, "builder/upgrade.html", user=user, app_key=app, app_name=definition.name,
                  version=version, template_key=template.key, template_label=template.version, addons=installed)
