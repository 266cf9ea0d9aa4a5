"""Checking that the records, users, departments and files a record names exist — one query per kind per batch."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, bindparam, select

from engine.errors import Issue
from runtime.storage.context import FormRef
from runtime.storage.tables import departments, files, records, users


def reference_issues(conn: Connection, ref: FormRef, items: list[dict[str, Any]], prefix: str) -> list[Issue]:
    """Issues for every relation id, username or file id in `items` that does not exist.
    Paths are `<prefix>[i].<field>` (or just `<field>` when prefix is empty and there is one item)."""
    referring = [(f, f.refers_to, getattr(f, "target", "")) for f in ref.form.referring]
    wanted: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for data in items:
        for field, kind, target in referring:
            if field.key in data:
                wanted[(kind, target)].update(field.references(data[field.key]))
    missing: dict[tuple[str, str], set[Any]] = {}
    for (kind, target), values in wanted.items():
        found = _existing(conn, ref, kind, target, values)
        if found is not None and values - found:
            missing[(kind, target)] = values - found
    if not missing:
        return []
    issues = []
    for i, data in enumerate(items):
        for field, kind, target in referring:
            absent = missing.get((kind, target), set())
            bad = [v for v in field.references(data[field.key]) if v in absent] if field.key in data else []
            if bad:
                path = f"{prefix}[{i}].{field.key}" if prefix else field.key
                names = "、".join(str(b) for b in bad)
                issues.append(Issue(path, "unknown_reference", f"“{field.label}”引用的 {names} 不存在",
                                    f"{field.key!r} refers to {names}, which does not exist"))
    return issues


def _lookups(wanted: Any) -> dict[str, Any]:
    return {
        "record": select(records.c.id).where(records.c.app == bindparam("app"), records.c.form == bindparam("form"),
                                             records.c.deleted_at.is_(None), wanted(records.c.id)),
        "user": select(users.c.username).where(wanted(users.c.username)),
        "file": select(files.c.id).where(wanted(files.c.id)),
        "department": select(departments.c.key).where(wanted(departments.c.key)),
    }


# Built once, as every write runs them: one value (the usual case) by equality, more by an IN list.
_ONE = _lookups(lambda c: c == bindparam("one"))
_MANY = _lookups(lambda c: c.in_(bindparam("many", expanding=True)))


def _existing(conn: Connection, ref: FormRef, kind: str, target: str, values: set[Any]) -> set[Any] | None:
    if not values:
        return set()
    if kind not in _ONE:
        return None
    params = {"app": ref.app_key, "form": target}
    if len(values) == 1:
        return set(conn.scalars(_ONE[kind], params | {"one": next(iter(values))}))
    return set(conn.scalars(_MANY[kind], params | {"many": list(values)}))
