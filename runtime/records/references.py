"""Checking that the records, users, departments and files a record names exist — one query per kind per batch."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, select

from engine.errors import Issue
from engine.forms.fields import FieldType
from runtime.db import driver, transaction_state
from runtime.db.tables import records
from runtime.records.context import FormRef, Readable
from runtime.records.titles import has_row_relations, relation_cells


def reference_issues(conn: Connection, ref: FormRef, items: list[dict[str, Any]], prefix: str,
                     reads: Readable | None = None) -> list[Issue]:
    """Issues for every relation id, username or file id in `items` that does not exist.
    Paths are `<prefix>[i].<field>` (or just `<field>` when prefix is empty and there is one item).
    With `reads` (the writer's read scope per form), a record they may not read is reported exactly as
    a missing one: a relation never names, nor reveals the existence of, a record hidden from its writer."""
    referring = [(f, f.refers_to, getattr(f, "target", "")) for f in ref.form.referring]
    wanted: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for data in items:
        for field, kind, target in referring:
            if field.key in data:
                wanted[(kind, target)].update(field.references(data[field.key]))
        for _path, column, value in _row_relations(ref, data):
            wanted[("record", getattr(column, "target", ""))].update(column.references(value))
    missing: dict[tuple[str, str], set[Any]] = {}
    for (kind, target), values in wanted.items():
        found = _existing(conn, ref, kind, target, values)
        if found and kind == "record" and reads is not None:
            found = _readable(conn, ref, target, found, reads)
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
                issues.append(_unknown(f"{prefix}[{i}].{field.key}" if prefix else field.key, field, bad))
        for path, column, value in _row_relations(ref, data):
            absent = missing.get(("record", getattr(column, "target", "")), set())
            bad = [v for v in column.references(value) if v in absent]
            if bad:
                issues.append(_unknown(f"{prefix}[{i}].{path}" if prefix else path, column, bad))
    return issues


def _row_relations(ref: FormRef, data: dict[str, Any]) -> list[tuple[str, FieldType, Any]]:
    """The relation cells of the record's sub_table rows (`lines[2].product`): checked like relation fields."""
    return [cell for cell in relation_cells(ref.form, data) if "[" in cell[0]] if has_row_relations(ref.form) else []


def _unknown(path: str, field: FieldType, bad: list[Any]) -> Issue:
    names = "、".join(str(b) for b in bad)
    return Issue(path, "unknown_reference", f"“{field.label}”引用的 {names} 不存在",
                 f"{field.key!r} refers to {names}, which does not exist")


def _readable(conn: Connection, ref: FormRef, target: str, ids: set[Any], reads: Readable) -> set[Any]:
    query = select(records.c.id).where(records.c.id.in_(sorted(ids)), records.c.app == ref.app_key,
                                       records.c.form == target, reads(conn, target))
    return set(conn.scalars(query))


_TABLES = {"record": ("records", "id"), "user": ("users", "username"), "file": ("files", "id"),
           "department": ("departments", "key")}


def _existing(conn: Connection, ref: FormRef, kind: str, target: str, values: set[Any]) -> set[Any] | None:
    if not values:
        return set()
    if kind not in _TABLES:
        return None
    if kind == "user":
        return _existing_users(conn, ref, values)
    return _query_existing(conn, ref, kind, target, values)


def _query_existing(conn: Connection, ref: FormRef, kind: str, target: str, values: set[Any]) -> set[Any]:
    table, key = _TABLES[kind]
    marks = ", ".join("?" * len(values))
    sql = f'SELECT "{key}" FROM {table} WHERE "{key}" IN ({marks})'
    params: list[Any] = list(values)
    if kind == "record":
        sql += " AND app = ? AND form = ? AND deleted_at IS NULL AND version > 0"
        params += [ref.app_key, target]
    return {row[0] for row in driver.rows(conn, sql, params)}  # every write asks: straight to the driver


_known_users: WeakKeyDictionary[Engine, set[str]] = WeakKeyDictionary()
"""Usernames seen to exist, per engine. Users are deactivated, never deleted or renamed, so a name
once found stays valid: a write naming only known users (a record's owner, its 负责人) skips a query."""


def _existing_users(conn: Connection, ref: FormRef, names: set[Any]) -> set[Any]:
    engine = conn.engine
    known = _known_users.get(engine)
    if known is None:
        known = _known_users.setdefault(engine, set())
        transaction_state.follow(engine, _SEEN, _learn_users)
    unknown = names - known
    if not unknown:
        return names
    found = _query_existing(conn, ref, "user", "", unknown)
    conn.info.setdefault(_SEEN, set()).update(found)  # known once this transaction commits: it may
    return (names & known) | found                    # be the one that created them, and roll back


_SEEN = "tangram_users_seen"  # for the length of a transaction (storage.transaction_state)


def _learn_users(conn: Connection, seen: set[str]) -> None:
    _known_users.setdefault(conn.engine, set()).update(seen)
