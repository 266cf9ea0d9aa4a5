"""The form builder's edits: small changes to a draft definition, each returning a new draft.

Edits work on the JSON of the draft (what the integrator and the UI see); the caller validates the
whole app afterwards, so an edit that breaks the definition is refused with paths like any import.
"""

from __future__ import annotations

import copy
from typing import Any

from engine.errors import AlreadyExists, BadQuery, NotFound


def _form(draft: dict[str, Any], form_key: str) -> dict[str, Any]:
    for form in draft.get("forms", []):
        if form.get("key") == form_key:
            found: dict[str, Any] = form
            return found
    raise NotFound(f"表单 {form_key} 不存在", f"no form {form_key!r}")


def _position(fields: list[Any], key: str) -> int:
    for i, field in enumerate(fields):
        if field.get("key") == key:
            return i
    raise NotFound(f"字段 {key} 不存在", f"no field {key!r}")


def _bounded(position: int | None, size: int) -> int:
    if position is None:
        return size
    if not 0 <= position <= size:
        raise BadQuery(f"位置应在 0 到 {size} 之间", f"position must be between 0 and {size}", field="position")
    return position


def add_form(draft: dict[str, Any], form: dict[str, Any]) -> dict[str, Any]:
    """A new form at the end of the app."""
    new = copy.deepcopy(draft)
    if any(f.get("key") == form.get("key") for f in new.get("forms", [])):
        raise AlreadyExists(f"表单 {form.get('key')} 已存在", f"form {form.get('key')!r} exists already")
    new.setdefault("forms", []).append({"fields": [], **form})
    return new


def add_field(draft: dict[str, Any], form_key: str, field: dict[str, Any], position: int | None = None) -> dict[str, Any]:
    """Insert a field at `position` (default: the end)."""
    new = copy.deepcopy(draft)
    fields = _form(new, form_key).setdefault("fields", [])
    if any(f.get("key") == field.get("key") for f in fields):
        raise AlreadyExists(f"字段 {field.get('key')} 已存在", f"field {field.get('key')!r} exists already")
    fields.insert(_bounded(position, len(fields)), field)
    return new


def update_field(draft: dict[str, Any], form_key: str, key: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Merge `changes` into a field's definition; a None value removes that option."""
    new = copy.deepcopy(draft)
    fields = _form(new, form_key)["fields"]
    i = _position(fields, key)
    merged = {**fields[i], **changes}
    fields[i] = {k: v for k, v in merged.items() if v is not None}
    return new


def move_field(draft: dict[str, Any], form_key: str, key: str, position: int) -> dict[str, Any]:
    """Move a field to `position` among the others."""
    new = copy.deepcopy(draft)
    fields = _form(new, form_key)["fields"]
    field = fields.pop(_position(fields, key))
    fields.insert(_bounded(position, len(fields)), field)
    return new


def remove_field(draft: dict[str, Any], form_key: str, key: str) -> dict[str, Any]:
    """Take a field off the form; stored values stay in the records (hidden, not purged)."""
    new = copy.deepcopy(draft)
    form = _form(new, form_key)
    form["fields"].pop(_position(form["fields"], key))
    form["indexes"] = [cols for cols in form.get("indexes", []) if key not in {c.lstrip("-") for c in cols}]
    if form.get("title_field") == key:
        form.pop("title_field")
    if key in form.get("search_fields", []):
        form["search_fields"] = [k for k in form["search_fields"] if k != key]
    if form.get("timelines"):  # a timeline without its start goes; without its end, its records become points
        form["timelines"] = [{k: v for k, v in view.items() if not (k in ("end", "group_by") and v == key)}
                             for view in form["timelines"] if view.get("start") != key]
    return new


def form_of(draft: dict[str, Any], form_key: str) -> dict[str, Any]:
    """The JSON of one form of a draft."""
    return _form(draft, form_key)


def put_print_template(draft: dict[str, Any], form_key: str, key: str, template: dict[str, Any]) -> dict[str, Any]:
    """Add the print template `key` to a form, or replace the one with that key (in place)."""
    new = copy.deepcopy(draft)
    templates = _form(new, form_key).setdefault("print_templates", [])
    body = {**template, "key": key}
    for i, existing in enumerate(templates):
        if existing.get("key") == key:
            templates[i] = body
            return new
    templates.append(body)
    return new


def remove_print_template(draft: dict[str, Any], form_key: str, key: str) -> dict[str, Any]:
    """Take a print template off a form."""
    new = copy.deepcopy(draft)
    form = _form(new, form_key)
    kept = [t for t in form.get("print_templates", []) if t.get("key") != key]
    if len(kept) == len(form.get("print_templates", [])):
        raise NotFound(f"打印模板 {key} 不存在", f"no print template {key!r}")
    form["print_templates"] = kept
    return new


def put_timeline(draft: dict[str, Any], form_key: str, key: str, view: dict[str, Any]) -> dict[str, Any]:
    """Add the timeline `key` to a form, or replace the one with that key (in place)."""
    new = copy.deepcopy(draft)
    views = _form(new, form_key).setdefault("timelines", [])
    body = {**view, "key": key}
    for i, existing in enumerate(views):
        if existing.get("key") == key:
            views[i] = body
            return new
    views.append(body)
    return new


def remove_timeline(draft: dict[str, Any], form_key: str, key: str) -> dict[str, Any]:
    """Take a timeline off a form."""
    new = copy.deepcopy(draft)
    form = _form(new, form_key)
    kept = [v for v in form.get("timelines", []) if v.get("key") != key]
    if len(kept) == len(form.get("timelines", [])):
        raise NotFound(f"时间线 {key} 不存在", f"no timeline {key!r}")
    form["timelines"] = kept
    return new
