"""App definitions: import, versions, upgrades checked against stored data, and the builder's draft.

Every published change is a new row in app_versions; records remember the version they were
written under. Parsed definitions are cached per (app, version): a version never changes. Which
version is current is kept for a second (runtime/db/recent.py): a version published through
this process is current from the next request, one published by another process (a second
worker) within the second.
"""

from __future__ import annotations

import threading
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.app import AppDefinition
from engine.app_check import parse_app
from engine.errors import AlreadyExists, DraftPending, IncompatibleChange, Issue, NotFound
from engine.forms.changes import convert, value_changes
from engine.forms.model import FormDefinition
from engine.forms.tightening import Decision
from engine.upgrade.merge import merge
from runtime.accounts import org
from runtime.apps import constraint_report
from runtime.apps.constraint_report import Problem
from runtime.crypto.fields import seal
from runtime.crypto.reseal import changed_encryption, require_key, reseal_form
from runtime.db import driver
from runtime.db.recent import RecentReads
from runtime.db.tables import app_versions, apps, live, records
from runtime.records import duplicates, search
from runtime.records.columns import field_column
from runtime.records.context import Change, FormRef
from runtime.records.indexes import drop_form_indexes, sync_indexes
from runtime.records.refresh import changed_rollups, recompute_rollups

_parsed: WeakKeyDictionary[Engine, dict[tuple[str, int], AppDefinition]] = WeakKeyDictionary()
"""Parsed definitions per database and (app, version): a stored version never changes."""
_current: WeakKeyDictionary[Engine, RecentReads[str, int]] = WeakKeyDictionary()
"""Each app's current version per database, as read a moment ago."""
_watching = threading.Lock()


def _current_versions(engine: Engine) -> RecentReads[str, int]:
    versions = _current.get(engine)
    if versions is None:
        with _watching:  # one cache, watching once, however many requests come first
            versions = _current.get(engine)
            if versions is None:
                versions = _current[engine] = RecentReads[str, int](frozenset({"apps"})).watch(engine)
    return versions


_APP_ROW = (apps.c.key, apps.c.name, apps.c.version, apps.c.draft, apps.c.created_at, apps.c.updated_at)
"""Named, not `select(apps)`: migrations call these before the columns added later exist (0028's template)."""


def _app_row(conn: Connection, key: str) -> Row[Any]:
    row = conn.execute(select(*_APP_ROW).where(apps.c.key == key)).first()
    if row is None:
        raise NotFound(f"应用 {key} 不存在", f"no app {key!r}")
    return row


def current(conn: Connection, key: str) -> tuple[AppDefinition, int]:
    """The app's current published definition and its version number. Every request asks: read once
    a second, not once a request, it saves PostgreSQL one of the five round trips a single create made."""
    versions = _current_versions(conn.engine)
    version = versions.get(key)
    if version is None:
        generation = versions.generation
        found = driver.rows(conn, 'SELECT version FROM apps WHERE "key" = ?', (key,))
        if not found:
            raise NotFound(f"应用 {key} 不存在", f"no app {key!r}")
        version = found[0][0]
        versions.put(key, version, generation, conn)
    return version_of(conn, key, version), version


def version_of(conn: Connection, key: str, version: int) -> AppDefinition:
    """One stored version, parsed once per process."""
    cache = _parsed.setdefault(conn.engine, {})
    if (key, version) not in cache:
        definition = conn.scalar(select(app_versions.c.definition).where(
            app_versions.c.app == key, app_versions.c.version == version))
        if definition is None:
            raise NotFound(f"应用 {key} 没有版本 {version}", f"app {key!r} has no version {version}")
        cache[(key, version)] = parse_app(definition)
    return cache[(key, version)]


def form_ref(conn: Connection, app_key: str, form_key: str) -> FormRef:
    app, version = current(conn, app_key)
    return FormRef(app, version, app.form(form_key))


def current_apps(conn: Connection) -> list[AppDefinition]:
    """Every app's current published definition, by key."""
    return [current(conn, key)[0] for key in conn.scalars(select(apps.c.key).order_by(apps.c.key))]


def sync_all_indexes(conn: Connection) -> None:
    """Bring every form's indexes in line with what this code wants for its definition (migrations
    that change how indexes are built)."""
    for app in current_apps(conn):
        for form in app.forms:
            sync_indexes(conn, app.key, form)


def list_apps(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(*_APP_ROW).order_by(apps.c.key)))


def list_versions(conn: Connection, key: str) -> list[Row[Any]]:
    _app_row(conn, key)
    return list(conn.execute(
        select(app_versions.c.version, app_versions.c.label, app_versions.c.created_at, app_versions.c.created_by)
        .where(app_versions.c.app == key).order_by(app_versions.c.version)))


