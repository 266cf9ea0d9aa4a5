"""Checking that the records, users and files a record names exist — one query per kind per batch."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, select

from engine.errors import Issue
from runtime.storage.context import FormRef
from runtime.storage.tables import files, records, users


def reference_issues(conn: Connection, ref: FormRef, items: list[dict[str, Any]], prefix: str) -> list[Issue]:
    """Issues for every relation id, username or file id in `items` that does not exist.
    Paths are `<prefix>[i].<field>` (or just `<field>` when prefix is empty and there is one item)."""
    wanted: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for data in items:
        for key, value in data.items():
            field = ref.form.by_key.get(key)
            kind = type(field).refers_to if field else None
            if kind:
                target = getattr(field, "target", "") if kind == "record" else ""
                wanted[(kind, target)].update(field.references(value))
    missing: dict[tuple[str, str], set[Any]] = {}
    for (kind, target), values in wanted.items():
        found = _existing(conn, ref, kind, target, values)
        if found is not None and values - found:
            missing[(kind, target)] = values - found
    issues = []
    for i, data in enumerate(items):
        for key, value in data.items():
            field = ref.form.by_key.get(key)
            kind = type(field).refers_to if field else None
            if not kind:
                continue
            target = getattr(field, "target", "") if kind == "record" else ""
            bad = [v for v in field.references(value) if v in missing.get((kind, target), ())]
            if bad:
                path = f"{prefix}[{i}].{key}" if prefix else key
                names = "、".join(str(b) for b in bad)
                issues.append(Issue(path, "unknown_reference", f"“{field.label}”引用的 {names} 不存在",
                                    f"{key!r} refers to {names}, which does not exist"))
    return issues


def _existing(conn: Connection, ref: FormRef, kind: str, target: str, values: set[Any]) -> set[Any] | None:
    if not values:
        return set()
    if kind == "record":
        query = select(records.c.id).where(
            records.c.app == ref.app_key, records.c.form == target, records.c.deleted_at.is_(None),
            records.c.id.in_(values))
    elif kind == "user":
        query = select(users.c.username).where(users.c.username.in_(values))
    elif kind == "file":
        query = select(files.c.id).where(files.c.id.in_(values))
    else:
        return None  # departments arrive with the organisation issue; until then any key is kept
    return set(conn.scalars(query))
