"""Merging likely duplicates into one record, and undoing a merge from the bin.

The survivor takes the values picked per field from the others; every reference to a merged record moves
to the survivor (the relation fields of other forms that point at this form: a customer's contacts,
opportunities, follow-ups), as do its flow instances; the merged records go to the bin (soft delete), each
with a row in record_merges saying where it went and what was moved. Restoring a merged record from the
bin undoes its part: the references it had come back to it, its flow instances too, and the survivor's
fields that took its values get their own back when nobody changed them since. The history of a merged
record stays its own (in the bin, readable) and is shown on the survivor's too (`history_with_merged`,
each version marked 来自合并的记录 X) until the merge is undone; the survivor's own shows the values it took.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, Connection, or_, select, update

from engine.errors import BadQuery, NotFound
from engine.forms.fields import FieldType
from engine.forms.model import FormDefinition
from runtime import audit
from runtime.db.tables import flow_instances, live, record_merges, records
from runtime.records import records as stored
from runtime.records.context import Change, FormRef
from runtime.records.events import RecordEvent
from runtime.records.history import versions_of
from runtime.records.listing import Condition, condition_clause

MAX_MERGED = 10
"""Records merged into one at a time: the side-by-side choice stays readable."""


def referrers(ref: FormRef) -> list[tuple[FormDefinition, FieldType]]:
    """The relation fields of the app's forms that point at this form (sub-table columns excepted)."""
    return [
        (f, field)
        for f in ref.app.forms
        for field in f.fields
        if field.refers_to == "record" and getattr(field, "target", None) == ref.form.key
    ]


def _pointing(conn: Connection, other: FormRef, field: FieldType, ids: Sequence[int], change: Change) -> list[Any]:
    """The live records of `other` whose `field` names one of `ids` (the list filter's eq / has)."""
    op = "has" if getattr(field, "multiple", False) else "eq"
    clause = or_(
        *[condition_clause(other, Condition(field.key, op, str(i)), conn.dialect.name, change.ctx) for i in ids]
    )
    return list(
        conn.execute(
            select(records.c.id, records.c.data).where(
                records.c.app == other.app_key, records.c.form == other.form.key, live(), clause
            )
        )
    )


def _moved(value: Any, field: FieldType, gone: int, to: int) -> Any:
    if getattr(field, "multiple", False):
        return sorted({to if v == gone else v for v in value})
    return to


def _bad(message: str, en: str, field: str) -> BadQuery:
    return BadQuery(message, en, field=field)


def merge(
    conn: Connection,
    ref: FormRef,
    survivor_id: int,
    merged_ids: Sequence[int],
    picked: Mapping[str, int],
    change: Change,
) -> Any:
    """Merge `merged_ids` into `survivor_id`, the survivor taking field `k`'s value from record `picked[k]`;
    returns the survivor as stored. Everything in the caller's transaction."""
    merged = list(dict.fromkeys(merged_ids))
    if not merged or survivor_id in merged or len(merged) > MAX_MERGED:
        raise _bad(
            f"请选择 1 到 {MAX_MERGED} 条与保留记录不同的记录合并",
            f"merge 1 to {MAX_MERGED} records other than the survivor",
            "merged",
        )
    rows = {i: stored.get(conn, ref, i, lock=True) for i in [survivor_id, *merged]}
    writable = {f.key for f in ref.form.writable}
    took: dict[int, dict[str, Any]] = {i: {} for i in merged}
    values: dict[str, Any] = {}
    for key, source in picked.items():
        if key not in writable:
            raise _bad(f"字段 {key} 不能合并", f"field {key!r} is not a field to merge", f"values.{key}")
        if source not in rows:
            raise _bad(
                f"字段 {key} 的来源 {source} 不在合并的记录中",
                f"the source {source} of field {key!r} is not one of the merged records",
                f"values.{key}",
            )
        if source != survivor_id and rows[source].data.get(key) != rows[survivor_id].data.get(key):
            values[key] = rows[source].data.get(key)
            took[source][key] = rows[survivor_id].data.get(key)
    system = replace(change, reads=None)  # moving references is the merge's doing, whoever may edit those records
    repointed: dict[int, list[dict[str, Any]]] = {i: [] for i in merged}
    for form, field in referrers(ref):
        other = FormRef(ref.app, ref.version, form)
        for row in _pointing(conn, other, field, merged, change):
            before = row.data.get(field.key)
            after = before
            for gone in merged:
                if gone in field.references(before):
                    repointed[gone].append(
                        {"form": form.key, "record_id": row.id, "field": field.key, "before": before}
                    )
                    after = _moved(after, field, gone, survivor_id)
            stored.update_record(conn, other, row.id, {field.key: after}, system)
    flows: dict[int, list[int]] = {}
    for gone in merged:
        flows[gone] = list(
            conn.scalars(
                select(flow_instances.c.id).where(
                    flow_instances.c.app == ref.app_key,
                    flow_instances.c.form == ref.form.key,
                    flow_instances.c.record_id == gone,
                )
            )
        )
        if flows[gone]:
            conn.execute(
                update(flow_instances).where(flow_instances.c.id.in_(flows[gone])).values(record_id=survivor_id)
            )
    for gone in merged:  # before the survivor takes their values: a deleted record leaves the unique checks
        stored.delete(conn, ref, gone, change)
    survivor = stored.update_record(conn, ref, survivor_id, values, change) if values else rows[survivor_id]
    for gone in merged:
        conn.execute(
            record_merges.insert().values(
                merged_id=gone,
                survivor_id=survivor_id,
                app=ref.app_key,
                form=ref.form.key,
                took=took[gone],
                repointed=repointed[gone],
                flow_instances=flows[gone],
                at=change.now,
                by=change.actor.username,
            )
        )
    audit.write(
        conn,
        "record.merge",
        change.actor,
        change.now,
        app=ref.app_key,
        form=ref.form.key,
        record_id=survivor_id,
        detail={"merged": merged, "fields": sorted(values), "repointed": sum(len(r) for r in repointed.values())},
    )
    return survivor