def import_app(conn: Connection, data: Any, change: Change,
               template: dict[str, Any] | None = None) -> tuple[AppDefinition, int]:
    """Store a new app at version 1 and create its indexes; AlreadyExists if the key is taken. The
    template it comes from (the base of its upgrades) is its version 1 unless given (runtime/apps/upgrades.py)."""
    app = parse_app(data)
    require_key(app)
    if conn.execute(select(apps.c.key).where(apps.c.key == app.key)).first() is not None:
        raise AlreadyExists(f"应用 {app.key} 已存在", f"app {app.key!r} exists already; upgrade it with PUT")
    try:
        with conn.begin_nested():
            conn.execute(insert(apps).values(key=app.key, name=app.name, version=1, draft=None,
                                             created_at=change.now, updated_at=change.now))
    except IntegrityError:
        raise AlreadyExists(f"应用 {app.key} 已存在", f"app {app.key!r} exists already") from None
    _store_version(conn, app, 1, change)
    if template is not None:  # not written otherwise: migrations import apps before the column exists
        conn.execute(update(apps).where(apps.c.key == app.key).values(template=template))
    for form in app.forms:
        sync_indexes(conn, app.key, form)
    return app, 1


def _store_version(conn: Connection, app: AppDefinition, version: int, change: Change) -> None:
    conn.execute(insert(app_versions).values(app=app.key, version=version, label=app.version,
                                             definition=app.dump(), created_at=change.now,
                                             created_by=change.actor.username))


def _stored_values(conn: Connection, app: str, form: str, key: str) -> Any:
    data = select(records.c.id, records.c.data).where(records.c.app == app, records.c.form == form)
    for row in conn.execute(data.execution_options(yield_per=2000)):
        if key in row.data and row.data[key] is not None:
            yield row.id, row.data


def _convert_values(conn: Connection, app: str, old: FormDefinition, new: FormDefinition,
                    change: Change) -> dict[int, dict[str, Any]]:
    """The data of every record whose stored value of a changed field converts to another value (the
    report saw to it that every value converts, or was filled)."""
    converted: dict[int, dict[str, Any]] = {}
    for vc in value_changes(old, new):
        for record_id, data in _stored_values(conn, app, old.key, vc.key):
            value = convert(vc, data[vc.key], change.ctx)
            if value != data[vc.key]:
                converted.setdefault(record_id, dict(data))[vc.key] = value
    return converted


def check_upgrade(conn: Connection, key: str, data: Any, change: Change) -> tuple[AppDefinition, list[Problem]]:
    """The new definition parsed, and what stored records break of its new or stricter constraints
    (nothing written: the publish report, or its dry run)."""
    new = parse_app(data)
    require_key(new)
    if new.key != key:
        raise IncompatibleChange(f"应用键不能修改（{key} → {new.key}）", f"the app key cannot change ({key} → {new.key})")
    old, _ = current(conn, key)
    return new, constraint_report.report(conn, key, old, new, change.ctx)


def report_json(new: AppDefinition, problems: list[Problem]) -> list[dict[str, Any]]:
    """The report as the API answers it."""
    return [p.as_dict(new.form(p.tightening.form).name) for p in problems]


def upgrade_app(conn: Connection, key: str, data: Any, change: Change,
                decisions: list[Decision] | None = None) -> tuple[AppDefinition, int]:
    """Publish a new version after checking it against stored data. Every problem of the report needs
    a decision: fills are written and values of changed types converted in the same transaction;
    else the whole upgrade is refused (409) with the report."""
    new, problems = check_upgrade(conn, key, data, change)
    old, version = current(conn, key)
    decided = {d.problem for d in decisions or []}
    unresolved = [p for p in problems if p.key not in decided]
    if unresolved:
        raise IncompatibleChange(
            f"有 {len(unresolved)} 处修改与已有数据不符，请为每一处选择处理方式", f"{len(unresolved)} change(s) do not fit "
            "the stored records: decide for each (fill or new values only)",
            issues=[p.issue() for p in unresolved], report=report_json(new, unresolved))
    filled = constraint_report.apply_fills(conn, key, new, problems, decisions or [], change)
    converted: dict[int, tuple[FormDefinition, dict[str, Any]]] = {}
    converted_forms: set[str] = set(filled)
    for form in new.forms:
        before = old.forms_by_key.get(form.key) or FormDefinition(key=form.key, name=form.name)
        form_converted = _convert_values(conn, key, before, form, change)
        converted.update({record_id: (form, values) for record_id, values in form_converted.items()})
        if form_converted:
            converted_forms.add(form.key)
    for record_id, (form, values) in converted.items():
        conn.execute(update(records).where(records.c.id == record_id).values(data=seal(key, form, values)))
    for form in changed_encryption(old, new):  # a field became encrypted or plain: stored values follow
        reseal_form(conn, key, form)
    _store_version(conn, new, version + 1, change)
    conn.execute(update(apps).where(apps.c.key == key).values(name=new.name, version=version + 1, draft=None,
                                                               updated_at=change.now))
    _sync_all_indexes(conn, old, new)
    org.drop_members_of_removed_roles(conn, key, new.role_keys)  # a role removed takes its members with it
    for form in new.forms:
        before = old.forms_by_key.get(form.key)
        search.follow_definition(conn, key, before, form, form.key in converted_forms)
        duplicates.follow_definition(conn, key, before, form, form.key in converted_forms)
        recompute_rollups(conn, new, form, changed_rollups(before, form), change.ctx)
    return new, version + 1


