"""Kanban over a select field (商机 by 阶段): one column per option; kanban.js moves a card by
PATCHing the record with If-Match, so a refused move comes back with the API's own message."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui import approvals
from builder_ui.cells import option_colors, option_values
from builder_ui.rendering import render
from builder_ui.timeline import blocked_dates
from builder_ui.viewer import PageGuard, Viewer
from engine.errors import BadQuery
from runtime.api.deps import DB, change_for
from runtime.records import listing
from runtime.schemas.records import shown_records

router = APIRouter(include_in_schema=False)
CARDS_PER_COLUMN = 30


@router.get("/apps/{app}/forms/{form}/kanban/{field}")
def kanban_page(request: Request, app: str, form: str, field: str, user: Viewer, guard: PageGuard,
                db: DB) -> Response:
    """One list query per column (options are few), newest changes first; only readable records."""
    with db.read() as conn:
        gate = guard.form(conn, app, form, "read")
        gate.check_query_keys([field])  # columns of a masked field would reveal its values
        ref = gate.ref
        scope = gate.where("read")
        group = ref.form.field(field)
        if group.type != "select":
            raise BadQuery(f"看板只能按单选字段分组，“{group.label}”不是单选", "a kanban groups by a select field",
                           field=field)
        ctx = change_for(request, user).ctx
        sort = [listing.SortKey("updated_at", True), listing.SortKey("id", True)]
        columns: list[dict[str, Any]] = []
        colors = option_colors(group)
        for value, label in option_values(group) + [("", "")]:
            condition = listing.Condition(field, "eq", value) if value else listing.Condition(field, "blank")
            page = listing.list_records(conn, ref, listing.ListQuery([condition], sort, CARDS_PER_COLUMN,
                                                                          where=[scope] if scope is not None else []), ctx)
            cards = shown_records(gate, page.items)
            approvals.badges(conn, ref.app, ref.form.key, cards)
            columns.append({"value": value, "label": label, "color": colors.get(value, "#94a3b8"),
                            "cards": cards, "more": page.next_cursor is not None})
    shown = [f for f in ref.form.fields if f.key not in (field, ref.form.title_field) and f.key not in gate.hidden
             and f.type in ("money", "relation", "user", "date", "number", "percent")][:3]
    return render(request, "kanban/board.html", user=user, app=ref.app, form=ref.form, group=group,
                  columns=columns, shown=shown, timelines=[v for v in ref.form.timelines if not blocked_dates(gate, v)],
                  selects=[f for f in ref.form.fields if f.type == "select" and f.key not in gate.hidden | gate.masked])
