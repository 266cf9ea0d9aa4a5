"""Saved list views and column layouts: per user and form, checked against the form when saved.

A view is checked with the same functions the list runs (columns, sort, conditions, expression),
so a saved view that opens is a list the API would serve; a field removed later simply drops out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.errors import AlreadyExists, BadQuery, NotFound
from engine.expr.evaluate import EvalContext
from runtime.db.tables import list_layouts, saved_views
from runtime.records import listing
from runtime.records.columns import is_system
from runtime.records.context import Change, FormRef
from runtime.records.expressions import filter_clause
from runtime.schemas.views import ViewIn, ViewSpec


def check_columns(ref: FormRef, columns: list[str], path: str = "columns") -> None:
    for i, key in enumerate(columns):
        if key not in ref.form.by_key and not is_system(key):
            raise BadQuery(f"表单“{ref.form.name}”没有字段 {key}", f"form {ref.form.key!r} has no field {key!r}",
                           field=f"{path}[{i}]")


def check_spec(conn: Connection, ref: FormRef, spec: ViewSpec, change: Change) -> None:
    """BadQuery naming the part of the view the list could not run."""
    dialect = conn.dialect.name
    check_columns(ref, spec.columns, "spec.columns")
    listing.parse_sort(ref, spec.sort, dialect)
    for i, f in enumerate(spec.filters):
        try:
            listing.condition_clause(ref, listing.Condition(f.field, f.op, f.value), dialect, change.ctx)
        except BadQuery as e:
            e.extra["field"] = f"spec.filters[{i}]"
            raise
    if spec.expression:
        filter_clause(ref, spec.expression, dialect, EvalContext(change.now, change.timezone, change.actor.username))


def list_views(conn: Connection, user_id: int, ref: FormRef) -> list[Row[Any]]:
    return list(conn.execute(select(saved_views).where(
        saved_views.c.user_id == user_id, saved_views.c.app == ref.app_key, saved_views.c.form == ref.form.key,
    ).order_by(saved_views.c.name)))


def _one(conn: Connection, user_id: int, ref: FormRef, view_id: int) -> Row[Any]:
    row = conn.execute(select(saved_views).where(
        saved_views.c.id == view_id, saved_views.c.user_id == user_id, saved_views.c.app == ref.app_key,
        saved_views.c.form == ref.form.key)).first()
    if row is None:
        raise NotFound(f"没有视图 {view_id}", f"no view {view_id}")
    return row


def save_view(conn: Connection, user_id: int, ref: FormRef, view: ViewIn, change: Change,
              view_id: int | None = None) -> Row[Any]:
    """Create (view_id None) or replace a view; AlreadyExists when the user has one of that name."""
    check_spec(conn, ref, view.spec, change)
    spec = {k: v for k, v in view.spec.model_dump(mode="json", exclude_none=True).items() if v != []}
    values = {"name": view.name.strip(), "spec": spec,
              "updated_at": change.now}
    try:
        with conn.begin_nested():
            if view_id is None:
                view_id = conn.scalar(insert(saved_views).values(
                    user_id=user_id, app=ref.app_key, form=ref.form.key, created_at=change.now, **values,
                ).returning(saved_views.c.id))
            else:
                _one(conn, user_id, ref, view_id)
                conn.execute(update(saved_views).where(saved_views.c.id == view_id).values(**values))
    except IntegrityError:
        raise AlreadyExists(f"已有名为“{view.name}”的视图", f"a view named {view.name!r} exists", field="name") from None
    assert view_id is not None
    return _one(conn, user_id, ref, view_id)


def delete_view(conn: Connection, user_id: int, ref: FormRef, view_id: int) -> None:
    _one(conn, user_id, ref, view_id)
    conn.execute(delete(saved_views).where(saved_views.c.id == view_id))


def layout(conn: Connection, user_id: int, ref: FormRef) -> list[str] | None:
    """The user's columns for this form, fields removed since left out; None when never chosen."""
    columns = conn.scalar(select(list_layouts.c.columns).where(
        list_layouts.c.user_id == user_id, list_layouts.c.app == ref.app_key, list_layouts.c.form == ref.form.key))
    if columns is None:
        return None
    return [k for k in columns if k in ref.form.by_key or is_system(k)]


def set_layout(conn: Connection, user_id: int, ref: FormRef, columns: list[str], change: Change) -> list[str]:
    check_columns(ref, columns)
    if len(set(columns)) != len(columns):
        raise BadQuery("列不能重复", "a column is listed twice", field="columns")
    where = (list_layouts.c.user_id == user_id, list_layouts.c.app == ref.app_key, list_layouts.c.form == ref.form.key)
    if conn.execute(update(list_layouts).where(*where).values(columns=columns, updated_at=change.now)).rowcount == 0:
        conn.execute(insert(list_layouts).values(user_id=user_id, app=ref.app_key, form=ref.form.key, columns=columns,
                                                 updated_at=change.now))
    return columns
