"""Values derived from other records, kept current transitively inside the writing transaction.

A write marks what it made stale (engine/forms/dependencies.py says what derives from what):
- the rollups over the written records, in the parents they pointed at before and after the write
  (when a field the rollup reads changed, or a record came or went);
- the lookups and formulas that read a changed field through a relation, in the records pointing at
  the written ones.
The stale records are then refreshed form by form, the form whose stale fields rank lowest first
(a field ranks after everything it reads): rollups recomputed, lookups copied, formulas computed.
Those whose values changed are saved and mark what derives from them in turn, until nothing is stale:
company.factor → deal.factor (lookup) → deal.weighted (formula) → company.pipeline (rollup) →
company.score (formula) all follow one write. A refreshed record keeps its version and gets no
history row (nobody edited it); the analytics mirror copies it along with the written records
(runtime/analytics/sync.py follows the same relations).

Writes made inside `refreshed_together` (a selection's bulk update or delete) refresh once, at its
end: N children of one parent refresh the parent once, not N times.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from engine.app import AppDefinition
from engine.forms.expressions import compute, counted
from engine.forms.fields.base import ValueContext
from engine.forms.fields.rollup import RollupField
from engine.forms.model import FormDefinition
from runtime.db.tables import live, records
from runtime.records.context import system_values
from runtime.records.derived import fill_lookups, pointing_at, related_values, save_refreshed

_PENDING = "tangram.stale_derived"
_BATCH = 5000


@dataclass
class _Stale:
    """What the writes of one transaction (or one `refreshed_together`) made stale."""

    app: AppDefinition
    ctx: ValueContext
    rollups: dict[str, dict[int, dict[str, bool]]] = field(default_factory=dict)
    """form → record id → its stale rollups, each True while only creates made it stale (carried forward)."""
    reread: dict[str, set[int]] = field(default_factory=dict)
    """form → records whose lookups and formulas through a relation are read again."""
    pointing: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    """(form, relation) → records whose readers through that relation are read again (found on flush)."""
    created: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    """(form, rollup key) → the data of source records just created, for carrying the summary forward."""

    def mark_write(self, form_key: str, ids: list[int], before: list[dict[str, Any]], after: list[dict[str, Any]],
                   *, creating: bool = False) -> None:
        """Mark what derives from these records ({} before: created or restored; {} after: deleted)."""
        graph = self.app.derived
        for link in graph.rolled_up.get(form_key, []):
            rollup, relation = link.rollup, link.rollup.source.field
            for b, a in zip(before, after, strict=True):
                if b and a and all(b.get(k) == a.get(k) for k in link.inputs):
                    continue
                for parent in {b.get(relation), a.get(relation)}:
                    if isinstance(parent, int):
                        marks = self.rollups.setdefault(link.form, {}).setdefault(parent, {})
                        marks[rollup.key] = creating and marks.get(rollup.key, True)
            if creating:
                self.created.setdefault((link.form, rollup.key), []).extend(after)
        if creating:
            return  # nothing points at a record that did not exist
        changed = {k for b, a in zip(before, after, strict=True) for k in b.keys() | a.keys() if b.get(k) != a.get(k)}
        for reader in graph.read_through.get(form_key, []):
            if reader.fields & changed:
                self.pointing.setdefault((reader.form, reader.relation), set()).update(ids)

    def flush(self, conn: Connection) -> None:
        """Refresh every stale record, and what derives from those that changed, until none is left."""
        while True:
            self._find_readers(conn)
            forms = set(self.rollups) | set(self.reread)
            if not forms:
                return
            form_key = min(sorted(forms), key=self._rank)
            marks, reread = self.rollups.pop(form_key, {}), self.reread.pop(form_key, set())
            ids = sorted(set(marks) | reread)
            for start in range(0, len(ids), _BATCH):
                part = ids[start:start + _BATCH]
                self._refresh(conn, self.app.form(form_key), {i: marks.get(i, {}) for i in part})
            self.created = {k: v for k, v in self.created.items() if k[0] != form_key}

    def _rank(self, form_key: str) -> int:
        """The lowest rank among the form's fields that its stale records recompute."""
        rank = self.app.derived.rank
        keys = {k for marks in self.rollups.get(form_key, {}).values() for k in marks}
        if form_key in self.reread:
            keys |= {k for (f, k) in rank if f == form_key and not isinstance(self.app.form(f).by_key[k], RollupField)}
        return min((rank.get((form_key, k), 0) for k in keys), default=0)

    def _find_readers(self, conn: Connection) -> None:
        for (form_key, relation), ids in sorted(self.pointing.items()):
            form = self.app.form(form_key)
            found = {r.id for r in conn.execute(pointing_at(conn, self.app.key, form, relation, ids))}
            if found:
                self.reread.setdefault(form_key, set()).update(found)
        self.pointing = {}

    def _refresh(self, conn: Connection, form: FormDefinition, marks: dict[int, dict[str, bool]]) -> None:
        query = select(records).where(records.c.id.in_(sorted(marks)), records.c.form == form.key,
                                      records.c.app == self.app.key, live())
        if conn.dialect.name == "postgresql":
            # Locked, in id order: a concurrent write refreshing the same parent waits for this one to
            # commit, then reads the sources as committed (READ COMMITTED) instead of a stale snapshot.
            query = query.order_by(records.c.id).with_for_update()
        rows = {r.id: r for r in conn.execute(query)}
        datas = {i: dict(r.data) for i, r in rows.items()}
        self._summarise(conn, form, {i: m for i, m in marks.items() if i in datas}, datas)
        ordered = list(datas)
        fill_lookups(conn, form, [datas[i] for i in ordered])
        extra = related_values(conn, form, [datas[i] for i in ordered])
        changed: dict[int, dict[str, Any]] = {}
        for i, related in zip(ordered, extra, strict=True):
            row = rows[i]
            related |= system_values(row.owner, row.created_at, row.updated_at, created_by=row.created_by,
                                     record_id=row.id, updated_by=row.updated_by)
            data = compute(form, datas[i], self.ctx, user=row.updated_by, related=related)
            if data != row.data:
                changed[i] = data
        save_refreshed(conn, self.app.key, form, changed)
        self.mark_write(form.key, list(changed), [rows[i].data for i in changed], list(changed.values()))

    def _summarise(self, conn: Connection, form: FormDefinition, marks: dict[int, dict[str, bool]],
                   datas: dict[int, dict[str, Any]]) -> None:
        """Recompute the stale rollups in `datas`: carried forward where only creates changed them,
        else from the source records, read once per source relation for all its rollups."""
        results: dict[str, dict[int, Any]] = {}
        full: dict[str, set[int]] = defaultdict(set)
        rollups = {f.key: f for f in form.fields if isinstance(f, RollupField)}
        for key, f in rollups.items():
            carried = {i: datas[i] for i, m in marks.items() if m.get(key) is True}
            results[key] = _carried(f, self.app.form(f.source.form), carried,
                                    self.created.get((form.key, key), []), self.ctx)
            full[key] = {i for i, m in marks.items() if key in m} - set(results[key])
        by_source: dict[tuple[str, str], list[RollupField]] = defaultdict(list)
        for key, f in rollups.items():
            if full[key]:
                by_source[(f.source.form, f.source.field)].append(f)
        for (source_key, relation), fields in by_source.items():
            source = self.app.form(source_key)
            wanted = set().union(*(full[f.key] for f in fields))
            children: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for row in conn.execute(pointing_at(conn, self.app.key, source, relation, wanted)):
                children[int(row.parent)].append(row.data)
            for f in fields:
                results[f.key] |= {i: f.summarise([d.get(f.of) if f.of else 1 for d in children.get(i, [])
                                                  if counted(f, source, d, self.ctx)]) for i in full[f.key]}
        for key, found in results.items():
            for i, value in found.items():
                if value is None:
                    datas[i].pop(key, None)
                else:
                    datas[i][key] = value


