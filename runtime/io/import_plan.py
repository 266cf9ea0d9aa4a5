"""What an import wizard's run will do to each row, worked out before anything is written: new, update,
unchanged or failed, with every problem of a row named per cell, and the run itself.

`plan` reads only: the rows parsed through the user's column and value mapping, names resolved, the rows
matched to stored records by the business key (upsert, update), and the rows to create checked as the
plain import checks them (runtime/io/imports.py). The rows that update a record are tried in a write
transaction by `try_updates` (the record's own update: rules, formulas, unique values); the dry run rolls
that transaction back, the run commits it together with the created rows (all or nothing), or with the
good rows only when the user chose to skip bad ones."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, select

from engine.errors import BadQuery, EngineError, FieldValueError, Issue, UniqueViolation, ValidationFailed
from engine.forms.fields.base import FieldType
from runtime.db.tables import live
from runtime.db.tables import records as records_table
from runtime.io import imports
from runtime.io.column_mapping import columns_from, suggest_columns
from runtime.io.records import ParsedRows, export_cell, parse_rows, resolve_names, row_issue
from runtime.io.spreadsheet import Sheet
from runtime.records import records
from runtime.records.columns import field_column
from runtime.records.context import Change, FormRef
from runtime.records.titles import related_ids, titles
from runtime.schemas.imports import ImportSpec

PREVIEW_ROWS = 20
KEY_CHUNK = 500
ROW_PATH = re.compile(r"rows\[(\d+)\]\.?(.*)")


@dataclass
class Plan:
    """The rows of one import and what will happen to each (by its index among the parsed rows)."""

    ref: FormRef
    spec: ImportSpec
    parsed: ParsedRows
    header: list[str] = field(default_factory=list)
    columns: list[FieldType | None] = field(default_factory=list)  # the field each column fills
    issues: dict[int, list[Issue]] = field(default_factory=dict)
    matches: dict[int, Row[Any]] = field(default_factory=dict)  # row → the stored record its key names
    prepared: imports.PreparedImport | None = None  # the rows to create, checked
    created: list[int] = field(default_factory=list)  # their row indexes, in the order of `prepared`
    updated: dict[int, dict[str, Any]] = field(default_factory=dict)  # row → data after the update (tried)
    unchanged: set[int] = field(default_factory=set)
    duplicates: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # row → 可能重复 (import_duplicates)
    duplicates_seen_to: int = 0  # the newest record id the duplicate flags knew of (import_duplicates)

    def fail(self, index: int, issue: Issue) -> None:
        known = self.issues.setdefault(index, [])
        if issue.path not in {i.path for i in known}:
            known.append(issue)

    def all_issues(self) -> list[Issue]:
        return [i for index in sorted(self.issues) for i in self.issues[index]]

    def counts(self) -> dict[str, int]:
        return {"rows": len(self.parsed.items), "new": len(self.created), "updated": len(self.updated),
                "unchanged": len(self.unchanged), "failed": len(self.issues)}


def chosen_columns(ref: FormRef, spec: ImportSpec, header: list[str], hidden: Collection[str]) -> list[FieldType | None]:
    """The field each column fills: the user's mapping, else the suggestion; the key fields must be among them."""
    chosen = spec.columns if spec.columns is not None else {
        c.index: c.field for c in suggest_columns(ref.form, header, hidden=hidden)}
    columns = columns_from(ref.form, chosen, header, hidden)
    mapped = {f.key for f in columns if f is not None}
    if spec.mode != "create":
        if not spec.key:
            raise BadQuery("按业务主键更新时请选择业务主键字段", "choose the business key fields to upsert or update by",
                           field="key")
        for key in spec.key:
            if key not in mapped:
                label = ref.form.by_key[key].label if key in ref.form.by_key else key
                raise BadQuery(f"业务主键“{label}”没有对应的列", f"the key field {key!r} is filled by no column",
                               field="key")
    return columns


