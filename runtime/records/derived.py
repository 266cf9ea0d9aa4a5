"""Lookups, rollups and formulas through relations: values that come from other records.

When a record is written, its lookups are copied from the related records and the `relation.field`
values its formulas read are looked up here (fill_lookups, related_values); a new record's rollups
start empty. What other records derive from a write is refreshed by runtime/records/refresh.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select, update

from engine.forms.expressions import related_paths
from engine.forms.fields.lookup import LookupField
from engine.forms.fields.rollup import RollupField
from engine.forms.model import FormDefinition
from runtime.crypto.fields import seal
from runtime.db.tables import live, records
from runtime.records.columns import field_column
from runtime.records.context import Readable

_SAVE = update(records).where(records.c.id == bindparam("rid")).values(data=bindparam("new_data"))


def _lookups(form: FormDefinition) -> list[LookupField]:
    return [f for f in form.fields if isinstance(f, LookupField)]


def _related_data(conn: Connection, ids: Iterable[int], form: str | None = None,
                  reads: Readable | None = None) -> dict[int, dict[str, Any]]:
    wanted = sorted({i for i in ids if isinstance(i, int)})
    if not wanted:
        return {}
    query = select(records.c.id, records.c.data).where(records.c.id.in_(wanted), live())
    if form is not None:
        query = query.where(records.c.form == form)
    if reads is not None and form is not None:
        query = query.where(reads(conn, form))
    return {r.id: r.data for r in conn.execute(query)}


def _through(conn: Connection, form: FormDefinition, relations: set[str], datas: list[dict[str, Any]],
             reads: Readable | None, given: Iterable[str] | None) -> dict[str, dict[int, dict[str, Any]]]:
    """Per relation, the records its values name. The relations the writer gives (`given`; None: all)
    see only the records `reads` lets them read: one hidden from them computes as a missing one."""
    found: dict[str, dict[int, dict[str, Any]]] = {}
    free = [r for r in relations if reads is None or (given is not None and r not in given)]
    if free:
        shared = _related_data(conn, (d.get(r) for r in free for d in datas))
        found |= dict.fromkeys(free, shared)
    for relation in relations - set(free):
        target = getattr(form.by_key.get(relation), "target", None)
        found[relation] = _related_data(conn, (d.get(relation) for d in datas), target, reads)
    return found


def fill_lookups(conn: Connection, form: FormDefinition, datas: list[dict[str, Any]],
                 reads: Readable | None = None, given: Iterable[str] | None = None) -> None:
    """Copy every lookup's value from the related records (one query for the batch; one per relation
    the writer gives when `reads` limits what they may name)."""
    lookups = _lookups(form)
    if not lookups:
        return
    related = _through(conn, form, {f.relation for f in lookups}, datas, reads, given)
    for data in datas:
        for f in lookups:
            value = related[f.relation].get(data.get(f.relation), {}).get(f.field)
            if value is None:
                data.pop(f.key, None)
            else:
                data[f.key] = value


def related_values(conn: Connection, form: FormDefinition, datas: list[dict[str, Any]],
                   reads: Readable | None = None, given: Iterable[str] | None = None,
                   paths: Mapping[str, Iterable[str]] | None = None) -> list[dict[str, Any]]:
    """Per record, the `relation.field` values its formulas and rules read (as fill_lookups), or those of
    `paths` (relation → fields: what a flow's expressions read)."""
    paths = related_paths(form) if paths is None else paths
    if not paths:
        return [{} for _ in datas]
    related = _through(conn, form, set(paths), datas, reads, given)
    return [{f"{rel}.{key}": related[rel].get(d.get(rel), {}).get(key) for rel, keys in paths.items() for key in keys}
            for d in datas]


def sources(conn: Connection, form: FormDefinition, datas: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The related records that fill_lookups and related_values read for `datas`, by id: a write
    validated outside its transaction reads them again inside it, to know its values are current."""
    relations = {f.relation for f in _lookups(form)} | set(related_paths(form))
    return _related_data(conn, (d.get(rel) for rel in sorted(relations) for d in datas))


def fill_rollups_of_new(form: FormDefinition, datas: list[dict[str, Any]]) -> None:
    """A record just created has nothing pointing at it yet."""
    for f in form.fields:
        if isinstance(f, RollupField):
            empty = f.summarise([])
            for data in datas:
                if empty is None:
                    data.pop(f.key, None)
                else:
                    data[f.key] = empty


def pointing_at(conn: Connection, app: str, form: FormDefinition, relation: str, ids: set[int]) -> Select[Any]:
    """The live records of `form` whose `relation` names one of `ids`: id, data and `parent` (the named
    id). The condition is written on the relation's index expression, so the database seeks instead of
    reading the whole form (a scan per batch made loading 1M 商机 on PostgreSQL crawl at 500 rows/s)."""
    link = field_column(form.field(relation), conn.dialect.name)
    return select(records.c.id, records.c.data, link.raw_expr().label("parent")).where(
        records.c.app == app, records.c.form == form.key, live(),
        link.sort_expr().in_(sorted(ids)))


def save_refreshed(conn: Connection, app: str, form: FormDefinition, changed: dict[int, dict[str, Any]]) -> None:
    """Store recomputed data (id → data): no new version, no history row (nobody edited the records)."""
    if changed:
        conn.execute(_SAVE, [{"rid": i, "new_data": seal(app, form, d)} for i, d in changed.items()])
