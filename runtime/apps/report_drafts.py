"""The dashboard editor's edits on a draft definition (JSON data, as `definitions.draft` gives it): create,
replace, copy or remove a dashboard, copy or remove one of its widgets.

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


__all__ = ["report_of", "add_report", "put_report", "copy_report", "remove_report", "copy_widget", "remove_widget"]
