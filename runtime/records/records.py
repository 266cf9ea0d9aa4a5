"""Records: create (one or many), read, update with version checks, soft delete, restore, history.

Every function runs inside the caller's transaction: the record, its history row and (later) flow
state and outbox jobs commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, String, and_, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.errors import Issue, NotFound, UniqueViolation, ValidationFailed, VersionMismatch
from engine.forms.fields import FieldType
from engine.forms.fields.auto_number import AutoNumberField
from engine.forms.validate import finish_values, normalize_values
from engine.forms.visibility import drop_hidden
from engine.text_order import sql_sort_key
from runtime.crypto.fields import seal
from runtime.db import driver
from runtime.db.tables import live, record_history, records, sequences
from runtime.records import events, numbering
from runtime.records import history as versions
from runtime.records.bulk import insert_row_returning, insert_rows, shared_per_keys
from runtime.records.columns import field_column
from runtime.records.context import Change, FormRef, system_values
from runtime.records.derived import fill_lookups, fill_rollups_of_new, related_values
from runtime.records.events import RecordEvent
from runtime.records.indexes import unique_field_of
from runtime.records.references import reference_issues
from runtime.records.refresh import after_write


def _invalid(issues: list[Issue]) -> ValidationFailed:
    return ValidationFailed(f"有 {len(issues)} 处错误", f"{len(issues)} problem(s)", issues=issues)


def validate_many(conn: Connection, ref: FormRef, items: Sequence[Any], change: Change) -> list[dict[str, Any]]:
    """Normalise every item, fill lookups and empty rollups (one query for the batch), compute formulas
    and check rules; raise ValidationFailed listing every problem as `items[i].<field>`."""
    user, ctx = change.actor.username, change.ctx
    datas: list[dict[str, Any]] = []
    issues: list[Issue] = []

    def collect(i: int, error: ValidationFailed) -> None:
        issues.extend(Issue(f"items[{i}].{x.path}", x.code, x.message, x.message_en) for x in error.issues)

    for i, item in enumerate(items):
        try:
            datas.append(normalize_values(ref.form, item, ctx, user=user))
        except ValidationFailed as e:
            collect(i, e)
    if issues:
        raise _invalid(issues)
    # Every relation of a new record is the writer's: they compute only from records they may read.
    fill_lookups(conn, ref.form, datas, change.reads)
    fill_rollups_of_new(ref.form, datas)
    system = system_values(change.actor.username, change.now, change.now)
    related = [r | system for r in related_values(conn, ref.form, datas, change.reads)]
    for i, (item, data) in enumerate(zip(items, datas, strict=True)):
        try:
            data = drop_hidden(ref.form, data, set(item), {}, ctx, user, related[i])
            datas[i] = finish_values(ref.form, data, set(item), ctx, creating=True, user=user, related=related[i])
        except ValidationFailed as e:
            collect(i, e)
    if issues:
        raise _invalid(issues)
    return datas


def number_new(conn: Connection, ref: FormRef, datas: list[dict[str, Any]], change: Change) -> None:
    """Give new records their auto numbers (in place), taken from the form's sequences."""
    for field in ref.form.fields:
        if not isinstance(field, AutoNumberField):
            continue
        first = numbering.allocate(conn, (ref.app_key, ref.form.key, field.key, field.scope(change.now)), len(datas))
        number = field.numberer(change.now)
        for offset, data in enumerate(datas):
            data[field.key] = number(first + offset)


def _clash(field: FieldType, path: str, value: Any) -> Issue:
    return Issue(path, "unique_violation", f"“{field.label}”为 {value} 的记录已存在",
                 f"another record already has {field.key} = {value}")


_CLASH_BATCH = 500


def _duplicate_issues(conn: Connection, ref: FormRef, datas: list[dict[str, Any]], prefix: bool) -> list[Issue]:
    """Which items clash on which unique field, with each other or with stored records."""
    issues = []
    for field in ref.form.fields:
        if not field.unique:
            continue
        col = field_column(field, conn.dialect.name)
        values = [d.get(field.key) for d in datas]
        present = [v for v in values if v is not None]
        stored: set[str] = set()
        # One expanding parameter per piece, compared with the index's expression: SQLAlchemy
        # compiles the statement once, where an IN of 20,000 bound expressions took 9 s to compile.
        # SQLite's text key is computed here, the function SQLite would call (engine/text_order.py).
        for start in range(0, len(present), _CLASH_BATCH):
            params = [col.parameter(v, conn.dialect.name) for v in present[start:start + _CLASH_BATCH]]
            compared = [sql_sort_key(p.value) if col.keyed else p.value for p in params]
            stored |= {str(v) for v in conn.scalars(
                select(col.raw_expr()).select_from(records).where(
                    records.c.app == ref.app_key, records.c.form == ref.form.key, live(),
                    col.sort_expr().in_(bindparam("clashing", compared, expanding=True,
                                                  type_=String() if col.keyed else params[0].type))))}
        seen: set[str] = set()
        for i, value in enumerate(values):
            if value is None:
                continue
            held = col.stored(value)  # as the column holds it: an encrypted field's blind index
            if held in stored or held in seen:
                issues.append(_clash(field, f"items[{i}].{field.key}" if prefix else field.key, value))
            seen.add(held)
    return issues