def plan(conn: Connection, ref: FormRef, sheet: Sheet, spec: ImportSpec, change: Change, *,
         hidden: Collection[str] = (), check: Callable[[list[dict[str, Any]]], None] | None = None,
         scope: Any = None, seen: dict[tuple[Any, ...], int] | None = None) -> Plan:
    """Every row parsed, matched and checked, reading only (the updates are tried by `try_updates`).
    `check` is the permission gate's look at the rows, `scope` the records the importer may update;
    `seen` the business keys of the file's earlier rows (key → row number) when `sheet` is a chunk of
    the file (runtime/io/import_stream.py), added to as this chunk's rows are matched."""
    columns = chosen_columns(ref, spec, sheet.header, hidden)
    parsed = parse_rows(ref.form, sheet, hidden, columns, spec.values)
    if check is not None:
        check(parsed.items)
    resolve_names(conn, ref, parsed, change.reads)
    result = Plan(ref, spec, parsed, sheet.header, columns)
    index_of = {n: i for i, n in enumerate(parsed.row_numbers)}
    for issue in parsed.issues:
        result.fail(index_of[_row_of(issue)], issue)
    if spec.mode != "create":
        _match(conn, result, change, scope, seen)
    _check_new(conn, result, [i for i in range(len(parsed.items))
                              if i not in result.matches and not _key_problem(result.issues.get(i, []))], change)
    return result


def _row_of(issue: Issue) -> int:
    match = ROW_PATH.match(issue.path)
    return int(match.group(1)) if match else 0


KEY_CODES = ("missing_key", "duplicate_key", "no_match", "ambiguous_key")


def _key_problem(issues: list[Issue]) -> bool:
    return any(i.code in KEY_CODES for i in issues)


def _issue(result: Plan, index: int, code: str, field_key: str, message: str, message_en: str) -> Issue:
    number = result.parsed.row_numbers[index]
    label = result.ref.form.by_key[field_key].label
    return Issue(f"rows[{number}].{field_key}", code, f"第 {number} 行“{label}”：{message}",
                 f"row {number}, {field_key!r}: {message_en}")


def _key_of(result: Plan, index: int, change: Change) -> tuple[Any, ...] | None:
    """The row's business key as stored values, None when a part is blank or unreadable."""
    item = result.parsed.items[index]
    values = []
    for key in result.spec.key:
        value = item.get(key)
        if value in (None, "", []):
            return None
        try:
            value = result.ref.form.by_key[key].normalize(value, change.ctx)
        except FieldValueError:
            return None
        values.append(value)
    return tuple(values)


def _match(conn: Connection, result: Plan, change: Change, scope: Any,
           seen: dict[tuple[Any, ...], int] | None = None) -> None:
    """Each row to the stored record its business key names (among those the importer may update); a
    blank key, a key repeated in the file (here or, through `seen`, in an earlier chunk), or (update
    only) a key naming no record fails the row."""
    keys: dict[int, tuple[Any, ...]] = {}
    first_with: dict[tuple[Any, ...], int] = {} if seen is None else seen  # key → row number
    lead = result.spec.key[0]
    for index in range(len(result.parsed.items)):
        key = _key_of(result, index, change)
        if key is None:
            result.fail(index, _issue(result, index, "missing_key", lead, "业务主键为空或无法识别",
                                      "the business key is blank or unreadable"))
            continue
        if key in first_with:
            other = first_with[key]
            result.fail(index, _issue(result, index, "duplicate_key", lead, f"业务主键与第 {other} 行相同",
                                      f"the same business key as row {other}"))
            continue
        first_with[key] = result.parsed.row_numbers[index]
        keys[index] = key
    stored = _stored_by_key(conn, result, {k[0] for k in keys.values()}, scope)
    for index, key in keys.items():
        rows = stored.get(key, [])
        if len(rows) > 1:  # a key that is not unique in the data: which record the row means is unknown
            result.fail(index, _issue(result, index, "ambiguous_key", lead, f"有 {len(rows)} 条记录的业务主键与此行相同",
                                      f"{len(rows)} records have this row's business key"))
        elif rows:
            result.matches[index] = rows[0]
        elif result.spec.mode == "update":
            shown = " / ".join(str(v) for v in key)
            result.fail(index, _issue(result, index, "no_match", lead, f"找不到业务主键为“{shown}”的记录",
                                      f"no record has the business key {shown!r}"))