def merged_into(conn: Connection, ref: FormRef, record_id: int) -> Any:
    """The merge that put this record in the bin (not undone), or None."""
    return conn.execute(
        select(record_merges).where(
            record_merges.c.merged_id == record_id,
            record_merges.c.app == ref.app_key,
            record_merges.c.form == ref.form.key,
            record_merges.c.undone_at.is_(None),
        )
    ).first()


def history_with_merged(
    conn: Connection, ref: FormRef, record_id: int, readable: ColumnElement[bool] | None = None
) -> list[tuple[Any, int | None]]:
    """A record's versions and those of the records merged into it (merges not undone; only the merged
    records `readable` reaches, None: all), oldest first, each with the merged record it comes from (None:
    its own)."""
    own: list[tuple[Any, int | None]] = [(h, None) for h in stored.history(conn, ref, record_id)]
    query = (
        select(record_merges.c.merged_id)
        .join(records, records.c.id == record_merges.c.merged_id)
        .where(
            record_merges.c.survivor_id == record_id,
            record_merges.c.app == ref.app_key,
            record_merges.c.form == ref.form.key,
            record_merges.c.undone_at.is_(None),
        )
    )
    merged = list(conn.scalars(query.where(readable) if readable is not None else query))
    if not merged:
        return own
    theirs = versions_of(conn, merged)
    return sorted(own + [(h, h.record_id) for h in theirs], key=lambda p: (p[0].at, p[0].id))


def not_merged(ref: FormRef, record_id: int) -> NotFound:
    return NotFound(
        f"“{ref.form.name}”的记录 {record_id} 没有被合并",
        f"record {record_id} of {ref.form.key!r} was not merged into another",
    )


def undo_on_restore(conn: Connection, event: RecordEvent) -> None:
    """A merged record restored from the bin takes back what the merge moved (the module docstring)."""
    if event.action != "restore":
        return
    for record_id in event.ids:
        done = merged_into(conn, event.ref, record_id)
        if done is not None:
            _undo(conn, event.ref, done, event.change)


def _undo(conn: Connection, ref: FormRef, done: Any, change: Change) -> None:
    conn.execute(update(record_merges).where(record_merges.c.merged_id == done.merged_id).values(undone_at=change.now))
    system = replace(change, reads=None)
    forms = ref.app.forms_by_key
    for moved in done.repointed:
        form = forms.get(moved["form"])
        field = form.by_key.get(moved["field"]) if form else None
        if form is None or field is None:
            continue  # the form or field is gone since: nothing to put back
        other = FormRef(ref.app, ref.version, form)
        row = conn.execute(select(records.c.data).where(records.c.id == moved["record_id"], live())).first()
        if row is None or done.survivor_id not in field.references(row.data.get(field.key)):
            continue  # changed since: the user's later choice stands
        stored.update_record(conn, other, moved["record_id"], {field.key: moved["before"]}, system)
    if done.flow_instances:
        conn.execute(
            update(flow_instances)
            .where(flow_instances.c.id.in_(done.flow_instances), flow_instances.c.record_id == done.survivor_id)
            .values(record_id=done.merged_id)
        )
    survivor = conn.execute(select(records.c.data).where(records.c.id == done.survivor_id, live())).first()
    mine = stored.get(conn, ref, done.merged_id).data
    back = {
        k: v for k, v in done.took.items() if survivor is not None and survivor.data.get(k) == mine.get(k)
    }  # unchanged since the merge
    if back:
        stored.update_record(conn, ref, done.survivor_id, back, change)
    audit.write(
        conn,
        "record.unmerge",
        change.actor,
        change.now,
        app=ref.app_key,
        form=ref.form.key,
        record_id=done.merged_id,
        detail={"survivor": done.survivor_id, "fields": sorted(back), "repointed": len(done.repointed)},
    )


__all__ = ["MAX_MERGED", "history_with_merged", "merge", "merged_into", "not_merged", "referrers", "undo_on_restore"]