def _guard(conn: Connection, rows: int = 1) -> Any:
    """A savepoint around a many-row write, so that after a unique violation the clashing values can
    still be looked up: PostgreSQL aborts the transaction on error, and SQLite would keep the rows
    before the clash. A single row needs none: its values are at hand and the error names the index,
    which on PostgreSQL saves two round trips on every create and update."""
    return conn.begin_nested() if rows > 1 else nullcontext()


def unique_error(conn: Connection, ref: FormRef, error: IntegrityError, datas: list[dict[str, Any]],
                  prefix: bool) -> UniqueViolation:
    """The unique violation of a write, naming the field (and for many rows, each clashing item).
    With one row the transaction may be aborted (PostgreSQL): nothing is read, the index tells."""
    key = unique_field_of(ref.app_key, ref.form, conn.dialect.name, str(error.orig))
    if len(datas) > 1:
        issues = _duplicate_issues(conn, ref, datas, prefix)
    elif key is not None and datas and datas[0].get(key) is not None:
        issues = [_clash(ref.form.by_key[key], f"items[0].{key}" if prefix else key, datas[0][key])]
    else:
        issues = []
    if not issues:
        label = ref.form.by_key[key].label if key else "?"
        issues = [Issue(key or "data", "unique_violation", f"“{label}”的值已存在", f"{key} must be unique")]
    return UniqueViolation(f"“{ref.form.name}”中已有相同的记录", "a unique field already has this value",
                           issues=issues)


@dataclass(frozen=True)
class NewRecord:
    """A record just written, with the attributes of a `records` row (no need to read it back)."""

    id: int
    app: str
    form: str
    data: dict[str, Any]
    version: int
    def_version: int
    owner: str | None
    department: str | None
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    updated_by: str | None
    deleted_at: datetime | None = None


def insert_records(conn: Connection, rows: list[dict[str, Any]], texts: dict[int, str]) -> list[int]:
    """Insert records rows (without their ids); returns the ids they took. On PostgreSQL one row
    takes its id from the insert, a round trip less than asking the sequence first."""
    if conn.dialect.name == "postgresql" and len(rows) == 1:
        return [insert_row_returning(conn, records, rows[0], "id", texts)]
    ids = _new_ids(conn, len(rows))
    insert_rows(conn, records, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)], texts)
    return ids


def _new_ids(conn: Connection, count: int) -> list[int]:
    """Ids for `count` new records, taken before the insert so one COPY or executemany needs no
    RETURNING (row-at-a-time on SQLite when the order of returned ids must be kept)."""
    if conn.dialect.name == "postgresql":
        return [i for (i,) in driver.rows(
            conn, "SELECT nextval(pg_get_serial_sequence('records', 'id')) FROM generate_series(1, ?)", (count,))]
    # SQLite: writers hold the database lock from BEGIN IMMEDIATE (storage.db), so max(id) stays ours.
    [(last,)] = driver.rows(conn, "SELECT coalesce(max(id), 0) FROM records")
    return list(range(last + 1, last + 1 + count))


def create_many(conn: Connection, ref: FormRef, items: Sequence[Any], change: Change,
                *, prefix: bool = True) -> list[NewRecord]:
    """Create records, all or nothing. Issues are reported per item as `items[i].<field>`."""
    return write_many(conn, ref, prepare_many(conn, ref, items, change, prefix=prefix), change, prefix=prefix)


def prepare_many(conn: Connection, ref: FormRef, items: Sequence[Any], change: Change,
                 *, prefix: bool = True) -> list[dict[str, Any]]:
    """The values `items` would be stored with, every reference checked: what create_many does before
    it writes, and only reads. An import runs it outside the write transaction (runtime/io/imports.py)."""
    datas = validate_many(conn, ref, items, change)
    issues = reference_issues(conn, ref, datas, "items" if prefix else "", change.reads)
    if issues:
        raise _invalid(issues)
    return datas


