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

from sqlalchemy import Connection, func, select, update

from engine.addons import addon_parts, addon_path, installed, is_addon, merge_addon, new_roles, remove_addon
from engine.app import AppDefinition
from engine.app_check import validate_app
from engine.errors import AlreadyExists, Conflict, EngineError, InvalidDefinition, Issue, NotFound
from runtime.apps import definitions
from runtime.db.tables import apps, live, records
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
    remember(conn, app.key, data, new_roles(base, data))
    return new


class AddonHasRecords(Conflict):
    """Removing an add-on would hide stored records: the caller must confirm it."""

    code = "addon_has_records"


def _recorded(conn: Connection, app: str) -> dict[str, Any]:
    return dict(conn.scalar(select(apps.c.addons).where(apps.c.key == app)) or {})


def remember(conn: Connection, app: str, addon: dict[str, Any], roles: list[str]) -> None:
    """Keep the add-on as installed (the base of its next upgrade) and the roles it brought (its removal's)."""
    recorded = _recorded(conn, app) | {addon["key"]: {"addon": addon, "roles": sorted(set(roles))}}
    conn.execute(update(apps).where(apps.c.key == app).values(addons=recorded))


def installed_addon(conn: Connection, app: str, key: str) -> tuple[dict[str, Any], list[str]]:
    """The add-on `key` as installed in `app`, and the roles it brought. An add-on installed before apps
    remembered them (migration 0029) is recognised by its forms and taken as the bundled version, its
    roles those the app's template lacks. NotFound when it is not installed."""
    entry = _recorded(conn, app).get(key)
    if entry is not None:
        return dict(entry["addon"]), list(entry["roles"])
    bundled_doc = bundled().get(key)
    current = definitions.current(conn, app)[0].dump()
    if bundled_doc is None or not is_addon(bundled_doc) or bundled_doc.get("app") != app \
            or not installed(current, bundled_doc):
        raise NotFound(f"应用 {app} 没有安装模板 {key}", f"add-on {key!r} is not installed in app {app!r}")
    from runtime.apps.upgrades import template_of  # upgrades imports this module

    return bundled_doc, new_roles(template_of(conn, app).dump(), bundled_doc)


def installed_addons(conn: Connection, app: str) -> list[dict[str, Any]]:
    """The add-ons installed in the app: key, name, version, and what each put in."""
    keys = list(_recorded(conn, app))
    current = definitions.current(conn, app)[0].dump()
    keys += [k for k, d in bundled().items() if k not in keys and is_addon(d) and d.get("app") == app
             and installed(current, d)]
    out = []
    for key in keys:
        doc, roles = installed_addon(conn, app, key)
        out.append({"key": key, "name": doc.get("name"), "name_en": doc.get("name_en"), "version": doc.get("version"),
                    "parts": addon_parts(doc) | {"roles": roles}})
    return out


def _stored_counts(conn: Connection, app: str, forms: list[str]) -> dict[str, int]:
    if not forms:
        return {}
    rows = conn.execute(select(records.c.form, func.count()).where(records.c.app == app, records.c.form.in_(forms),
                                                                   live()).group_by(records.c.form))
    return {form: int(n) for form, n in rows}


def removal_preview(conn: Connection, app: str, key: str) -> dict[str, Any]:
    """What removing the add-on takes out of the app (its parts) and how many stored records its forms hold
    (kept in the database, hidden until the add-on is installed again)."""
    doc, roles = installed_addon(conn, app, key)
    parts = addon_parts(doc) | {"roles": roles}
    return {"addon": key, "name": doc.get("name"), "parts": parts, "records": _stored_counts(conn, app, parts["forms"])}


def remove(conn: Connection, app: str, key: str, change: Change, *,
           confirm: bool = False) -> tuple[AppDefinition, int, dict[str, int]]:
    """Take the add-on out of the app as the app's next version (checked like any publish); with the stored
    records of its forms, kept. Refused while the builder holds unpublished changes, while its forms hold
    records and `confirm` is not given (409 addon_has_records with the counts), and with 422 at its path
    when a part of the app's own still names one of the add-on's forms or fields (a relation, widget, step)."""
    doc, roles = installed_addon(conn, app, key)
    definitions.refuse_over_draft(conn, app)
    counts = _stored_counts(conn, app, addon_parts(doc)["forms"])
    if counts and not confirm:
        total = sum(counts.values())
        raise AddonHasRecords(f"模板 {doc.get('name')} 的表单中有 {total} 条记录：确认后移除（记录保留，重新安装后可见）",
                              f"the add-on's forms hold {total} record(s): confirm to remove it (the records are "
                              "kept, and visible again once it is installed again)", records_total=total,
                              issues=[Issue(f"forms[{form}]", "has_records", f"表单 {form} 有 {n} 条记录",
                                            f"form {form!r} holds {n} record(s)") for form, n in counts.items()])
    new, version = definitions.upgrade_app(conn, app, remove_addon(definitions.current(conn, app)[0].dump(), doc, roles),
                                           change)
    recorded = _recorded(conn, app)
    recorded.pop(key, None)
    conn.execute(update(apps).where(apps.c.key == app).values(addons=recorded or None))
    return new, version, counts


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


__all__ = ["AddonHasRecords", "bundled", "install", "install_state", "installed_addon", "installed_addons", "remember",
           "removal_preview", "remove", "template", "validate_template"]
