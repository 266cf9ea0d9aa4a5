"""Add-on templates (`tangram/addon@1`): forms, fields, flows, dashboards and roles installed into an
existing app (进销存 and 项目管理 into the CRM).

A relation, lookup, rollup, flow step or dashboard widget only reaches forms of its own app, so a
template that links to the CRM's 产品 and 商机 joins the CRM app instead of standing beside it: merged,
its parts are checked and published like any other upgrade of that app, and every link works as a
relation inside one app does. The merge is pure; nothing of the app is changed or removed, and a key
the app already uses is refused (a template installed twice, or clashing with a local form).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from engine.errors import InvalidDefinition, Issue

ADDON_FORMAT = "tangram/addon@1"
ADDON_KEYS = {"format", "key", "name", "name_en", "version", "description", "app", "forms", "extend", "flows",
              "reports", "roles", "demo"}
_PARTS = ("forms", "flows", "reports")


def is_addon(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == ADDON_FORMAT


def _issue(path: str, code: str, zh: str, en: str) -> Issue:
    return Issue(path, code, zh, en)


def _shape_issues(addon: dict[str, Any]) -> list[Issue]:
    issues = [_issue(k, "unknown_key", f"未知的键 {k}", f"unknown key {k!r}") for k in addon if k not in ADDON_KEYS]
    for k in ("key", "app"):
        if not isinstance(addon.get(k), str) or not addon.get(k):
            issues.append(_issue(k, "required", f"缺少 {k}", f"{k!r} is required"))
    for k in (*_PARTS, "extend", "roles"):
        if not isinstance(addon.get(k, []), list) or not all(isinstance(x, dict) for x in addon.get(k, [])):
            issues.append(_issue(k, "invalid", f"{k} 必须是对象列表", f"{k!r} must be a list of objects"))
    return issues


def installed(app: dict[str, Any], addon: dict[str, Any]) -> bool:
    """Whether the add-on's forms are all in the app already (installed before, or by hand)."""
    forms = {f.get("key") for f in app.get("forms", [])}
    return bool(addon.get("forms")) and all(f.get("key") in forms for f in addon["forms"])


def merge_addon(app: dict[str, Any], addon: dict[str, Any]) -> dict[str, Any]:
    """The app's definition with the add-on's parts appended; InvalidDefinition naming each clash.
    The result is an ordinary app definition, checked by `parse_app` like any other."""
    issues = _shape_issues(addon)
    if not issues and addon["app"] != app.get("key"):
        issues.append(_issue("app", "wrong_app", f"此模板要安装到应用 {addon['app']}，不是 {app.get('key')}",
                             f"this add-on installs into app {addon['app']!r}, not {app.get('key')!r}"))
    if issues:
        raise InvalidDefinition(f"模板有 {len(issues)} 处错误", f"the add-on has {len(issues)} problem(s)", issues=issues)
    merged = copy.deepcopy(app)
    for part in _PARTS:
        taken = {x.get("key") for x in merged.get(part, [])}
        for i, item in enumerate(addon.get(part, [])):
            if item.get("key") in taken:
                issues.append(_issue(f"{part}[{i}].key", "exists", f"应用 {app['key']} 已有 {item.get('key')}",
                                     f"app {app['key']!r} has a {part[:-1]} {item.get('key')!r} already"))
        merged.setdefault(part, []).extend(copy.deepcopy(addon.get(part, [])))
    forms: dict[Any, dict[str, Any]] = {}
    for form in merged.get("forms", []):
        forms.setdefault(form.get("key"), form)  # the app's own form, before a clashing one of the add-on
    for i, ext in enumerate(addon.get("extend", [])):
        form = forms.get(ext.get("form"))
        if form is None:
            issues.append(_issue(f"extend[{i}].form", "unknown_form", f"表单 {ext.get('form')} 不存在",
                                 f"no form {ext.get('form')!r} to extend"))
            continue
        keys = {f.get("key") for f in form.get("fields", [])}
        for j, field in enumerate(ext.get("fields", [])):
            if field.get("key") in keys:
                issues.append(_issue(f"extend[{i}].fields[{j}].key", "exists",
                                     f"表单 {form['key']} 已有字段 {field.get('key')}",
                                     f"form {form['key']!r} has a field {field.get('key')!r} already"))
        form.setdefault("fields", []).extend(copy.deepcopy(ext.get("fields", [])))
    roles = {r.get("key"): r for r in merged.setdefault("roles", [])}
    for i, role in enumerate(addon.get("roles", [])):
        mine = roles.get(role.get("key"))
        if mine is None:
            merged["roles"].append(copy.deepcopy(role))
            continue
        # A role the app has (采购) gains the add-on's forms; what it may do on the app's own forms stays.
        for form_key, rights in role.get("permissions", {}).items():
            if form_key in mine.setdefault("permissions", {}):
                issues.append(_issue(f"roles[{i}].permissions.{form_key}", "exists",
                                     f"角色 {role['key']} 已有表单 {form_key} 的权限",
                                     f"role {role['key']!r} has rights on {form_key!r} already"))
            mine["permissions"][form_key] = copy.deepcopy(rights)
    if issues:
        raise InvalidDefinition(f"模板与应用 {app['key']} 有 {len(issues)} 处冲突",
                                f"the add-on clashes with app {app['key']!r} in {len(issues)} place(s)", issues=issues)
    return merged