def clashes(conn: Connection, ref: FormRef, datas: list[dict[str, Any]]) -> list[Issue]:
    """Unique values that clash, among `datas` or with stored records, as `items[i].<field>`: read
    only, so an import can report them before it takes the write lock. The unique indexes still
    decide at write time."""
    return _duplicate_issues(conn, ref, datas, True)


def write_many(conn: Connection, ref: FormRef, datas: list[dict[str, Any]], change: Change,
               *, prefix: bool = True) -> list[NewRecord]:
    """Store values from prepare_many (auto numbers, ids, history, derived values, events); a unique
    clash raises UniqueViolation naming each clashing item."""
    if not datas:
        return []
    number_new(conn, ref, datas, change)
    who = change.actor.username
    columns = {"app": ref.app_key, "form": ref.form.key, "version": 1, "def_version": ref.version, "owner": who,
               "department": change.actor.department, "created_at": change.now, "created_by": who,
               "updated_at": change.now, "updated_by": who, "deleted_at": None}
    stored = [seal(ref.app_key, ref.form, d) for d in datas]  # encrypted fields: ciphertext + blind index
    rows = [{"data": d, **columns} for d in stored]
    texts: dict[int, str] = {}  # each record's data serialised once, for records and history
    field_list = shared_per_keys(list)
    try:
        with _guard(conn, len(rows)):
            ids = insert_records(conn, rows, texts)
    except IntegrityError as e:
        raise unique_error(conn, ref, e, datas, prefix) from None
    made = [NewRecord(id=i, **{**row, "data": d}) for i, row, d in zip(ids, rows, datas, strict=True)]
    insert_rows(conn, record_history, [
        {"record_id": r.id, "version": 1, "action": "create", "changed": field_list(r.data), "data": kept,
         "at": change.now, "by": who}
        for r, kept in zip(made, stored, strict=True)
    ], texts)
    after_write(conn, ref.app, ref.form, [r.id for r in made], [{}] * len(made), datas, change.ctx, creating=True)
    events.publish(conn, RecordEvent("create", ref, [r.id for r in made], [{}] * len(made), datas, change))
    return made


def create(conn: Connection, ref: FormRef, values: Any, change: Change) -> NewRecord:
    """Create one record; issues name the field keys directly."""
    try:
        return create_many(conn, ref, [values], change, prefix=False)[0]
    except ValidationFailed as e:
        e.issues = [Issue(i.path.removeprefix("items[0]."), i.code, i.message, i.message_en) for i in e.issues]
        raise


def get(conn: Connection, ref: FormRef, record_id: int, *, deleted: bool = False,
        lock: bool = False) -> Row[Any]:
    """One record of the form; NotFound if it is not there (or deleted, unless deleted=True)."""
    query = select(records).where(records.c.id == record_id, records.c.app == ref.app_key,
                                  records.c.form == ref.form.key)
    query = query.where(records.c.deleted_at.is_not(None) if deleted else live())
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"“{ref.form.name}”中没有记录 {record_id}",
                       f"form {ref.form.key!r} has no record {record_id}")
    return row


def as_committed(conn: Connection, ref: FormRef, written: Sequence[Any]) -> list[Any]:
    """The records just written, read again inside the write's transaction: what subscribers (a flow's
    update_record, derived values) changed in the same write is in the answer too. One query."""
    if not written:
        return []
    ids = [r.id for r in written]
    found = {row.id: row for row in conn.execute(select(records).where(
        records.c.app == ref.app_key, records.c.form == ref.form.key, records.c.id.in_(ids)))}
    return [found.get(r.id, r) for r in written]


def _check_version(row: Row[Any], expected: int | None) -> None:
    if expected is not None and expected != row.version:
        raise VersionMismatch(
            f"记录已被修改（当前版本 {row.version}，提交的版本 {expected}），请刷新后重试",
            f"the record is at version {row.version}, not {expected}", current_version=row.version)


def _write(conn: Connection, ref: FormRef, row: Row[Any], values: dict[str, Any], action: str,
           changed: list[str], data: dict[str, Any], change: Change, datas: list[dict[str, Any]]) -> Row[Any]:
    stored = seal(ref.app_key, ref.form, data)  # the same object for records and history
    if "data" in values:
        values = {**values, "data": stored}
    try:
        with _guard(conn):
            result = conn.execute(
                update(records).where(and_(records.c.id == row.id, records.c.version == row.version))
                .values(version=row.version + 1, updated_at=change.now, updated_by=change.actor.username,
                        **values).returning(*records.c))
            new = result.first()
    except IntegrityError as e:
        raise unique_error(conn, ref, e, datas, False) from None
    if new is None:  # someone else wrote between our read and this write (SQLite: cannot happen)
        current = conn.scalar(select(records.c.version).where(records.c.id == row.id))
        raise VersionMismatch(f"记录已被他人修改（当前版本 {current}），请刷新后重试",
                              f"the record changed meanwhile (now version {current})", current_version=current)
    kept = versions.row_data(conn, ref.app_key, ref.form, row.id, new.version, data, stored)
    conn.execute(insert(record_history).values(
        record_id=row.id, version=new.version, action=action, changed=changed, data=kept,
        at=change.now, by=change.actor.username))
    return new


