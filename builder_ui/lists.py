"""The list page of a form: the user's columns, header sort, field filters and an expression, title
search, saved views, keyset paging and bulk actions. htmx swaps `#list` on every change.

The query string is the API's own (`filter[field][op]=v`, `filter=<expression>`, `sort`, `cursor`),
read by the same functions, so a list the page shows is exactly what GET …/records returns."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui import approvals
from builder_ui.cells import SYSTEM_COLUMNS, option_colors
from builder_ui.filter_widgets import widget_of
from builder_ui.i18n import language, translator
from builder_ui.records import visible_form
from builder_ui.rendering import render
from builder_ui.timeline import blocked_dates
from builder_ui.viewer import PageGuard, Viewer
from engine.errors import EngineError, Forbidden
from engine.forms.model import FormDefinition
from runtime.api import errors as api_errors
from runtime.api.deps import DB, change_for
from runtime.api.records import conditions, list_query, searched_in
from runtime.io.exports import list_params
from runtime.permissions.check import FormGate
from runtime.records import listing, totals, views
from runtime.schemas.records import shown_records

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
DEFAULT_COLUMNS = 6
_SKIP_IN_LIST = ("sub_table", "textarea", "attachment")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sortable: bool
    field: Any


def default_columns(form: FormDefinition) -> list[str]:
    """The title field first (it links to the record), then the next fields that fit in a cell."""
    title = [form.title_field] if form.title_field in form.by_key else []
    rest = [f.key for f in form.fields if f.type not in _SKIP_IN_LIST and f.key not in title]
    return (title + rest)[:DEFAULT_COLUMNS]


def columns_of(form: FormDefinition, keys: list[str], t: Any) -> list[Column]:
    result = []
    for key in keys:
        field = form.by_key.get(key)
        if field is not None:
            result.append(Column(key, field.label, field.sortable, field))
        elif key in SYSTEM_COLUMNS:
            result.append(Column(key, t(key), True, None))
    return result


def _view_params(spec: dict[str, Any]) -> dict[str, str]:
    """A saved view as the list's query string."""
    params: dict[str, str] = {}
    for f in spec.get("filters", []):
        params[f"filter[{f['field']}][{f.get('op', 'eq')}]"] = "" if f.get("value") is None else str(f["value"])
    for key, name in (("expression", "filter"), ("sort", "sort"), ("search", "q")):
        if spec.get(key):
            params[name] = spec[key]
    if spec.get("columns"):
        params["columns"] = ",".join(spec["columns"])
    return params


def _query(request: Request, gate: FormGate, counted: bool) -> listing.ListQuery:
    """The API's list query: the user's read scope, hidden fields unknown, `q` the search; with its total
    when `counted`, estimated above totals.EXACT_UP_TO unless the page asks for the exact count (`count=exact`)."""
    params = request.query_params
    query = list_query(gate, request, params.get("sort"), PAGE_SIZE, params.get("cursor") or None, counted,
                       params.get("filter") or None)
    return replace(query, estimate_above=None if params.get("count") == "exact" else totals.EXACT_UP_TO)


def _deferred(request: Request) -> bool:
    """Whether the page's total is left to list.js (a text search, the exact count not asked): it tests every
    candidate the search index gives, where the page stops at 50 hits."""
    return bool((request.query_params.get("q") or "").strip()) and request.query_params.get("count") != "exact"


def _count_url(request: Request, gate: FormGate) -> str:
    """The API list that answers the page's total: the same list (exports.list_params: filters, search, sort),
    an empty expression left out as the page reads it (the API refuses one), one record and the total."""
    same = [(name, value) for name, value in list_params(request.query_params.multi_items())
            if (name, value) != ("filter", "")]
    return (f"/api/v1/apps/{gate.ref.app_key}/forms/{gate.ref.form.key}/records?"
            + urlencode([*same, ("count", "true"), ("limit", "1")]))


