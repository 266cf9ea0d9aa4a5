"""The roles page's edits on a draft definition: put a whole role (name, defaults, the matrix), copy one,
remove one; and `explain`, which role grants each right to a user ("why can 张三 see this").

Each edit returns a new draft; the caller validates the whole app afterwards, so a matrix that breaks the
definition is refused with JSON paths (`roles[1].permissions.customer.read.when`) the page shows on the cell.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from engine.errors import AlreadyExists, BadQuery, NotFound
from engine.forms.model import FormDefinition
from engine.permissions.model import ACCESS_ORDER, RoleDefinition
from engine.permissions.rights import ROW_OPERATIONS

FLAG_OPERATIONS = ("create", "export", "import", "manage")


def _index(draft: dict[str, Any], key: str) -> int:
    for i, role in enumerate(draft.get("roles", [])):
        if role.get("key") == key:
            return i
    raise NotFound(f"角色 {key} 不存在", f"no role {key!r}")


def role_of(draft: dict[str, Any], key: str) -> dict[str, Any]:
    """The role `key` of a draft, as JSON."""
    return dict(draft["roles"][_index(draft, key)])


def put_role(draft: dict[str, Any], key: str, role: dict[str, Any]) -> dict[str, Any]:
    """Replace the role `key` with `role` (added at the end when the draft has none by that key)."""
    if role.get("key", key) != key:
        raise BadQuery(f"角色的 key 应为 {key}", f"the role's key must be {key!r}", field="key")
    new = copy.deepcopy(draft)
    roles = new.setdefault("roles", [])
    try:
        roles[_index(new, key)] = {**role, "key": key}
    except NotFound:
        roles.append({**role, "key": key})
    return new


def copy_role(draft: dict[str, Any], key: str, new_key: str, name: str | None = None) -> dict[str, Any]:
    """A copy of the role's rights under `new_key` (members are not copied: the copy has none until given)."""
    new = copy.deepcopy(draft)
    original = new["roles"][_index(new, key)]
    if any(r.get("key") == new_key for r in new["roles"]):
        raise AlreadyExists(f"角色 {new_key} 已存在", f"role {new_key!r} exists already", field="key")
    new["roles"].append({**copy.deepcopy(original), "key": new_key,
                         "name": name or f"{original.get('name', key)}（副本）"})
    return new


def remove_role(draft: dict[str, Any], key: str) -> dict[str, Any]:
    """The draft without the role `key` (a flow still naming it makes the validation refuse the edit)."""
    new = copy.deepcopy(draft)
    del new["roles"][_index(new, key)]
    return new


def role_changes(before: dict[str, Any], after: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    """What an edit changed in the role `key` (absent before: added; after: removed), as the audit log's
    `changed`: `{name: {from, to}}` per property, and `permissions.<form>` per form whose rights differ."""
    def flat(draft: dict[str, Any]) -> dict[str, Any]:
        role: dict[str, Any] = next((r for r in draft.get("roles", []) if r.get("key") == key), {})
        return {**{k: v for k, v in role.items() if k not in ("key", "permissions")},
                **{f"permissions.{form}": p for form, p in role.get("permissions", {}).items()}}

    flat_old, flat_new = flat(before), flat(after)
    return {name: {"from": flat_old.get(name), "to": flat_new.get(name)}
            for name in [*flat_old, *(n for n in flat_new if n not in flat_old)]
            if flat_old.get(name) != flat_new.get(name)}


def explain(form: FormDefinition, roles: Iterable[RoleDefinition]) -> dict[str, Any]:
    """Which of these roles grants each right on the form: `{"operations": {op: [role keys]},
    "fields": {field: {"access", "roles"}}}` — a field's access is the most open any role gives and
    `roles` those giving it (as the gate combines them: engine.permissions.rights.rights_of)."""
    operations: dict[str, list[str]] = {op: [] for op in (*FLAG_OPERATIONS, *ROW_OPERATIONS)}
    fields: dict[str, dict[str, Any]] = {f.key: {"access": "hidden", "roles": []} for f in form.fields}
    for role in roles:
        permission = role.on(form.key)
        if permission is None:
            continue
        for op in FLAG_OPERATIONS:
            if getattr(permission, "import_" if op == "import" else op):
                operations[op].append(role.key)
        for op in ROW_OPERATIONS:
            if getattr(permission, op) is not None:
                operations[op].append(role.key)
        if not (permission.read or permission.create or permission.update):
            continue  # a role that cannot see the form's records opens none of its fields
        for f in form.fields:
            access = permission.fields.get(f.key) or permission.default_field_access or role.default_field_access
            shown = fields[f.key]
            if ACCESS_ORDER[access] > ACCESS_ORDER[shown["access"]]:
                fields[f.key] = {"access": access, "roles": [role.key]}
            elif access == shown["access"] and access != "hidden":
                shown["roles"].append(role.key)
    return {"operations": operations, "fields": fields}


__all__ = ["FLAG_OPERATIONS", "copy_role", "explain", "put_role", "remove_role", "role_of"]