def same_matches(conn: Connection, result: Plan, change: Change, scope: Any,
                 seen: dict[tuple[Any, ...], int] | None = None) -> bool:
    """Each row of a plan made earlier still names the record it named then, at the same version, and no
    other row names one now (the run's check that a dry run's plan still holds); `seen` as for `plan`."""
    if result.spec.mode == "create":
        return True
    now = Plan(result.ref, result.spec, result.parsed, result.header, result.columns)
    _match(conn, now, change, scope, seen)
    return ({i: (r.id, r.version) for i, r in now.matches.items()}
            == {i: (r.id, r.version) for i, r in result.matches.items()}
            and _key_problems(now) == _key_problems(result))


def _key_problems(result: Plan) -> dict[int, list[str]]:
    codes = {i: [x.code for x in found if x.code in KEY_CODES] for i, found in result.issues.items()}
    return {i: c for i, c in codes.items() if c}


def _stored_by_key(conn: Connection, result: Plan, leads: set[Any],
                   scope: Any) -> dict[tuple[Any, ...], list[Row[Any]]]:
    ref, fields = result.ref, [result.ref.form.by_key[k] for k in result.spec.key]
    column = field_column(fields[0], conn.dialect.name).raw_expr()
    found: dict[tuple[Any, ...], list[Row[Any]]] = {}
    wanted = sorted(str(v) for v in leads)
    for start in range(0, len(wanted), KEY_CHUNK):
        query = select(records_table.c.id, records_table.c.version, records_table.c.data).where(
            records_table.c.app == ref.app_key, records_table.c.form == ref.form.key, live(records_table),
            column.in_(wanted[start:start + KEY_CHUNK]))
        if scope is not None:
            query = query.where(scope)
        for row in conn.execute(query.order_by(records_table.c.id)):
            found.setdefault(tuple(row.data.get(f.key) for f in fields), []).append(row)
    return found


def _check_new(conn: Connection, result: Plan, indexes: list[int], change: Change) -> None:
    """Check the rows to create as the plain import does: first all of them (a row with an unreadable cell
    is still checked for its other fields), then again without the failing ones until the rest pass (a
    row's problem can hide behind another's: a unique value two rows share)."""
    batch = list(indexes)
    for _ in range(4):
        if not batch:
            return
        sub = ParsedRows([result.parsed.items[i] for i in batch], [result.parsed.row_numbers[i] for i in batch], [])
        try:
            prepared = imports.checked(conn, result.ref, sub, change)
        except (ValidationFailed, UniqueViolation) as e:
            index_of = {n: i for i, n in enumerate(result.parsed.row_numbers)}
            if any(_row_of(issue) not in index_of for issue in e.issues):
                raise  # a problem of no row (cannot happen for a form's fields): the import is refused whole
            for issue in e.issues:
                result.fail(index_of[_row_of(issue)], issue)
            batch = [i for i in indexes if i not in result.issues]
            continue
        if any(i in result.issues for i in batch):  # checked with rows that failed before: again without them
            batch = [i for i in indexes if i not in result.issues]
            continue
        result.prepared, result.created = prepared, batch
        return


def recheck_new(conn: Connection, result: Plan, change: Change) -> None:
    """Check the rows to create again without those failed since they were checked (import_duplicates.py)."""
    rest = [i for i in result.created if i not in result.issues]
    result.prepared, result.created = None, []
    _check_new(conn, result, rest, change)


