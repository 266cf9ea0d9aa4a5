"""接收接口 (an app's inbound hooks), for those who manage the app: each hook with its URL, when its secret was
made and a button to rotate it (the new secret shown once), the editor of a hook (form, auth, mode, mapping
rows field ← expression, each checked by the engine), and the deliveries log with its filters. Everything the
page changes goes through the JSON API (runtime/api/hooks.py) from hooks.js."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from runtime.api.deps import DB
from runtime.api.hooks import hook_url
from runtime.apps import definitions
from runtime.hooks import deliveries, secrets

router = APIRouter(include_in_schema=False)


@router.get("/apps/{app}/hooks")
def hooks_page(request: Request, app: str, user: Viewer, guard: PageGuard, db: DB, hook: str = "",
               status: Annotated[str, Query(pattern="^(|ok|error)$")] = "", delivery_id: str = "") -> Response:
    with db.read() as conn:
        guard.require_manage(conn, app)
        definition, _ = definitions.current(conn, app)
        made = secrets.made_at(conn, app)
        rows = deliveries.search(conn, app, hook=hook or None, status=status or None,
                                 delivery_id=delivery_id or None, limit=100)
    hooks = [{"hook": h, "url": hook_url(request, app, h.key), "secret_set_at": made.get(h.key)}
             for h in definition.hooks]
    editor = {"app": app, "hooks": [h.model_dump(mode="json", exclude_none=True) for h in definition.hooks],
              "forms": [{"key": f.key, "name": f.name,
                         "fields": [{"key": x.key, "label": x.label, "type": x.type,
                                     # a single relation may be looked up by a field of its form (`lookups`)
                                     "target": getattr(x, "target", None) if not getattr(x, "multiple", False) else None}
                                    for x in f.fields if not x.computed]}
                        for f in definition.forms],
              "flows": [{"key": f.key, "name": f.name, "form": f.form} for f in definition.flows]}
    return render(request, "hooks/page.html", user=user, app=definition, hooks=hooks, editor=editor,
                  deliveries=[deliveries.delivery_json(r) for r in rows],
                  filters={"hook": hook, "status": status, "delivery_id": delivery_id})