def new_roles(app: dict[str, Any], addon: dict[str, Any]) -> list[str]:
    """The roles the add-on brings that the app does not have (the others only gain rights on its forms)."""
    mine = {r.get("key") for r in app.get("roles", [])}
    return [r.get("key") for r in addon.get("roles", []) if r.get("key") not in mine]


def remove_addon(app: dict[str, Any], addon: dict[str, Any], brought_roles: Iterable[str]) -> dict[str, Any]:
    """The app's definition without what the add-on put in (pure; the reverse of `merge_addon`, whatever the
    app changed since in those parts): its forms, flows and dashboards by key, the fields it appended to the
    app's forms, the roles it brought (`brought_roles`, as `new_roles` said at the install) and the rights
    it gave other roles on its forms. What else of the app still names a removed form (a local relation or
    widget) is left for `parse_app` to report at its path: nothing of the app's own is removed silently."""
    merged = copy.deepcopy(app)
    gone_forms = {f.get("key") for f in addon.get("forms", [])}
    for part in _PARTS:
        keys = {x.get("key") for x in addon.get(part, [])}
        merged[part] = [x for x in merged.get(part, []) if x.get("key") not in keys]
    for ext in addon.get("extend", []):
        appended = {f.get("key") for f in ext.get("fields", [])}
        for form in merged.get("forms", []):
            if form.get("key") == ext.get("form"):
                form["fields"] = [f for f in form.get("fields", []) if f.get("key") not in appended]
    brought = set(brought_roles)
    merged["roles"] = [r for r in merged.get("roles", []) if r.get("key") not in brought]
    for role in merged["roles"]:
        for form_key in gone_forms & set(role.get("permissions", {})):
            del role["permissions"][form_key]
    return merged


def addon_parts(addon: dict[str, Any]) -> dict[str, list[str]]:
    """What the add-on puts into its app, by kind: form, flow and dashboard keys, `form.field` of the
    fields it appends, role keys."""
    return {"forms": [f.get("key") for f in addon.get("forms", [])],
            "flows": [f.get("key") for f in addon.get("flows", [])],
            "reports": [r.get("key") for r in addon.get("reports", [])],
            "fields": [f"{e.get('form')}.{f.get('key')}" for e in addon.get("extend", []) for f in e.get("fields", [])],
            "roles": [r.get("key") for r in addon.get("roles", [])]}


def addon_path(app: dict[str, Any], addon: dict[str, Any], path: str) -> str:
    """The path in the add-on of a problem found in the merged app (`forms[14].fields[2]` → `forms[1].fields[2]`,
    a field appended to the app's `product` → `extend[0].fields[1]`); a path in the app's own parts is kept."""
    match = re.match(r"(forms|flows|reports|roles)\[(\d+)\](.*)", path, re.S)
    if match is None:
        return path
    part, index, rest = match.group(1), int(match.group(2)), match.group(3)
    base = app.get(part, [])
    if part == "roles":
        added = [r for r in addon.get("roles", []) if r.get("key") not in {b.get("key") for b in base}]
        if index >= len(base) and index - len(base) < len(added):
            return f"roles[{addon['roles'].index(added[index - len(base)])}]{rest}"
        return path
    if index >= len(base):
        return f"{part}[{index - len(base)}]{rest}"
    fields = re.match(r"\.fields\[(\d+)\](.*)", rest, re.S)
    if part == "forms" and fields:
        own = len(base[index].get("fields", []))
        for i, ext in enumerate(addon.get("extend", [])):
            if ext.get("form") == base[index].get("key") and int(fields.group(1)) >= own:
                return f"extend[{i}].fields[{int(fields.group(1)) - own}]{fields.group(2)}"
    return path


__all__ = ["ADDON_FORMAT", "addon_parts", "addon_path", "installed", "is_addon", "merge_addon", "new_roles",
           "remove_addon"]
