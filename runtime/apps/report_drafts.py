"""Edits of one widget in the draft's reports (the chart builder): read a widget as the draft holds it,
put one into a dashboard (replacing the widget of the same key in place, or adding it at the end), into a
new dashboard when the report does not exist yet. Pure functions over the draft's JSON; saving validates
(runtime/apps/definitions.save_draft), so a widget the engine refuses is a 422 at its JSON path."""

from __future__ import annotations

import copy
from typing import Any

from engine.errors import BadQuery, NotFound


def _report(draft: dict[str, Any], report: str) -> dict[str, Any] | None:
    return next((r for r in draft.get("reports", []) if r.get("key") == report), None)


def widget_of(draft: dict[str, Any], report: str, widget: str) -> dict[str, Any]:
    """The widget's JSON in the draft (404 when the dashboard or the widget is missing)."""
    found = _report(draft, report)
    if found is None:
        raise NotFound(f"草稿中没有仪表盘 {report}", f"the draft has no report {report!r}")
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
    found = _report(edited, report)
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


__all__ = ["widget_of", "put_widget"]