def _carried(f: RollupField, source: FormDefinition, parents: dict[int, dict[str, Any]],
             created: list[dict[str, Any]], ctx: ValueContext) -> dict[int, Any]:
    """The new value of `f` for the parents whose stored value it can be computed from: the stored
    summary plus the new records' values. An average needs the records; a blank stored value may be
    "never computed" (a rollup added after the records), so those parents are read in full."""
    if f.agg == "avg" or not parents:
        return {}
    added: dict[int, list[Any]] = defaultdict(list)
    for data in created:
        pid = data.get(f.source.field)
        if pid in parents and counted(f, source, data, ctx):
            added[pid].append(data.get(f.of) if f.of else 1)
    results = {}
    for pid, data in parents.items():
        current = data.get(f.key)
        if current is None:
            continue
        new = added.get(pid, [])
        results[pid] = str(int(current) + len(new)) if f.agg == "count" else f.summarise([current, *new])
    return results


@contextmanager
def refreshed_together(conn: Connection) -> Iterator[None]:
    """Refresh what the writes inside derive from them once, when the block ends without an error."""
    if _PENDING in conn.info:
        yield  # an outer block refreshes
        return
    conn.info[_PENDING] = None  # after_write puts the marks here
    try:
        yield
    finally:
        stale = conn.info.pop(_PENDING, None)  # after an error the transaction is rolled back: nothing to do
    if stale is not None:
        stale.flush(conn)


def after_write(conn: Connection, app: AppDefinition, form: FormDefinition, ids: list[int],
                before: list[dict[str, Any]], after: list[dict[str, Any]], ctx: ValueContext,
                *, creating: bool = False) -> None:
    """Keep what derives from these records current (call inside the write's transaction).
    `before`/`after` are the records' data around the write ({} for a record that did not exist)."""
    batched = _PENDING in conn.info
    stale = conn.info.get(_PENDING) if batched else None
    if stale is None:
        stale = _Stale(app, ctx)
        if batched:
            conn.info[_PENDING] = stale
    stale.mark_write(form.key, ids, before, after, creating=creating)
    if not batched:
        stale.flush(conn)


def changed_rollups(old: FormDefinition | None, new: FormDefinition) -> list[RollupField]:
    """The rollups of `new` that are new or summarise differently than in `old` (after an upgrade)."""
    before = old.by_key if old is not None else {}
    return [f for f in new.fields if isinstance(f, RollupField) and before.get(f.key) != f]


def recompute_rollups(conn: Connection, app: AppDefinition, form: FormDefinition, rollups: list[RollupField],
                      ctx: ValueContext) -> None:
    """Compute `rollups` anew in every live record of `form` (a rollup added or changed by an upgrade),
    and refresh what derives from them."""
    if not rollups:
        return
    ids = list(conn.scalars(select(records.c.id).where(records.c.app == app.key, records.c.form == form.key,
                                                       live()).order_by(records.c.id)))
    for start in range(0, len(ids), _BATCH):
        stale = _Stale(app, ctx)
        stale.rollups[form.key] = {i: dict.fromkeys((f.key for f in rollups), False) for i in ids[start:start + _BATCH]}
        stale.flush(conn)