def try_updates(conn: Connection, result: Plan, change: Change, indexes: Collection[int] | None = None) -> None:
    """Update each matched record (or those of the rows `indexes`) in `conn`'s transaction, each in a
    savepoint: a row its record's rules refuse fails (its savepoint rolled back), a row that changes
    nothing is unchanged."""
    for index in result.matches if indexes is None else indexes:
        row = result.matches[index]
        result.updated.pop(index, None)
        result.unchanged.discard(index)
        if index in result.issues:
            continue
        item = result.parsed.items[index]
        savepoint = conn.begin_nested()
        try:
            new = records.update_record(conn, result.ref, row.id, item, change)
        except (ValidationFailed, UniqueViolation) as e:
            savepoint.rollback()
            for issue in e.issues:
                path = f"items[{index}].{issue.path}" if issue.path else f"items[{index}]"
                result.fail(index, row_issue(Issue(path, issue.code, issue.message, issue.message_en),
                                             result.parsed, result.ref.form))
            continue
        except EngineError as e:  # refused as a whole (a condition on editing): the row fails
            savepoint.rollback()
            result.fail(index, _issue(result, index, e.code, result.spec.key[0], str(e), str(e)))
            continue
        savepoint.commit()
        if new.version == row.version:
            result.unchanged.add(index)
        else:
            result.updated[index] = dict(new.data)


def report(conn: Connection, result: Plan, change: Change) -> dict[str, Any]:
    """What the dry run shows: the counts, the first rows as they will be stored (problems per cell) and
    every problem by row."""
    new_data = dict(zip(result.created, result.prepared.datas if result.prepared else [], strict=False))
    shown = list(range(min(PREVIEW_ROWS, len(result.parsed.items))))
    datas = [new_data.get(i) or result.updated.get(i) or result.parsed.items[i] for i in shown]
    names = titles(conn, result.ref.app, related_ids(result.ref.app, result.ref.form.key,
                                                    [d for d in datas if isinstance(d, dict)]))
    keys = _mapped_keys(result)
    preview = []
    for i, data in zip(shown, datas, strict=True):
        action = ("failed" if i in result.issues else "new" if i in new_data else "update" if i in result.updated
                  else "unchanged" if i in result.unchanged else "failed")
        problems = {_field_of(issue): issue.message for issue in result.issues.get(i, [])}
        preview.append({"row": result.parsed.row_numbers[i], "action": action,
                        "cells": {k: _cell_text(result.ref.form.by_key[k], data.get(k), names, change) for k in keys},
                        "problems": problems})
    return {"counts": result.counts(), "header": result.header, "fields": keys, "preview": preview,
            "issues": issue_list(result.all_issues())}


def issue_list(issues: list[Issue]) -> list[dict[str, Any]]:
    """Problems as an import's result keeps them: the spreadsheet row, the field, what is wrong."""
    return [{"row": _row_of(i), "field": _field_of(i), "code": i.code, "message": i.message} for i in issues]


def _mapped_keys(result: Plan) -> list[str]:
    keys: list[str] = []
    for item in result.parsed.items[:PREVIEW_ROWS]:
        keys += [k for k in item if k not in keys]
    return [f.key for f in result.ref.form.writable if f.key in keys] or list(result.spec.key)


def _field_of(issue: Issue) -> str:
    match = ROW_PATH.match(issue.path)
    return match.group(2).split(".")[0].split("[")[0] if match else ""


def _cell_text(field: FieldType, value: Any, names: dict[int, str], change: Change) -> str:
    if value is None:
        return ""
    try:
        cell = export_cell(field, value, names, change.timezone)
    except (TypeError, ValueError, KeyError):
        cell = value
    return "" if cell is None else str(cell)


__all__ = ["Plan", "PREVIEW_ROWS", "chosen_columns", "plan", "recheck_new", "try_updates", "report", "issue_list",
           "same_matches"]
