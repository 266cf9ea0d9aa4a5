"""The bundled templates (apps/*.json) and installing an add-on template into its app.

A template is a whole app (`tangram/app@1`, the CRM) or an add-on (`tangram/addon@1`, 进销存 and
项目管理) that joins an app already installed: engine/addons.py merges it, and the merged definition is
published like any upgrade (checked against the stored records, rollups over the stored records
computed, indexes made).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from engine.addons import addon_path, installed, is_addon, merge_addon
from engine.app import AppDefinition
from engine.app_check import validate_app
from engine.errors import AlreadyExists, EngineError, InvalidDefinition, Issue, NotFound
from runtime.apps import definitions
from runtime.records.context import Change

TEMPLATES = Path(__file__).resolve().parents[2] / "apps"


@cache
def bundled() -> dict[str, dict[str, Any]]:
    """The templates shipped in apps/, by key (read once: they are part of the release)."""
    found = {}
    for path in sorted(TEMPLATES.glob("*_template.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[data["key"]] = data
    return found


def template(key: str) -> dict[str, Any]:
    try:
        return bundled()[key]
    except KeyError:
        raise NotFound(f"没有模板 {key}", f"no template {key!r}") from None


def validate_template(data: Any) -> list[Issue]:
    """Every problem of a template. An add-on is checked merged into the bundled template of its app,
    each problem at its path in the add-on."""
    if not is_addon(data):
        return validate_app(data)
    base = bundled().get(str(data.get("app")))
    if base is None:
        return [Issue("app", "unknown_app", f"没有应用模板 {data.get('app')}", f"no bundled app template {data.get('app')!r}")]
    try:
        merged = merge_addon(base, data)
    except InvalidDefinition as e:
        return e.issues
    return [Issue(addon_path(base, data, i.path), i.code, i.message, i.message_en) for i in validate_app(merged)]


def install(conn: Connection, data: Any, change: Change) -> tuple[AppDefinition, int]:
    """Install an add-on into its app (a new version of that app); InvalidDefinition at the add-on's
    paths, NotFound when the app is not installed."""
    app, _ = definitions.current(conn, str(data.get("app")))
    base = app.dump()
    if is_addon(data) and installed(base, data):
        raise AlreadyExists(f"模板 {data.get('name') or data.get('key')} 已安装在应用 {app.key}",
                            f"the add-on {data.get('key')!r} is installed in app {app.key!r} already")
    merged = merge_addon(base, data)
    # The builder's unpublished changes are kept, with the add-on in them too (a publish clears the draft).
    working = definitions.saved_draft(conn, app.key)
    pending = merge_addon(working, data) if working is not None else None
    try:
        new = definitions.upgrade_app(conn, app.key, merged, change)
    except EngineError as e:
        e.issues = [Issue(addon_path(base, data, i.path), i.code, i.message, i.message_en) for i in e.issues]
        raise
    if pending is not None:
        definitions.save_draft(conn, app.key, pending, change)
    return new


def install_state(conn: Connection) -> list[dict[str, Any]]:
    """Each bundled template and whether it is installed (an app: its key exists; an add-on: its forms are
    in its app), for the apps page."""
    out = []
    for key, data in bundled().items():
        target = str(data.get("app")) if is_addon(data) else key
        app_name = (bundled().get(target) or {}).get("name", target)
        try:
            app, _ = definitions.current(conn, target)
        except NotFound:
            state = "needs_app" if is_addon(data) else "available"
        else:
            state = ("installed" if installed(app.dump(), data) else "available") if is_addon(data) else "installed"
            app_name = app.name
        out.append({"key": key, "name": data.get("name"), "name_en": data.get("name_en"),
                    "description": data.get("description"), "app": target, "app_name": app_name, "addon": is_addon(data), "state": state,
                    "demo": bool((data.get("demo") or {}).get("records"))})
    return out


__all__ = ["bundled", "install", "install_state", "template", "validate_template"]
