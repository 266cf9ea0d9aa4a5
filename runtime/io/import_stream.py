"""The import wizard's dry run and run over a file a chunk at a time (issue 26), so that an import's memory
is a chunk's rows and a little per row, not every row of the file from the dry run to the publish.

The file is read as a stream and planned CHECK_ROWS rows at a time (`chunks`): each chunk parsed, matched
by its business key, checked and flagged 可能重复 as a whole file was (runtime/io/import_plan.py,
import_duplicates.py), with what a row needs of the rows above it carried from chunk to chunk in compact
form — the business keys seen (key → row number: a key repeated further down fails its row naming the
first) and the earlier rows under their blocking keys, with only the fields the duplicate rules compare.
A unique value two rows of different chunks share is refused by the unique index when the second one is
staged, as a value stored by another writer meanwhile is.

The dry run (`check`) tries each chunk's updates in a transaction it rolls back, adds the chunk to the
report (counts, the first rows as preview, every problem) and keeps the chunk *packed*: its parsed rows,
matches and checked values, pickled and compressed in a temporary file (runtime/io/spill.py), so that the run
that follows in this process (runtime/io/checked_plans.py) does not read and check the file again. The
run (`write`) takes the chunks one by one — unpacked from the dry run, or planned anew from the file —
stages the rows each creates (runtime/records/staging.py: invisible, a short write transaction per
imports.CHUNK_ROWS) and keeps their ids and values packed in its own temporary file; then one transaction
publishes them all,
tells the rest of the system about them a chunk at a time (rollups, events), applies the updates, and
writes the import's audit entry. All or nothing as before: a bad row anywhere (unless bad rows are
skipped) stops the staging, the rest of the file is still checked so that every problem is reported,
and the staged rows are removed; nothing is visible before the publish commits."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from engine.errors import Issue
from engine.forms.fields.base import FieldType
from runtime import audit
from runtime.db.db import Database
from runtime.io import import_duplicates, import_plan, import_runs, imports
from runtime.io.records import ParsedRows
from runtime.io.sheet_limits import SheetLimits
from runtime.io.spill import Spill, give_back
from runtime.io.spreadsheet import Sheet, read_sheet
from runtime.permissions.check import FormGate
from runtime.records import derived, staging
from runtime.records.columns import field_column
from runtime.records.context import Actor, Change, FormRef
from runtime.records.indexes import ANALYZE_AFTER_ROWS, refresh_statistics
from runtime.schemas.imports import ImportSpec

CHECK_ROWS = 2_000
"""Rows planned at a time: what an import holds unpacked in memory at any moment (its rows, their checked
values, search words and the checks' working data: about 20 KB a row at the peak of a chunk's check)."""
SHOWN_IDS = 100  # the created records' ids a result lists


@dataclass
class Stored:
    """A stored record a row's business key names, as a plan keeps it (import_plan.Plan.matches)."""

    id: int
    version: int
    data: dict[str, Any]


@dataclass
class Checked:
    """A dry run's chunks, packed in a temporary file, for its run: the form version and columns they were
    planned with."""

    ref: FormRef
    header: list[str]
    columns: list[FieldType | None]
    chunks: Spill
    rows: int


class _DryRun(Exception):
    """Raised at the end of a dry run's write transaction so that the updates it tried roll back."""


def _parts(sheet: Sheet, size: int) -> Iterator[Sheet]:
    """The sheet's rows `size` at a time, each part a sheet of its own numbered as in the file; at least one."""
    first = sheet.first_row
    while True:
        rows = list(itertools.islice(sheet.rows, size))
        if not rows and first > sheet.first_row:
            return
        yield Sheet(sheet.header, iter(rows), first)
        if len(rows) < size:
            return
        first += len(rows)


class Above:
    """What a chunk's rows need of the file's rows above them, kept from chunk to chunk: the business keys
    seen (key → row number), the rows under their blocking keys (可能重复), each unique field's values
    (as the unique index holds them → row number)."""

    def __init__(self, ref: FormRef) -> None:
        self.keys: dict[tuple[Any, ...], int] = {}
        self.earlier = import_duplicates.in_file(ref)
        self.uniques: dict[str, dict[Any, int]] = {f.key: {} for f in ref.form.fields if f.unique}


