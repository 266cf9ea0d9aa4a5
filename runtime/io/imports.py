"""An import in two steps, so that a long one never keeps other writers waiting.

`prepare` does all the work that only reads — the rows parsed, names resolved to ids and users,
every value validated (lookups, formulas, rules), references and unique values checked — in a read
transaction, which on SQLite's WAL and on PostgreSQL blocks no writer; so are the search index's
words of each row. `write` then stores the prepared values in the caller's write transaction, which
is all that holds the write lock: auto numbers, ids, the inserts, history, search documents, derived
values of other records and the events.

All or nothing and the per-row report are as for one create_many: every problem of every row is
reported as `rows[N].<field>` (N the spreadsheet row) and nothing is written unless every row is
right; a unique value that another writer stored between the two steps is still refused by the
unique index and reported the same way. Should a record that the rows' lookups and formulas read
change, or one they name be deleted, between the two steps, `write` validates the rows again inside
its transaction (the slow way, as before, but correct). Should the app be published anew meanwhile,
the import is refused (409, nothing written): its columns were matched to the old fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from engine.errors import Conflict, Issue, UniqueViolation, ValidationFailed
from runtime.io.records import ParsedRows, parse_rows, resolve_names, row_issue
from runtime.io.spreadsheet import Sheet
from runtime.storage import derived, driver, records, search
from runtime.storage.context import Change, FormRef


@dataclass
class PreparedImport:
    """Rows checked and ready to store: the form they were checked under, their spreadsheet row
    numbers, the values to store and the related records those values were derived from."""

    ref: FormRef
    parsed: ParsedRows
    datas: list[dict[str, Any]]
    sources: dict[int, dict[str, Any]]
    words: dict[int, list[str]]  # the search index's words of each row, worked out ahead

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
    issues = list(parsed.issues)
    datas: list[dict[str, Any]] = []
    try:
        datas = records.prepare_many(conn, ref, parsed.items, change)
    except ValidationFailed as e:
        issues = _merge(issues, e.issues, parsed, ref)
    else:
        issues = _merge(issues, records.clashes(conn, ref, datas), parsed, ref)
    if issues:
        raise _refused(issues)
    return PreparedImport(ref, parsed, datas, derived.sources(conn, ref.form, datas),
                          search.words_ahead(ref.form, datas))


def write(conn: Connection, prepared: PreparedImport, change: Change) -> list[records.NewRecord]:
    """Store the prepared rows in the caller's write transaction, all or nothing (ValidationFailed
    by row, nothing written, as `prepare` reports)."""
    ref, parsed = prepared.ref, prepared.parsed
    datas = prepared.datas
    [(version,)] = driver.rows(conn, 'SELECT version FROM apps WHERE "key" = ?', (ref.app_key,)) or [(None,)]
    if version != ref.version:  # the columns were matched to another definition's fields
        raise Conflict(f"导入期间应用“{ref.app.name}”发布了新版本，未导入任何记录，请重新导入",
                       f"app {ref.app_key!r} was published while the file was checked; nothing was imported, "
                       "import it again")
    if not _still_current(conn, prepared):  # rare: read again under the lock
        try:
            datas = records.prepare_many(conn, ref, parsed.items, change)
        except ValidationFailed as e:
            raise _refused(_merge([], e.issues, parsed, ref)) from None
    savepoint = conn.begin_nested()
    try:
        with search.words_known(ref.form, prepared.words if datas is prepared.datas else {}):
            made = records.write_many(conn, ref, datas, change)
    except (ValidationFailed, UniqueViolation) as e:  # a unique value stored by another writer since prepare
        savepoint.rollback()
        raise _refused(_merge([], e.issues, parsed, ref)) from None
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return made


def _still_current(conn: Connection, prepared: PreparedImport) -> bool:
    """The records the values were derived from are as `prepare` read them, and every record, user,
    department and file the rows name still exists."""
    ref = prepared.ref
    if derived.sources(conn, ref.form, prepared.datas) != prepared.sources:
        return False
    return not records.reference_issues(conn, ref, prepared.datas, "items")


def _merge(issues: list[Issue], found: list[Issue], parsed: ParsedRows, ref: FormRef) -> list[Issue]:
    """`found` (as `items[i].<field>`) added by row to `issues`, those already reported left out."""
    known = {i.path for i in issues}
    return issues + [i for i in (row_issue(i, parsed, ref.form) for i in found) if i.path not in known]


def _refused(issues: list[Issue]) -> ValidationFailed | UniqueViolation:
    """The refusal listing every problem by row: a 409 when unique values clash and nothing else is
    wrong (as a create of those values), else a 422."""
    issues = sorted(issues, key=_row_number)
    kind = UniqueViolation if all(i.code == "unique_violation" for i in issues) else ValidationFailed
    return kind(f"导入失败：{len(issues)} 处错误，未导入任何记录",
                f"import refused: {len(issues)} problem(s), nothing was imported", issues=issues)


def _row_number(issue: Issue) -> int:
    match = re.match(r"rows\[(\d+)\]", issue.path)
    return int(match.group(1)) if match else 0


__all__ = ["PreparedImport", "prepare", "write"]
