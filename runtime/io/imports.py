"""An import in two steps, so that a long one never keeps other writers waiting.

`prepare` does all the work that only reads — the rows parsed, names resolved to ids and users,
every value validated (lookups, formulas, rules), references and unique values checked — in a read
transaction, which on SQLite's WAL and on PostgreSQL blocks no writer; so are the search index's
words of each row. `write` then stores the prepared values in chunks of CHUNK_ROWS, each its own
short write transaction, as staged records no reader sees (auto numbers, ids, the inserts with their
index entries, search documents), and the writers that queued meanwhile go between two chunks; one
last short transaction publishes them all at once: history, audit entries, the records' version,
derived values of other records and the events (records/staging.py). A failure, or a crash, leaves
only staged rows, which are removed.

All or nothing and the per-row report are as for one create_many: every problem of every row is
reported as `rows[N].<field>` (N the spreadsheet row) and nothing is written unless every row is
right; a unique value that another writer stored between the two steps is refused by the unique
index when its chunk is stored and reported the same way. Should a record that the rows' lookups and
formulas read change, or one they name be deleted, between the two steps, `write` validates the rows
again before it stages them; should that happen while they are staged, the publishing transaction
validates and stores them the slow way (as before staging, but correct). Should the app be published
anew meanwhile, the import is refused (409, nothing written): its columns were matched to the old
fields."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from engine.errors import Conflict, Issue, UniqueViolation, ValidationFailed
from runtime.db import driver
from runtime.db.db import Database
from runtime.io.records import ParsedRows, parse_rows, resolve_names, row_issue
from runtime.io.spreadsheet import Sheet
from runtime.records import derived, records, search, staging
from runtime.records.context import Change, FormRef
from runtime.records.indexes import ANALYZE_AFTER_ROWS, refresh_statistics

log = logging.getLogger("tangram.imports")


@dataclass
class PreparedImport:
    """Rows checked and ready to store: the form they were checked under, their spreadsheet row
    numbers, the values to store and the related records those values were derived from."""

    ref: FormRef
    parsed: ParsedRows
    datas: list[dict[str, Any]]
    sources: dict[int, dict[str, Any]]
    words: dict[int, str]  # the search index's words of each row, worked out ahead (search.words_ahead)
    spellings: dict[int, dict[str, str]] = field(default_factory=dict)  # their pinyin spellings (words_ahead)

    @property
    def rows(self) -> int:
        return len(self.datas)


def prepare(conn: Connection, ref: FormRef, sheet: Sheet, change: Change, *, hidden: Collection[str] = (),
            check: Callable[[list[dict[str, Any]]], None] | None = None) -> PreparedImport:
    """Parse and check every row, reading only; ValidationFailed lists every problem by row. Rows with
    unreadable cells are still checked for their other fields, so one upload reports all. `hidden`
    fields are unknown columns and `check` sees the rows first (the permission gate's)."""
    parsed = parse_rows(ref.form, sheet, hidden)
    if check is not None:
        check(parsed.items)
    resolve_names(conn, ref, parsed, change.reads)
    return checked(conn, ref, parsed, change)


def checked(conn: Connection, ref: FormRef, parsed: ParsedRows, change: Change) -> PreparedImport:
    """Rows already parsed, their names resolved, checked as `prepare` checks them (the import wizard
    parses with the user's column and value mapping, then checks the rows it will create)."""
    issues = list(parsed.issues)
    datas: list[dict[str, Any]] = []
    try:
        datas = records.prepare_many(conn, ref, parsed.items, change)
    except ValidationFailed as e:
        issues = _merge(issues, e.issues, parsed, ref)
    else:
        issues = _merge(issues, records.clashes(conn, ref, datas), parsed, ref)
    if issues:
        raise refused(issues)
    spellings: dict[int, dict[str, str]] = {}
    words = search.words_ahead(ref.form, datas, spellings)
    return PreparedImport(ref, parsed, datas, derived.sources(conn, ref.form, datas), words, spellings)


CHUNK_ROWS = 500
"""Rows stored per short write transaction. Each holds SQLite's write lock for tens of milliseconds (a
few hundred on a loaded machine), and the writers queued meanwhile go between two chunks; at 1,000
other users' creates during a 100,000-row import had a p95 of 1.0 s, at 500 0.67 s, with the import
no slower (docs/benchmarks-history.md, "Imports in chunks")."""


def write(db: Database, prepared: PreparedImport, change: Change,
          finish: Callable[[Connection, list[records.NewRecord]], None] | None = None,
          progress: Callable[[int], None] | None = None) -> list[records.NewRecord]:
    """Store the prepared rows in chunks of short transactions and publish them in one, all or nothing
    (storage.staging): ValidationFailed by row, nothing written, as `prepare` reports. `finish` runs in
    the publishing transaction (the import's own audit entry, the wizard's updates); `progress` is told
    the rows staged so far after each chunk."""
    ref = prepared.ref
    datas, words = prepared.datas, prepared.words
    with db.read() as conn:
        _check_version(conn, ref)
        if not _still_current(conn, ref, datas, prepared.sources):  # read again: a record they name changed
            datas, words = _prepared_again(conn, prepared, change), {}
        sources = derived.sources(conn, ref.form, datas) if datas is not prepared.datas else prepared.sources
    batch = staging.Batch()
    made: list[records.NewRecord] = []
    try:
        for start in range(0, len(datas), CHUNK_ROWS):
            if start:
                db.let_others_write()
            made += _stage(db, prepared, batch, datas, start, words, change)
            if progress is not None:
                progress(len(made))
        db.let_others_write()
        staged_at = time.perf_counter()
        with db.write(large=True) as conn:
            _check_version(conn, ref)
            published = _still_current(conn, ref, datas, sources)
            if published:
                _publish(conn, prepared, batch, made, change)
            else:  # rare: a record the rows name changed while they were staged; the slow way, under the lock
                staging.discard(conn, batch.ids)  # first: the staged rows hold the unique values
                made = _write_at_once(conn, prepared, change)
            if finish is not None:
                finish(conn, made)
    except BaseException:
        _discard(db, ref, batch)
        raise
    log.info("import: %d rows of %s/%s staged in %d chunks, published in %.2f s", len(made), ref.app_key,
             ref.form.key, -(-len(datas) // CHUNK_ROWS), time.perf_counter() - staged_at)
    db.checkpoint()  # what the publish's commit left, now that other writers can go on
    if len(made) >= ANALYZE_AFTER_ROWS:
        with db.write() as conn:
            refresh_statistics(conn)
    return made


def _check_version(conn: Connection, ref: FormRef) -> None:
    [(version,)] = driver.rows(conn, 'SELECT version FROM apps WHERE "key" = ?', (ref.app_key,)) or [(None,)]
    if version != ref.version:  # the columns were matched to another definition's fields
        raise Conflict(f"导入期间应用“{ref.app.name}”发布了新版本，未导入任何记录，请重新导入",
                       f"app {ref.app_key!r} was published while the file was checked; nothing was imported, "
                       "import it again")


def _prepared_again(conn: Connection, prepared: PreparedImport, change: Change) -> list[dict[str, Any]]:
    try:
        return records.prepare_many(conn, prepared.ref, prepared.parsed.items, change)
    except ValidationFailed as e:
        raise refused(_merge([], e.issues, prepared.parsed, prepared.ref)) from None


def _stage(db: Database, prepared: PreparedImport, batch: staging.Batch, datas: list[dict[str, Any]], start: int,
           words: dict[int, str], change: Change) -> list[records.NewRecord]:
    """Stage the chunk of rows from `start`, in a write transaction of its own."""
    try:
        with db.write() as conn, search.words_known(prepared.ref.form, words, prepared.spellings if words else None):
            return staging.stage(conn, prepared.ref, batch, datas[start:start + CHUNK_ROWS], change, datetime.now(UTC))
    except UniqueViolation as e:  # a unique value stored by another writer since prepare
        issues = [Issue(_shifted(i.path, start), i.code, i.message, i.message_en) for i in e.issues]
        raise refused(_merge([], issues, prepared.parsed, prepared.ref)) from None


def _shifted(path: str, start: int) -> str:
    """`items[i].<field>` of a chunk as `items[start + i].<field>` of the whole import."""
    return re.sub(r"^items\[(\d+)\]", lambda m: f"items[{start + int(m.group(1))}]", path)


def _publish(conn: Connection, prepared: PreparedImport, batch: staging.Batch, made: list[records.NewRecord],
             change: Change) -> None:
    staging.publish(conn, prepared.ref, batch, made, change)


def _write_at_once(conn: Connection, prepared: PreparedImport, change: Change) -> list[records.NewRecord]:
    """Check and store every row in this one write transaction (the way before staging)."""
    datas = _prepared_again(conn, prepared, change)
    savepoint = conn.begin_nested()
    try:
        made = records.write_many(conn, prepared.ref, datas, change)
    except (ValidationFailed, UniqueViolation) as e:
        savepoint.rollback()
        raise refused(_merge([], e.issues, prepared.parsed, prepared.ref)) from None
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return made


def _discard(db: Database, ref: FormRef, batch: staging.Batch) -> None:
    """Remove the batch's staged rows, a chunk per short transaction. Should that fail too (the database
    busy or gone), they stay invisible and staging.discard_abandoned removes them later."""
    try:
        for start in range(0, len(batch.ids), CHUNK_ROWS):
            with db.write() as conn:
                staging.discard(conn, batch.ids[start:start + CHUNK_ROWS])
    except Exception:
        log.warning("import: staged batch %s left for the cleanup of abandoned imports", batch.key, exc_info=True)


def _still_current(conn: Connection, ref: FormRef, datas: list[dict[str, Any]],
                   sources: dict[int, dict[str, Any]]) -> bool:
    """The records the values were derived from are as they were read, and every record, user,
    department and file the rows name still exists."""
    if derived.sources(conn, ref.form, datas) != sources:
        return False
    return not records.reference_issues(conn, ref, datas, "items")


def _merge(issues: list[Issue], found: list[Issue], parsed: ParsedRows, ref: FormRef) -> list[Issue]:
    """`found` (as `items[i].<field>`) added by row to `issues`, those already reported left out."""
    known = {i.path for i in issues}
    return issues + [i for i in (row_issue(i, parsed, ref.form) for i in found) if i.path not in known]


def refused(issues: list[Issue]) -> ValidationFailed | UniqueViolation:
    """The refusal listing every problem by row: a 409 when unique values clash and nothing else is
    wrong (as a create of those values), else a 422."""
    issues = sorted(issues, key=_row_number)
    kind = UniqueViolation if all(i.code == "unique_violation" for i in issues) else ValidationFailed
    return kind(f"导入失败：{len(issues)} 处错误，未导入任何记录",
                f"import refused: {len(issues)} problem(s), nothing was imported", issues=issues)


def _row_number(issue: Issue) -> int:
    match = re.match(r"rows\[(\d+)\]", issue.path)
    return int(match.group(1)) if match else 0


__all__ = ["PreparedImport", "prepare", "checked", "write", "refused"]