def plan_part(conn: Connection, ref: FormRef, part: Sheet, spec: ImportSpec, change: Change, gate: FormGate | None,
              above: Above) -> import_plan.Plan:
    """The plan of one chunk of the file, through `gate` (None: the system's own import, from the CLI),
    the chunks above it known through `above`, which this one's rows are added to."""
    if gate is None:
        plan = import_plan.plan(conn, ref, part, spec, change, seen=above.keys)
    else:
        change = gate.writing(change)
        plan = import_plan.plan(conn, gate.ref, part, spec, change, hidden=gate.hidden | gate.masked,
                                check=lambda items: gate.check_write(items, prefix=True),
                                scope=gate.where("update") if spec.mode != "create" else None, seen=above.keys)
    _unique_above(conn, plan, change, above.uniques)
    import_duplicates.flag(conn, plan, change, gate, above.earlier)  # 可能重复, for the dry run and the run alike
    return plan


def _unique_above(conn: Connection, plan: import_plan.Plan, change: Change, uniques: dict[str, dict[Any, int]]) -> None:
    """Fail each row to create whose unique value a row of an earlier chunk has (the chunk's own rows were
    compared among themselves when checked), then remember this chunk's values."""
    if not uniques or plan.prepared is None:
        return
    form = plan.ref.form
    columns = {key: field_column(form.by_key[key], conn.dialect.name) for key in uniques}
    failed = False
    for index, data in zip(plan.created, plan.prepared.datas, strict=True):
        number = plan.parsed.row_numbers[index]
        for key, held_by in uniques.items():
            value = data.get(key)
            if value is None:
                continue
            other = held_by.get(columns[key].stored(value))
            if other is not None:
                label = form.by_key[key].label
                plan.fail(index, Issue(f"rows[{number}].{key}", "unique_violation",
                                       f"第 {number} 行“{label}”：与第 {other} 行相同（{value}）",
                                       f"row {number}, {key!r}: the same value as row {other} ({value})"))
                failed = True
    if failed:
        import_plan.recheck_new(conn, plan, change)
    if plan.prepared is None:
        return
    for index, data in zip(plan.created, plan.prepared.datas, strict=True):
        for key, held_by in uniques.items():
            if data.get(key) is not None:
                held_by.setdefault(columns[key].stored(data[key]),
                                   plan.parsed.row_numbers[index])


GateOf = Callable[[Connection], FormGate] | None
"""The importer's gate opened on a connection (a gate reads through the transaction it was opened in);
None: the system's own import, from the CLI."""


def chunks(db: Database, ref: FormRef, data: bytes, filename: str, limits: SheetLimits, spec: ImportSpec,
           change: Change, gate_of: GateOf) -> Iterator[import_plan.Plan]:
    """The file's plans, a chunk of CHECK_ROWS rows each, in order (a read transaction each)."""
    sheet = read_sheet(data, filename, limits, sheet=spec.sheet, header_row=spec.header_row)
    above = Above(ref)
    try:
        for part in _parts(sheet, CHECK_ROWS):
            with db.read() as conn:
                gate = gate_of(conn) if gate_of is not None else None
                plan = plan_part(conn, gate.ref if gate is not None else ref, part, spec, change, gate, above)
            yield plan
    finally:
        sheet.rows.close()  # type: ignore[attr-defined]


def tried(db: Database, plan: import_plan.Plan, change: Change) -> dict[str, Any]:
    """The dry run's report of a plan: its updates tried in write transactions that are rolled back, a
    chunk each, so that other writers go between two chunks (SQLite has one writer at a time)."""
    matched = sorted(plan.matches)
    for start in range(0, len(matched), imports.CHUNK_ROWS):
        if start:
            db.let_others_write()
        try:
            with db.write() as conn:
                import_plan.try_updates(conn, plan, change, matched[start:start + imports.CHUNK_ROWS])
                raise _DryRun
        except _DryRun:
            pass
    with db.read() as conn:
        return import_plan.report(conn, plan, change)


