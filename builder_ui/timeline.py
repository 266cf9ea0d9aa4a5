"""Timeline (甘特图) of a form, as its definition declares it (`timelines`, engine/forms/timeline.py): one row
per record, a bar from its start to its end date on a day / week / month scale, grouped by a relation,
select or user field; a today line; overdue bars marked. timeline.js moves a bar by PATCHing the record
with If-Match, so a refused move comes back with the API's own message.

The query string is the list's (`filter[field][op]=v`, `filter=<expression>`, `q`) plus `scale` and
`from` (the window's first day): the records are the list's, inside the reader's row scope, that fall in
the window; at most MAX_BARS of them, the page saying how many more there are."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.sql.elements import ColumnElement

from builder_ui import approvals
from builder_ui.cells import cell_text, option_values
from builder_ui.i18n import language, translator
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from engine.errors import BadQuery, EngineError
from engine.expr.nodes import FieldRef, walk
from engine.forms import timeline as tl
from engine.forms.expressions import checked
from engine.forms.timeline import MAX_BARS, TimelineView, Window
from runtime.accounts.people import display_names
from runtime.api.deps import DB, change_for
from runtime.api.records import list_query
from runtime.permissions.check import FormGate
from runtime.records import listing
from runtime.schemas.records import shown_records

router = APIRouter(include_in_schema=False)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _date_param(request: Request) -> date | None:
    text = request.query_params.get("from")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"from 应为日期（如 2026-01-05），不是 {text[:40]!r}",
                       f"from must be a date such as 2026-01-05, not {text[:40]!r}", field="from") from None


def _scale_param(request: Request, view: TimelineView) -> tl.Scale:
    scale = request.query_params.get("scale") or view.scale
    if scale not in tl.SCALES:
        raise BadQuery(f"scale 应为 day、week 或 month，不是 {scale[:20]!r}",
                       f"scale must be day, week or month, not {scale[:20]!r}", field="scale")
    return cast(tl.Scale, scale)


def _literal(day: date) -> str:
    return f"DATE({day.year}, {day.month}, {day.day})"


def _in_window(view: TimelineView, window: Window) -> str:
    """The records whose span meets the window, as an expression (a point where one date is blank)."""
    first, last = _literal(window.first), _literal(window.last)
    if view.end is None:
        return f"{view.start} >= {first} AND {view.start} <= {last}"
    return (f"COALESCE({view.start}, {view.end}) <= {last} AND COALESCE({view.end}, {view.start}) >= {first}")


def blocked_dates(gate: FormGate, view: TimelineView) -> bool:
    """Whether a date the timeline needs is hidden or masked for this reader (then there is no timeline)."""
    unseen = gate.hidden | gate.masked
    return view.start in unseen or (view.end is not None and view.end in unseen)


def _read_only_reason(gate: FormGate, view: TimelineView, t: Any) -> str:
    """Why bars cannot be moved by this reader ("" when they can)."""
    if not gate.may("update"):
        return str(t("tl_no_update"))
    if any(gate.access(k) != "edit" for k in (view.start, view.end) if k is not None):
        return str(t("tl_read_only_dates"))
    return ""


def _groups(gate: FormGate, view: TimelineView, bars: list[dict[str, Any]], t: Any) -> list[dict[str, Any]]:
    """Rows in groups: select options in their order, others by label (people by their display name);
    records without a value last."""
    if view.group_by is None or view.group_by in gate.hidden | gate.masked:
        return [{"label": "", "bars": bars}]
    field = gate.ref.form.by_key[view.group_by]
    people = display_names(gate.conn, {str(b["record"]["data"].get(view.group_by) or "") for b in bars}) \
        if field.type == "user" else {}
    groups: dict[str, dict[str, Any]] = {}
    for bar in bars:
        value = bar["record"]["data"].get(view.group_by)
        key = str(value.get("id")) if isinstance(value, dict) else str(value or "")
        label = (people.get(key) or cell_text(field, value)) if key else str(t("tl_no_group"))
        groups.setdefault(key, {"label": label, "bars": []})["bars"].append(bar)
    if field.type == "select":
        order = {v: i for i, (v, _label) in enumerate(option_values(field))}
        keys = sorted(groups, key=lambda k: (k == "", order.get(k, len(order)), k))
    else:
        keys = sorted(groups, key=lambda k: (k == "", groups[k]["label"]))
    return [groups[k] for k in keys]


def _bar(record: dict[str, Any], view: TimelineView, window: Window, today: date, done: bool,
         title: str) -> dict[str, Any] | None:
    start, end = _day(record["data"].get(view.start)), _day(record["data"].get(view.end)) if view.end else None
    span = tl.span(start, end)
    if span is None:
        return None
    first, last = span
    days = window.days
    left, right = max(window.offset(first), 0), min(window.offset(last) + 1, days)
    return {
        "record": record, "title": title, "start": start.isoformat() if start else "",
        "end": end.isoformat() if end else "", "point": end is None or start is None,
        "left": round(100 * left / days, 4), "width": round(100 * max(right - left, 0) / days, 4),
        "at": round(100 * (window.offset(first) + 0.5) / days, 4),
        "clipped_left": window.offset(first) < 0, "clipped_right": window.offset(last) >= days,
        "overdue": tl.is_overdue(start, end, done, today), "done": done,
    }


@router.get("/apps/{app}/forms/{form}/timeline/{key}")
def timeline_page(request: Request, app: str, form: str, key: str, user: Viewer, guard: PageGuard,
                  db: DB) -> Response:
    """The window's records (the list's filters and row scope), at most MAX_BARS, sorted by start."""
    t = translator(language(request))
    ctx = change_for(request, user).ctx
    today = ctx.now.astimezone(ctx.timezone).date()
    with db.read() as conn:
        gate = guard.form(conn, app, form, "read")
        ref = gate.ref
        view = ref.form.timeline(key)
        views = [v for v in ref.form.timelines if not blocked_dates(gate, v)]
        base = {"user": user, "app": ref.app, "form": ref.form, "view": view, "views": views}
        if blocked_dates(gate, view):
            return render(request, "timeline/page.html", status=403, blocked=True, **base)
        scale = _scale_param(request, view)
        window = tl.window(scale, _date_param(request), today)
        query = list_query(gate, request, f"{view.start},id", MAX_BARS, None, True,
                           request.query_params.get("filter") or None)
        query = replace(query, where=[*query.where, gate.filter(_in_window(view, window))])
        page = listing.list_records(conn, ref, query, ctx)
        done_ids: set[int] = set()
        done_clause = _done_for(gate, view.done) if page.items else None
        if done_clause is not None:
            # the done among the drawn: a subset sorted alike, so its first MAX_BARS hold all of the page's
            done = listing.list_records(conn, ref, replace(query, count=False, where=[*query.where, done_clause]), ctx)
            done_ids = {r.id for r in done.items}
        records = shown_records(gate, page.items)
        approvals.badges(conn, ref.app, ref.form.key, records)  # each bar's approval status: one query
        reason = _read_only_reason(gate, view, t)
        title_field = ref.form.by_key.get(ref.form.title_field or "")
        bars = [b for r in records if (b := _bar(r, view, window, today, r["id"] in done_ids,
                                                 cell_text(title_field, r["data"].get(ref.form.title_field or ""))
                                                 or f"#{r['id']}")) is not None]
        groups = _groups(gate, view, bars, t)
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("from", "scale", "lang")]
    def href(**changes: str) -> str:
        return "?" + urlencode([*params, ("scale", scale), *changes.items()])
    columns = [{"first": d, "days": n, "width": round(100 * n / window.days, 4)} for d, n in window.columns()]
    today_at = round(100 * (window.offset(today) + 0.5) / window.days, 4) if window.first <= today <= window.last \
        else None
    return render(request, "timeline/page.html", blocked=False, scale=scale, window=window, columns=columns,
                  groups=groups, count=len(bars), total=page.total,
                  more=page.next_cursor is not None, today=today, today_at=today_at, reason=reason,
                  earlier=href(**{"from": window.earlier().isoformat()}),
                  later=href(**{"from": window.later().isoformat()}), now_href=href(),
                  scale_href={s: "?" + urlencode([*params, ("scale", s)]) for s in tl.SCALES},
                  list_href="?" + urlencode(params) if params else "", **base)


def _done_for(gate: FormGate, done: str | None) -> ColumnElement[bool] | None:
    """The timeline's `done` as the reader's filter, or None when it reads what they may not see: a field of
    the form masked for them, or one hidden here or on a related form (their filters do not know it). Nothing
    is then marked done: a mark would tell them the value."""
    if done is None or set(_names(gate, done)) & gate.masked:
        return None
    try:
        return gate.filter(done)
    except EngineError:
        return None


def _names(gate: FormGate, text: str) -> list[str]:
    """The field keys an expression reads (a `done` on a field hidden from the reader marks nothing)."""
    return [n.path[0] for n in walk(checked(gate.ref.form, text).node) if isinstance(n, FieldRef)]