def update_record(conn: Connection, ref: FormRef, record_id: int, values: Any, change: Change,
                  *, expected_version: int | None = None) -> Row[Any]:
    """Apply a partial update; a stale `expected_version` raises VersionMismatch. No change, no new version."""
    row = get(conn, ref, record_id, lock=True)
    _check_version(row, expected_version)
    user = change.actor.username
    data = normalize_values(ref.form, values, change.ctx, existing=row.data, user=user)
    # The relations changed now are the writer's: they may name only records the writer may read. The
    # others keep what they name, set by someone else (a form sent back unchanged stays valid).
    renamed = {k for k in values if k in data and data[k] != row.data.get(k)}
    fill_lookups(conn, ref.form, [data], change.reads, renamed)
    related = related_values(conn, ref.form, [data], change.reads, renamed)[0] | system_values(
        row.owner, row.created_at, change.now, created_by=row.created_by, record_id=row.id, updated_by=user)
    data = drop_hidden(ref.form, data, set(values), row.data, change.ctx, user, related)
    data = finish_values(ref.form, data, set(values), change.ctx, creating=False, user=user, related=related,
                         existing=row.data)
    issues = reference_issues(conn, ref, [{k: data[k] for k in values if k in data}], "")
    if not issues and change.reads is not None and renamed:
        issues = reference_issues(conn, ref, [{k: data[k] for k in renamed if k in data}], "", change.reads)
    if issues:
        raise _invalid(issues)
    changed = sorted(k for k in data.keys() | row.data.keys() if data.get(k) != row.data.get(k))
    if not changed:
        return row
    changed_only = {k: data.get(k) for k in changed if k in data}
    events.check(conn, RecordEvent("update", ref, [row.id], [row.data], [data], change))
    new = _write(conn, ref, row, {"data": data, "def_version": ref.version}, "update", changed, data,
                 change, [changed_only])
    after_write(conn, ref.app, ref.form, [row.id], [row.data], [data], change.ctx)
    events.publish(conn, RecordEvent("update", ref, [row.id], [row.data], [data], change, versions=[new.version]))
    return new


def delete(conn: Connection, ref: FormRef, record_id: int, change: Change,
           *, expected_version: int | None = None) -> Row[Any]:
    """Soft delete: the record leaves lists and unique checks, and can be restored."""
    row = get(conn, ref, record_id, lock=True)
    _check_version(row, expected_version)
    event = RecordEvent("delete", ref, [row.id], [row.data], [{}], change)
    events.check(conn, event)
    new = _write(conn, ref, row, {"deleted_at": change.now}, "delete", [], row.data, change, [])
    after_write(conn, ref.app, ref.form, [row.id], [row.data], [{}], change.ctx)
    events.publish(conn, event)
    return new


def restore(conn: Connection, ref: FormRef, record_id: int, change: Change) -> Row[Any]:
    """Bring a soft-deleted record back; refused with unique_violation if its unique values were reused."""
    row = get(conn, ref, record_id, deleted=True, lock=True)
    event = RecordEvent("restore", ref, [row.id], [{}], [row.data], change)
    events.check(conn, event)
    new = _write(conn, ref, row, {"deleted_at": None}, "restore", [], row.data, change, [row.data])
    after_write(conn, ref.app, ref.form, [row.id], [{}], [row.data], change.ctx)
    events.publish(conn, event)
    return new


def history(conn: Connection, ref: FormRef, record_id: int) -> list[versions.Version]:
    """Every version of a record, whole, oldest first (deleted records keep their history)."""
    query = select(records.c.id).where(records.c.id == record_id, records.c.app == ref.app_key,
                                       records.c.form == ref.form.key)
    if conn.execute(query).first() is None:
        raise NotFound(f"“{ref.form.name}”中没有记录 {record_id}",
                       f"form {ref.form.key!r} has no record {record_id}")
    return versions.versions_of(conn, [record_id])


__all__ = ["create", "create_many", "as_committed", "get", "update_record", "delete", "restore", "history", "sequences"]