def _sync_all_indexes(conn: Connection, old: AppDefinition, new: AppDefinition) -> None:
    for form in new.forms:
        try:
            with conn.begin_nested():
                sync_indexes(conn, new.key, form)
        except IntegrityError:
            raise IncompatibleChange(
                f"表单“{form.name}”中已有重复的值，不能设为唯一",
                f"form {form.key!r} has duplicate values in a field made unique",
                issues=_duplicate_counts(conn, new.key, form)) from None
    for form in old.forms:
        if form.key not in new.forms_by_key:
            drop_form_indexes(conn, new.key, form.key)


def _duplicate_counts(conn: Connection, app: str, form: FormDefinition) -> list[Issue]:
    issues = []
    for i, field in enumerate(form.fields):
        if not field.unique:
            continue
        col = field_column(field, conn.dialect.name)
        dupes = select(col.raw_expr().label("v")).select_from(records).where(
            records.c.app == app, records.c.form == form.key, live(),
            col.raw_expr().is_not(None)).group_by(col.raw_expr()).having(func.count() > 1)
        count = conn.scalar(select(func.count()).select_from(dupes.subquery()))
        if count:
            issues.append(Issue(f"fields[{i}].unique", "duplicate_values", f"“{field.label}”有 {count} 个重复的值",
                                f"{field.key!r} has {count} duplicated value(s)"))
    return issues


def draft(conn: Connection, key: str) -> dict[str, Any]:
    """The builder's working copy: the saved draft, or the current definition."""
    row = _app_row(conn, key)
    if row.draft is not None:
        return dict(row.draft)
    return version_of(conn, key, row.version).dump()


def saved_draft(conn: Connection, key: str) -> dict[str, Any] | None:
    """The builder's unpublished working copy, if there is one."""
    row = _app_row(conn, key)
    return None if row.draft is None else dict(row.draft)


def pending_draft(conn: Connection, key: str) -> dict[str, Any] | None:
    """The builder's unpublished changes: the saved draft when it differs from the published version (a
    draft edited back to what is published is nothing pending)."""
    row = _app_row(conn, key)
    if row.draft is None or dict(row.draft) == version_of(conn, key, row.version).dump():
        return None
    return dict(row.draft)


def draft_changes(conn: Connection, key: str) -> dict[str, Any]:
    """What the pending draft adds, changes and removes against the published version, part by part
    (paths such as `forms[customer].fields[level].options`); `pending` False when there is nothing."""
    pending = pending_draft(conn, key)
    if pending is None:
        return {"pending": False, "added": [], "updated": [], "removed": []}
    published = current(conn, key)[0].dump()
    diff = merge(published, pending, published)
    return {"pending": True, "added": [p.path for p in diff.added], "updated": [p.path for p in diff.updated],
            "removed": [p.path for p in diff.removed]}


def refuse_over_draft(conn: Connection, key: str) -> None:
    """A whole new definition (an upload, a template upgrade) would overwrite the builder's unpublished
    changes without a word: refuse while there are any (409 draft_pending)."""
    if pending_draft(conn, key) is not None:
        raise DraftPending("应用有未发布的修改：请先在设计器中发布，或放弃这些修改，再替换整个定义",
                           "the app has unpublished changes in the builder: publish or discard them before "
                           "replacing the whole definition")


def discard_draft(conn: Connection, key: str, change: Change) -> None:
    """Drop the builder's working copy (draft_changes says beforehand what it held)."""
    conn.execute(update(apps).where(apps.c.key == key, apps.c.draft.is_not(None))
                 .values(draft=None, updated_at=change.now))


def draft_definition(conn: Connection, key: str) -> AppDefinition:
    """The working copy parsed (the builders' previews run on it before it is published)."""
    return parse_app(draft(conn, key))


def save_draft(conn: Connection, key: str, data: dict[str, Any], change: Change) -> AppDefinition:
    """Validate and keep a changed working copy (not yet published)."""
    app = parse_app(data)
    conn.execute(update(apps).where(apps.c.key == key).values(draft=app.dump(), updated_at=change.now))
    return app


def publish(conn: Connection, key: str, change: Change,
            decisions: list[Decision] | None = None) -> tuple[AppDefinition, int]:
    """Make the draft the next version (checked against stored data like any upgrade)."""
    return upgrade_app(conn, key, draft(conn, key), change, decisions)