def list_context(request: Request, conn: Any, gate: FormGate, user: Any, t: Any) -> dict[str, Any]:
    """Everything the list template needs: one list query, one titles query, the layout and the views —
    only the records and fields the user may read."""
    ref = gate.ref
    change = change_for(request, user)
    error = None
    deferred = _deferred(request)
    try:
        page = listing.list_records(conn, ref, _query(request, gate, not deferred), change.ctx)
    except EngineError as e:  # a bad filter or cursor: say so above an empty list, as the API's 400 would
        page, error = listing.Page([], None), e
    saved = views.list_views(conn, user.user_id or 0, ref)
    chosen = request.query_params.get("columns")
    keys = ([k for k in chosen.split(",") if k] if chosen else None) or views.layout(conn, user.user_id or 0, ref) \
        or default_columns(ref.form)
    hidden = gate.hidden
    visible = [f for f in ref.form.fields if f.key not in hidden]
    columns = columns_of(ref.form, [k for k in keys if k not in hidden], t)
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "lang", "count")]
    rows = shown_records(gate, page.items)
    approvals.badges(conn, ref.app, ref.form.key, rows)  # each row's approval status: one query for the page
    return {
        "app": ref.app, "form": visible_form(ref.form, hidden), "error": error, "columns": columns, "rows": rows,
        "next_url": f"?{urlencode(params + [('cursor', page.next_cursor)])}" if page.next_cursor else None,
        "first_url": f"?{urlencode(params)}", "paged": bool(request.query_params.get("cursor")),
        "total": page.total, "total_exact": page.exact,
        "exact_url": f"?{urlencode([*params, ('count', 'exact')])}",
        "count_url": _count_url(request, gate) if deferred else None,
        "sort": request.query_params.get("sort") or "", "base_params": params,
        "views": [{"id": v.id, "name": v.name, "spec": v.spec, "href": "?" + urlencode(_view_params(v.spec) | {
            "view": str(v.id)})} for v in saved],
        "current_view": request.query_params.get("view") or "",
        "kanban_fields": [f for f in visible if f.type == "select"],
        "timelines": [v for v in ref.form.timelines if not blocked_dates(gate, v)],
        "can_import": gate.may("import"),
        "all_columns": [{"key": f.key, "label": f.label} for f in visible]
        + [{"key": k, "label": t(k)} for k in SYSTEM_COLUMNS],
        "chosen_columns": [c.key for c in columns],
        "search_labels": [ref.form.by_key[k].label for k in searched_in(gate, False)],
        "filter_fields": [{"key": f.key, "label": f.label, "ops": list(f.filter_ops), "widget": widget_of(f)}
                          for f in visible if f.key not in gate.masked],
        "conditions": _shown_conditions(request),
        "op_labels": {op: t(f"op_{op}") for op in sorted({op for f in visible for op in f.filter_ops})},
        "can_export": may(gate, "export"),
        "can_delete": may(gate, "delete"),  # 回收站 is linked for them (builder_ui/recycle_bin.py)
        "can_dedup": bool(ref.form.duplicate_rules) and may(gate, "update"),  # 查重 (builder_ui/duplicate_groups.py)
    }


def may(gate: FormGate, operation: Any) -> bool:
    """Whether the user has a right on the form (a button they could not use is not drawn)."""
    try:
        gate.require(operation)
    except Forbidden:
        return False
    return True


def _shown_conditions(request: Request) -> list[dict[str, Any]]:
    """The filter rows to draw (a malformed parameter is already reported above the list)."""
    try:
        return [{"field": c.key, "op": c.op, "value": c.value} for c in conditions(request)]
    except EngineError:
        return []


def sort_href(params: list[tuple[str, str]], current: str, key: str) -> str:
    """The header link: ascending first, then descending, keeping every other parameter."""
    target = f"-{key}" if current == key else key
    return "?" + urlencode([(k, v) for k, v in params if k != "sort"] + [("sort", target)])


@router.get("/apps/{app}/forms/{form}")
def list_page(request: Request, app: str, form: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    """The page; an htmx request (HX-Request) gets the same page and swaps only `#list`."""
    t = translator(language(request))
    with db.read() as conn:
        context = list_context(request, conn, guard.form(conn, app, form, "read"), user, t)
    status = api_errors.status_of(context["error"]) if context["error"] else 200
    return render(request, "forms/list.html", status=status, user=user, colors=option_colors,
                  sort_href=sort_href, **context)