def check(db: Database, ref: FormRef, data: bytes, filename: str, limits: SheetLimits, spec: ImportSpec,
          change: Change, gate_of: GateOf) -> tuple[dict[str, Any], Checked]:
    """The dry run of a file: its report (counts, preview, every problem, 可能重复), and its chunks packed."""
    report: dict[str, Any] | None = None
    packed = Spill()
    rows = 0
    header: list[str] = []
    columns: list[FieldType | None] = []
    try:
        with db.small_cache():
            for plan in chunks(db, ref, data, filename, limits, spec, change, gate_of):
                packed.add(pack(plan))  # as planned, before its updates are tried
                header, columns, rows = plan.header, plan.columns, rows + len(plan.parsed.items)
                part = import_duplicates.annotate(tried(db, plan, change), plan)
                report = part if report is None else _added(report, part)
                del plan
                give_back()
    except BaseException:
        packed.close()
        raise
    assert report is not None  # `chunks` gives one chunk at least
    return report, Checked(ref, header, columns, packed, rows)


def _added(report: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """A report with a later chunk's: counts summed, problems appended, the preview filled up."""
    for name, count in part["counts"].items():
        report["counts"][name] += count
    report["issues"] += part["issues"]
    report["duplicates"] += part["duplicates"]
    report["preview"] += part["preview"][:max(0, import_plan.PREVIEW_ROWS - len(report["preview"]))]
    return report


def pack(plan: import_plan.Plan) -> tuple[Any, ...]:
    """A chunk's plan as the run needs it, to be pickled; the form and its columns are the Checked's."""
    prepared = plan.prepared
    datas = prepared.datas if prepared is not None else []
    state = (plan.parsed.items, plan.parsed.row_numbers, plan.parsed.issues, plan.issues,
             {i: (r.id, r.version, dict(r.data)) for i, r in plan.matches.items()}, plan.created, datas,
             prepared.sources if prepared is not None else {},
             [prepared.words.get(id(d)) for d in datas] if prepared is not None else [],
             [prepared.spellings.get(id(d)) for d in datas] if prepared is not None else [],
             plan.duplicates_seen_to)
    return state


def unpack(state: tuple[Any, ...], checked: Checked, spec: ImportSpec) -> import_plan.Plan:
    """A packed chunk's plan again, as it was before its updates were tried."""
    (items, numbers, parse_issues, issues, matches, created, datas, sources, words, spellings,
     seen_to) = state
    plan = import_plan.Plan(checked.ref, spec, ParsedRows(items, numbers, parse_issues), checked.header,
                            checked.columns, issues=issues, duplicates_seen_to=seen_to,
                            matches={i: Stored(*m) for i, m in matches.items()})  # type: ignore[misc]
    if created:
        sub = ParsedRows([items[i] for i in created], [numbers[i] for i in created], [])
        plan.prepared = imports.PreparedImport(
            checked.ref, sub, datas, sources, {id(d): w for d, w in zip(datas, words, strict=True) if w is not None},
            {id(d): s for d, s in zip(datas, spellings, strict=True) if s})
        plan.created = created
    return plan


def unpacked(checked: Checked, spec: ImportSpec) -> Iterator[import_plan.Plan]:
    """The packed chunks' plans in order; the file is closed once the last is read (the run is their last
    reader) or the run stops."""
    try:
        for n in range(len(checked.chunks)):
            yield unpack(checked.chunks.get(n), checked, spec)
    finally:
        checked.chunks.close()


@dataclass
class _Made:
    """One chunk's staged rows, kept packed in the run's temporary file until the publish: ids, values and
    what they derive from (`blob`), and apart, read only when they must be checked again, the rows they
    were checked from (`rows`), each the number of its entry in the file."""

    blob: int
    rows: int
    count: int


def _pack_made(spill: Spill, ids: list[int], prepared: imports.PreparedImport, datas: list[dict[str, Any]],
               sources: dict[int, dict[str, Any]]) -> _Made:
    return _Made(spill.add((ids, datas, sources)), spill.add((prepared.parsed.items, prepared.parsed.row_numbers)),
                 len(ids))


def _pack_updates(plan: import_plan.Plan) -> tuple[Any, ...]:
    """A chunk's rows that update a record: their values, row numbers and records (id and version)."""
    rows = sorted(i for i in plan.matches if i not in plan.issues)
    return ([plan.parsed.items[i] for i in rows], [plan.parsed.row_numbers[i] for i in rows],
            [(plan.matches[i].id, plan.matches[i].version) for i in rows])


def _unpack_updates(state: tuple[Any, ...], ref: FormRef, spec: ImportSpec) -> import_plan.Plan:
    items, numbers, stored = state
    return import_plan.Plan(ref, spec, ParsedRows(items, numbers, []),
                            matches={i: Stored(rid, version, {}) for i, (rid, version) in enumerate(stored)})  # type: ignore[misc]


def write(db: Database, plans: Iterable[import_plan.Plan], ref: FormRef, spec: ImportSpec, actor: Actor,
          change: Change, filename: str, *, mapping: Callable[[import_plan.Plan], dict[str, Any]],
          progress: Callable[[int], None] | None = None,
          finished: Callable[[Connection, dict[str, Any]], None] | None = None,
          run_id: int | None = None) -> dict[str, Any]:
    """Write an import's plans, chunk after chunk: the rows to create staged, then everything published in
    one transaction — all or nothing (ValidationFailed by row, every chunk still checked for the report)
    unless the spec skips bad rows; audited, and the mapping (`mapping` of the last plan) saved for the
    form's next import. The result: counts, the problems of the rows skipped, the first ids created."""
    batch = staging.Batch()
    spill = Spill()
    try:
        with db.small_cache():
            out, staged = _write(db, plans, ref, spec, actor, change, filename, spill, batch, mapping=mapping,
                         progress=progress, finished=finished, run_id=run_id)
    finally:
        spill.close()
    if staged:
        db.checkpoint()  # what the publish's commit left, now that other writers can go on
    if out["counts"]["new"] >= ANALYZE_AFTER_ROWS:
        with db.write() as conn:
            refresh_statistics(conn)
    return out


def _write(db: Database, plans: Iterable[import_plan.Plan], ref: FormRef, spec: ImportSpec, actor: Actor,
           change: Change, filename: str, spill: Spill, batch: staging.Batch, *,
           mapping: Callable[[import_plan.Plan], dict[str, Any]], progress: Callable[[int], None] | None,
           finished: Callable[[Connection, dict[str, Any]], None] | None,
           run_id: int | None) -> tuple[dict[str, Any], bool]:
    """`write`'s work, its chunks packed in `spill`: the result, and whether any row was staged."""
    made: list[_Made] = []
    updates: list[int] = []
    issues: list[Issue] = []
    counts = {"rows": 0, "new": 0, "updated": 0, "unchanged": 0, "failed": 0}
    refused = False
    saved: dict[str, Any] | None = None  # the mapping of the last chunk, not the chunk: it is let go
    out: dict[str, Any] = {}
    try:
        for plan in plans:
            saved = mapping(plan)
            counts["rows"] += len(plan.parsed.items)
            counts["failed"] += len(plan.issues)
            issues += plan.all_issues()
            if plan.issues and not spec.skip_bad:
                refused = True  # nothing more is staged; the rest of the file is still checked, for the report
            if refused:
                del plan
                continue
            if plan.matches:
                updates.append(spill.add(_pack_updates(plan)))
            if plan.prepared is not None and plan.prepared.rows:
                made.append(_stage(db, plan.prepared, batch, change, progress, counts["rows"], spill))
            elif progress is not None:
                progress(counts["rows"])
            del plan
            give_back()
        if refused:
            raise imports.refused(issues)
        db.let_others_write()
        with db.write(large=True) as conn:
            imports._check_version(conn, ref)
            new_ids = _publish(conn, ref, batch, made, change, spill)
            skipped = counts["failed"]
            for number in updates:
                plan = _unpack_updates(spill.get(number), ref, spec)
                import_plan.try_updates(conn, plan, change)  # in the transaction that publishes the created rows
                counts["updated"] += len(plan.updated)
                counts["unchanged"] += len(plan.unchanged)
                counts["failed"] += len(plan.issues)
                issues += plan.all_issues()
            if counts["failed"] > skipped and not spec.skip_bad:
                raise imports.refused(issues)
            counts["new"] = len(new_ids)
            audit.write(conn, "record.import", actor, change.now, app=ref.app_key, form=ref.form.key, detail={
                "import": run_id, "file": filename, "mode": spec.mode, "key": spec.key, "created": counts["new"],
                "updated": counts["updated"], "unchanged": counts["unchanged"], "skipped": counts["failed"]})
            if saved is not None:
                import_runs.save_mapping(conn, ref.app_key, ref.form.key, saved, actor, change.now)
            out.update(counts=counts, issues=import_plan.issue_list(sorted(issues, key=imports._row_number)),
                       ids=new_ids[:SHOWN_IDS])
            if finished is not None:
                finished(conn, out)
    except BaseException:
        imports._discard(db, ref, batch)
        raise
    return out, bool(made)


def _stage(db: Database, prepared: imports.PreparedImport, batch: staging.Batch, change: Change,
           progress: Callable[[int], None] | None, done: int, spill: Spill) -> _Made:
    """Stage a chunk's rows to create (imports.CHUNK_ROWS per short write transaction), checked again
    first when a record they derive from or name changed since they were checked; packed."""
    ref = prepared.ref
    datas, words = prepared.datas, prepared.words
    with db.read() as conn:
        imports._check_version(conn, ref)
        if not imports._still_current(conn, ref, datas, prepared.sources):
            datas, words = imports._prepared_again(conn, prepared, change), {}
        sources = derived.sources(conn, ref.form, datas) if datas is not prepared.datas else prepared.sources
    ids: list[int] = []
    for start in range(0, len(datas), imports.CHUNK_ROWS):
        db.let_others_write()
        ids += [r.id for r in imports._stage(db, prepared, batch, datas, start, words, change)]
    if progress is not None:
        progress(done)
    return _pack_made(spill, ids, prepared, datas, sources)


def _publish(conn: Connection, ref: FormRef, batch: staging.Batch, made: list[_Made], change: Change,
             spill: Spill) -> list[int]:
    """Make the staged chunks stored records in the caller's transaction; the ids created. A chunk whose
    related records changed while it was staged is written again the slow way (imports._write_at_once)."""
    slow: set[int] = set()
    ids: list[int] = []
    for n, chunk in enumerate(made):
        chunk_ids, datas, sources = spill.get(chunk.blob)
        if not imports._still_current(conn, ref, datas, sources):  # rare: the slow way, under the lock
            staging.discard(conn, chunk_ids)  # first: the staged rows hold the unique values
            items, numbers = spill.get(chunk.rows)
            prepared = imports.PreparedImport(ref, ParsedRows(items, numbers, []), datas, sources, {})
            ids += [r.id for r in imports._write_at_once(conn, prepared, change)]
            slow.add(n)
    staging.publish_rows(conn, ref, batch, sum(c.count for n, c in enumerate(made) if n not in slow), change)
    for n, chunk in enumerate(made):
        if n not in slow:
            chunk_ids, datas, *_ = spill.get(chunk.blob)
            staging.announce(conn, ref, chunk_ids, datas, change)
            ids += chunk_ids
    return sorted(ids)


__all__ = ["CHECK_ROWS", "Above", "Checked", "Stored", "check", "chunks", "pack", "plan_part", "tried", "unpack", "unpacked",
           "write"]
