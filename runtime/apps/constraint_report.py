"""The publish report: how many stored records break each new or stricter constraint, with examples,
and the fills the publisher chose, written in the publish transaction.

Counting runs in SQL where the database can answer alike on SQLite and PostgreSQL (blank for
`required`, text length, numeric bounds, a removed select option, duplicate groups for `unique`:
a COUNT and a few examples with LIMIT); the rest (patterns, multi-select and cascade options,
sub-table columns, dates, type changes, encrypted fields) reads the field's stored values once,
streamed, and asks the engine (engine/forms/tightening.py) which break the constraint.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Numeric, bindparam, func, literal_column, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from engine.app import AppDefinition
from engine.errors import FieldValueError, Issue
from engine.forms.changes import ValueChange, convert
from engine.forms.expressions import compute
from engine.forms.fields.base import ValueContext
from engine.forms.model import FormDefinition
from engine.forms.tightening import FILL_REFUSED, NAMES, NEW_ONLY_REFUSED, Decision, Tightening, fill_value, tightenings
from runtime.crypto.fields import seal, unsealed
from runtime.db.tables import live, record_history, records
from runtime.records import history
from runtime.records.columns import field_column
from runtime.records.context import Change
from runtime.records.derived import related_values
from runtime.records.refresh import after_write

EXAMPLES = 5
"""How many breaking records a problem shows."""


@dataclass
class Problem:
    """One constraint that `count` stored records break (for `unique`: `count` duplicate groups)."""

    tightening: Tightening
    path: str
    count: int
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.tightening.form, self.tightening.field.key, self.tightening.constraint

    def as_dict(self, form_name: str) -> dict[str, Any]:
        t = self.tightening
        choices = [c for c, refused in (("fill", FILL_REFUSED), ("new_only", NEW_ONLY_REFUSED))
                   if t.constraint not in refused]
        zh, en = NAMES[t.constraint]
        return {"form": t.form, "form_name": form_name, "field": t.field.key, "label": t.field.label,
                "type": t.field.type, "constraint": t.constraint, "constraint_name": zh, "constraint_name_en": en,
                "limit": t.limit, "default": t.field.default, "count": self.count, "examples": self.examples,
                "choices": choices,
                "path": self.path}

    def issue(self) -> Issue:
        t, zh_name, en_name = self.tightening, *NAMES[self.tightening.constraint]
        example = "、".join(f"#{e['id']} {e['title']}" for e in self.examples[:3])
        unit = "组重复的值" if t.constraint == "unique" else "条已有记录不符合"
        if t.constraint == "type":
            what = f"{t.old.type} → {t.field.type}" if t.old else t.field.type
            return Issue(self.path, "incompatible_change",
                         f"“{t.field.label}”（{what}）：{self.count} 条已有记录的值无法转换，例如 {example}",
                         f"{t.field.key} ({what}): {self.count} stored record(s) cannot take the change, e.g. {example}")
        return Issue(f"{self.path}.{t.constraint}", "stored_values_break_" + t.constraint,
                     f"“{t.field.label}”{zh_name}：{self.count} {unit}，例如 {example}",
                     f"{t.field.key} {en_name}: {self.count} stored record(s) break it, e.g. {example}")


def report(conn: Connection, app: str, old: AppDefinition, new: AppDefinition, ctx: ValueContext) -> list[Problem]:
    """Every new or stricter constraint of `new` that stored records break, in form and field order."""
    problems = []
    for i, form in enumerate(new.forms):
        before = old.forms_by_key.get(form.key) or FormDefinition(key=form.key, name=form.name)
        for t in tightenings(before, form):
            path = f"forms[{i}].fields[{form.field_keys.index(t.field.key)}]"
            problem = _count(conn, app, form, t, ctx, path)
            if problem.count:
                problems.append(problem)
    return problems


def _live(app: str, form: str, everything: bool = False) -> ColumnElement[bool]:
    where = (records.c.app == app) & (records.c.form == form)
    return where if everything else where & live()


def _text(key: str, dialect: str) -> ColumnElement[Any]:
    """The stored value as text, NULL when absent (lists as their JSON text)."""
    return literal_column(f"(data ->> '{key}')" if dialect == "postgresql" else f"json_extract(data, '$.{key}')")


def _condition(t: Tightening, dialect: str) -> ColumnElement[bool] | None:
    """The SQL of "breaks it" where both databases answer alike; None: the values are read instead."""
    f = t.field
    if f.encrypted:  # the database holds ciphertext: only the engine can read the values
        return None
    if t.constraint == "required":
        text = _text(f.key, dialect)
        return or_(text.is_(None), text == "", text == "[]", text == "{}")
    storage = f.storage_kind()
    if storage == "json":
        return None
    raw = field_column(f, dialect).raw_expr()
    if t.constraint in ("min_length", "max_length") and storage == "text":
        length, limit = func.length(raw), int(t.limit)
        return length < limit if t.constraint == "min_length" else length > limit
    if t.constraint in ("min", "max") and storage == "number":
        bound = bindparam(None, float(t.limit) if dialect == "sqlite" else t.limit, type_=Numeric(), unique=True)
        return raw < bound if t.constraint == "min" else raw > bound
    if t.constraint == "options" and f.type == "select":
        return raw.in_(t.limit)
    return None


def _count(conn: Connection, app: str, form: FormDefinition, t: Tightening, ctx: ValueContext,
           path: str) -> Problem:
    if t.constraint == "unique":
        return _duplicates(conn, app, form, t, path)
    condition = _condition(t, conn.dialect.name)
    if condition is None:
        ids = [(record_id, data) for record_id, data in _breaking(conn, app, form, t, ctx)]
        return Problem(t, path, len(ids), [_example(form, t, i, d) for i, d in ids[:EXAMPLES]])
    where = _live(app, form.key) & condition
    count = conn.scalar(select(func.count()).select_from(records).where(where)) or 0
    rows = conn.execute(select(records.c.id, records.c.data).where(where).order_by(records.c.id).limit(EXAMPLES))
    return Problem(t, path, count, [_example(form, t, r.id, unsealed(r.data)) for r in rows])


def _duplicates(conn: Connection, app: str, form: FormDefinition, t: Tightening, path: str) -> Problem:
    if t.field.storage_kind() == "json":
        return Problem(t, path, 0)
    raw = field_column(t.field, conn.dialect.name).raw_expr()
    groups = (select(raw.label("v")).select_from(records)
              .where(_live(app, form.key), raw.is_not(None)).group_by(raw).having(func.count() > 1))
    count = conn.scalar(select(func.count()).select_from(groups.subquery())) or 0
    if not count:
        return Problem(t, path, 0)
    first = groups.order_by(raw).limit(EXAMPLES).subquery()
    rows = conn.execute(select(records.c.id, records.c.data).where(_live(app, form.key), raw.in_(select(first.c.v)))
                        .order_by(raw, records.c.id).limit(EXAMPLES * 2))
    return Problem(t, path, count, [_example(form, t, r.id, unsealed(r.data)) for r in rows])


def _breaking(conn: Connection, app: str, form: FormDefinition, t: Tightening,
              ctx: ValueContext) -> Iterator[tuple[int, dict[str, Any]]]:
    """The records whose stored value breaks `t`, read one batch at a time (a type change reads the
    deleted records too: every stored value of the field is converted)."""
    key = t.field.key
    query = select(records.c.id, records.c.data).where(_live(app, form.key, t.constraint == "type"))
    change = ValueChange(key, t.old, t.field) if t.constraint == "type" else None
    for row in conn.execute(query.order_by(records.c.id).execution_options(yield_per=2000)):
        data = unsealed(row.data)
        value = data.get(key)
        if t.constraint == "required":
            if t.field.is_blank(value):
                yield row.id, data
            continue
        if t.constraint == "rules":
            if t.breaks_record(form, data, ctx):
                yield row.id, data
            continue
        if t.field.is_blank(value):
            continue
        if change is not None:
            try:
                convert(change, value, ctx)
            except FieldValueError:
                yield row.id, data
        elif t.breaks(value, ctx):
            yield row.id, data


def _example(form: FormDefinition, t: Tightening, record_id: int, data: dict[str, Any]) -> dict[str, Any]:
    title = data.get(form.title_field) if form.title_field else None
    value = data.get(t.field.key)
    if t.field.encrypted:
        value = t.field.mask(value)  # the report goes to a builder, who may not read the field
    return {"id": record_id, "title": str(title) if title is not None else f"#{record_id}", "value": value}


def breaking_ids(conn: Connection, app: str, form: FormDefinition, t: Tightening, ctx: ValueContext) -> list[int]:
    """Every record that breaks `t` (for a fill)."""
    condition = _condition(t, conn.dialect.name)
    if condition is None:
        return [record_id for record_id, _ in _breaking(conn, app, form, t, ctx)]
    return list(conn.scalars(select(records.c.id).where(_live(app, form.key) & condition).order_by(records.c.id)))


def _rows_of(conn: Connection, ids: list[int], chunk: int = 500) -> Iterator[Any]:
    """The records with these ids, a chunk at a time (a statement holds at most so many parameters)."""
    for start in range(0, len(ids), chunk):
        yield from conn.execute(select(records).where(records.c.id.in_(ids[start:start + chunk]))
                                .order_by(records.c.id)).all()  # read whole: the caller writes these rows


def apply_fills(conn: Connection, app: str, new: AppDefinition, problems: list[Problem], decisions: list[Decision],
                change: Change) -> set[str]:
    """Write each `fill` decision into the records that break its constraint, with a history entry
    each, their formulas computed again and the rollups and lookups over them refreshed; FieldValueError (path: the record) when a fill does not fit the new field. Returns the forms
    whose records changed."""
    chosen = {d.problem: d for d in decisions if d.action == "fill"}
    filled: set[str] = set()
    for problem in problems:
        decision = chosen.get(problem.key)
        if decision is None:
            continue
        form = new.form(problem.tightening.form)
        ids = breaking_ids(conn, app, form, problem.tightening, change.ctx)
        before, after = [], []
        for row in _rows_of(conn, ids):
            data = dict(unsealed(row.data))
            before.append(dict(data))
            try:
                value = fill_value(form, decision, data | {"id": row.id}, change.ctx, change.actor.username)
            except FieldValueError as e:
                raise FieldValueError(f"填充“{problem.tightening.field.label}”时记录 #{row.id}：{e.message}",
                                      f"filling {decision.field!r} of record #{row.id}: {e.message_en or e.message}",
                                      field=decision.field, record=row.id) from None
            if value is None:
                data.pop(decision.field, None)
            else:
                data[decision.field] = value
            if problem.tightening.constraint == "rules" and problem.tightening.breaks_record(form, data, change.ctx):
                raise FieldValueError(f"填充“{problem.tightening.field.label}”后记录 #{row.id} 仍不符合新的校验规则",
                                      f"record #{row.id} still breaks the new rule after filling {decision.field!r}",
                                      field=decision.field, record=row.id)
            if form.has_expressions:  # formulas over the filled field follow it
                data = compute(form, data, change.ctx, change.actor.username, related_values(conn, form, [data])[0])
            after.append(data)
            stored = seal(app, form, data)
            conn.execute(update(records).where(records.c.id == row.id).values(
                data=stored, version=row.version + 1, updated_at=change.now, updated_by=change.actor.username))
            kept = history.row_data(conn, app, form, row.id, row.version + 1, data, stored)
            conn.execute(record_history.insert().values(
                record_id=row.id, version=row.version + 1, action="update", changed=[decision.field], data=kept,
                at=change.now, by=change.actor.username))
        after_write(conn, new, form, ids, before, after, change.ctx)  # rollups and lookups over them
        filled.add(form.key)
    return filled


__all__ = ["EXAMPLES", "Problem", "report", "breaking_ids", "apply_fills"]
