"""Edits of the dashboards in a draft definition (JSON data, as `definitions.draft` gives it): the dashboard
editor creates, replaces, copies or removes a dashboard and copies or removes a widget; the chart builder
reads one widget and puts one (into a new dashboard when the report does not exist yet).

Each edit returns a new draft and leaves the one passed in untouched; the caller saves it through
`definitions.save_draft`, which validates the whole app, so an edit that breaks the definition (a layout
overlapping another, a filter on a widget that is gone) is refused with JSON paths."""

from __future__ import annotations

import copy
from typing import Any

from engine.errors import AlreadyExists, BadQuery, NotFound


def _index(draft: dict[str, Any], key: str) -> int:
    for i, report in enumerate(draft.get("reports", [])):
        if report.get("key") == key:
            return i
    raise NotFound(f"报表 {key} 不存在", f"no report {key!r}")


def report_of(draft: dict[str, Any], key: str) -> dict[str, Any]:
    """The draft's report `key` (NotFound when there is none)."""
    at = _index(draft, key)  # first: a draft without reports has no "reports" key
    return dict(draft["reports"][at])


def _free(draft: dict[str, Any], key: str) -> None:
    if any(r.get("key") == key for r in draft.get("reports", [])):
        raise AlreadyExists(f"报表 {key} 已存在", f"a report {key!r} exists already", field="key")


def add_report(draft: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    """A new dashboard at the end (its key must be free)."""
    _free(draft, str(report.get("key")))
    new = copy.deepcopy(draft)
    new.setdefault("reports", []).append(copy.deepcopy(report))
    return new


def put_report(draft: dict[str, Any], key: str, report: dict[str, Any]) -> dict[str, Any]:
    """Replace the dashboard `key` with `report` (the editor's save: layout, filters, roles, names)."""
    if report.get("key", key) != key:
        raise BadQuery(f"报表的 key 应为 {key}", f"the report's key must be {key!r}", field="key")
    new = copy.deepcopy(draft)
    at = _index(new, key)
    new["reports"][at] = {**copy.deepcopy(report), "key": key}
    return new


def copy_report(draft: dict[str, Any], key: str, new_key: str, name: str | None = None) -> dict[str, Any]:
    """A copy of the dashboard under `new_key`, placed after the original."""
    _free(draft, new_key)
    new = copy.deepcopy(draft)
    at = _index(new, key)
    original = new["reports"][at]
    new["reports"].insert(
        at + 1, {**copy.deepcopy(original), "key": new_key, "name": name or f"{original.get('name', key)}（副本）"}
    )
    return new


def remove_report(draft: dict[str, Any], key: str) -> dict[str, Any]:
    new = copy.deepcopy(draft)
    at = _index(new, key)
    del new["reports"][at]
    return new


def _widget_index(report: dict[str, Any], key: str) -> int:
    for i, widget in enumerate(report.get("widgets", [])):
        if widget.get("key") == key:
            return i
    raise NotFound(f"报表 {report.get('key')} 没有图表 {key}", f"report {report.get('key')!r} has no widget {key!r}")


def copy_widget(draft: dict[str, Any], report: str, widget: str, new_key: str) -> dict[str, Any]:
    """A copy of the widget under `new_key`, after the original; without a place on the grid (it follows
    the placed widgets) and named like the original with （副本）."""
    new = copy.deepcopy(draft)
    at = _index(new, report)
    found = new["reports"][at]
    if any(w.get("key") == new_key for w in found.get("widgets", [])):
        raise AlreadyExists(f"图表 {new_key} 已存在", f"a widget {new_key!r} exists already", field="key")
    at = _widget_index(found, widget)
    original = found["widgets"][at]
    twin = {k: v for k, v in copy.deepcopy(original).items() if k != "layout"}
    twin.update(key=new_key, name=f"{original.get('name') or widget}（副本）")
    found["widgets"].insert(at + 1, twin)
    return new


def remove_widget(draft: dict[str, Any], report: str, widget: str) -> dict[str, Any]:
    """Remove the widget, and its key from the filters naming it (a filter left naming none applies to no
    widget: it is removed too, rather than starting to apply to every widget)."""
    new = copy.deepcopy(draft)
    at = _index(new, report)
    found = new["reports"][at]
    del found["widgets"][_widget_index(found, widget)]
    filters = []
    for f in found.get("filters", []):
        if f.get("widgets") is not None:
            f["widgets"] = [k for k in f["widgets"] if k != widget]
            if not f["widgets"]:
                continue
        filters.append(f)
    if "filters" in found:
        found["filters"] = filters
    return new


def widget_of(draft: dict[str, Any], report: str, widget: str) -> dict[str, Any]:
    """The widget's JSON in the draft (404 when the dashboard or the widget is missing)."""
    found = report_of(draft, report)
    chosen = next((w for w in found.get("widgets", []) if w.get("key") == widget), None)
    if chosen is None:
        raise NotFound(
            f"仪表盘“{found.get('name', report)}”没有图表 {widget}", f"report {report!r} has no widget {widget!r}"
        )
    return dict(chosen)


def put_widget(
    draft: dict[str, Any], report: str, widget: str, definition: dict[str, Any], report_name: str | None = None
) -> dict[str, Any]:
    """The draft with `definition` as widget `widget` of dashboard `report`; a dashboard that does not exist
    is created with `report_name` (a 400 naming `report_name` without one)."""
    if not isinstance(definition, dict):
        raise BadQuery("图表定义应为 JSON 对象", "the widget must be a JSON object", field="widget")
    if definition.get("key", widget) != widget:
        raise BadQuery(
            f"图表的 key（{definition.get('key')}）与地址中的 {widget} 不一致",
            f"the widget's key {definition.get('key')!r} differs from {widget!r} in the address",
            field="key",
        )
    edited = copy.deepcopy(draft)
    placed = {**definition, "key": widget}
    found = next((r for r in edited.get("reports", []) if r.get("key") == report), None)
    if found is None:
        if not (report_name or "").strip():
            raise BadQuery(
                f"仪表盘 {report} 不存在：新建时请给出名称 report_name",
                f"there is no report {report!r}: give report_name to create it",
                field="report_name",
            )
        edited.setdefault("reports", []).append(
            {"key": report, "name": (report_name or "").strip(), "widgets": [placed]}
        )
        return edited
    widgets = found.setdefault("widgets", [])
    at = next((i for i, w in enumerate(widgets) if w.get("key") == widget), None)
    if at is None:
        widgets.append(placed)
    else:
        widgets[at] = placed
    return edited


__all__ = ["report_of", "add_report", "put_report", "copy_report", "remove_report", "copy_widget", "remove_widget",
           "widget_of", "put_widget"]
