"""时间线设置: a form's timelines (甘特图 views, engine/forms/timeline.py) edited on the draft, for those who
manage the form. The page lists them and edits one at a time; timeline_builder.js PUTs / DELETEs
`/api/v1/apps/{app}/forms/{form}/timelines/{key}` (the same builder edits as the API) and publishes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from engine.app_check import parse_app
from engine.forms.timeline import DATE_TYPES, GROUP_TYPES, SCALES
from runtime.api.deps import DB
from runtime.apps import definitions

router = APIRouter(include_in_schema=False)


@router.get("/apps/{app}/builder/forms/{form}/timelines")
def timeline_builder(request: Request, app: str, form: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    """The draft's timelines of the form, the date fields they may use and the fields they may group by."""
    with db.read() as conn:
        guard.require_manage(conn, app, form)
        draft = parse_app(definitions.draft(conn, app))
        current, _version = definitions.current(conn, app)
    form_def = draft.form(form)
    live = {v.key for v in current.form(form).timelines} if form in current.forms_by_key else set()
    dates = [{"key": f.key, "label": f.label} for f in form_def.fields if f.type in DATE_TYPES]
    groups = [{"key": f.key, "label": f.label} for f in form_def.fields
              if f.type in GROUP_TYPES and not getattr(f, "multiple", False)]
    views = [v.model_dump(mode="json", exclude_none=True) for v in form_def.timelines]
    return render(request, "builder/timelines.html", user=user, app_key=app, app_name=draft.name, form=form_def,
                  views=views, live=live, dates=dates, groups=groups,
                  data={"app": app, "form": form, "views": views, "scales": list(SCALES)})
