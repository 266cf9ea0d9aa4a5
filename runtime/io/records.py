"""Records to and from spreadsheets: columns matched by label or key, cells through each field type's
from_cell/to_cell, related records and users named as people write them, all or nothing.

An import (runtime/io/imports.py) checks every row before it writes any: every problem of every row is
reported as `rows[N].<field>` with N the spreadsheet's own row number (the header is row 1), and
nothing is written unless every row is right."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from engine.errors import BadFile, FieldValueError, Issue
from engine.forms.fields.base import FieldType
from engine.forms.model import FormDefinition
from engine.forms.system_fields import SYSTEM_FIELDS
from runtime.db.tables import files, live, users
from runtime.db.tables import records as records_table
from runtime.io.cells_out import readable_cell
from runtime.io.spreadsheet import Sheet, clean_header
from runtime.records import listing
from runtime.records.columns import field_column
from runtime.records.context import Change, FormRef, Readable
from runtime.records.titles import related_ids, titles

SEPARATORS = re.compile(r"[,，;；、\n]+")
EXPORT_PAGE = 500


def _letter(index: int) -> str:
    """Column letters as a spreadsheet shows them: 0 → A, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def match_columns(form: FormDefinition, header: list[str], hidden: Collection[str] = ()) -> list[FieldType | None]:
    """The field each column fills, matched by label or key (full-width folded, case-insensitive keys);
    BadFile names every column that matches no writable field (hidden ones are unknown) or repeats another."""
    by_name: dict[str, FieldType] = {}
    for field in form.writable:
        if field.key in hidden:
            continue
        by_name.setdefault(clean_header(field.label), field)
        by_name.setdefault(field.key.lower(), field)
    matched: list[FieldType | None] = []
    issues, seen = [], set()
    for i, text in enumerate(header):
        field = by_name.get(text) or by_name.get(text.lower())
        where = f"columns[{_letter(i)}]"
        if not text:
            matched.append(None)  # an unnamed column (often Excel's leftovers) is skipped
            continue
        if field is None:
            issues.append(Issue(where, "unknown_column", f"列“{text}”不是表单“{form.name}”的可填写字段",
                                f"column {text!r} is not a writable field of {form.key!r}"))
        elif field.key in seen:
            issues.append(Issue(where, "duplicate_column", f"列“{text}”与前面的列对应同一字段 {field.key}",
                                f"column {text!r} fills {field.key!r} a second time"))
        else:
            seen.add(field.key)
        matched.append(field if field is not None and where not in {x.path for x in issues} else None)
    if issues:
        raise BadFile(f"表头有 {len(issues)} 处无法对应字段", f"{len(issues)} header column(s) cannot be matched",
                      issues=issues)
    return matched


def _cell(cell: Any) -> Any:
    """Excel keeps every number as a float: 13800138000.0 and 12.0 mean the integers. Text loses the
    `'` our CSV exports put before a leading `=`, `+`, `-` or `@`, so an export imports back unchanged."""
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 2**53:
        return int(cell)
    if isinstance(cell, str):
        return readable_cell(cell.strip())
    return cell


@dataclass
class ParsedRows:
    """Record inputs from a sheet, with the spreadsheet row number of each."""

    items: list[dict[str, Any]]
    row_numbers: list[int]
    issues: list[Issue]


def parse_rows(form: FormDefinition, sheet: Sheet, hidden: Collection[str] = (),
               columns: list[FieldType | None] | None = None,
               replacements: dict[str, dict[str, Any]] | None = None) -> ParsedRows:
    """Cells to record inputs; wholly blank rows are skipped, cell problems collected by row and field.
    `columns` is the field each column fills when the user chose them (else matched by header), and
    `replacements` the value mapping per field key (a cell's text → what the field reads instead:
    A类 → A, a customer's name → its id)."""
    columns = match_columns(form, sheet.header, hidden) if columns is None else columns
    replacements = replacements or {}
    parsed = ParsedRows([], [], [])
    for offset, row in enumerate(sheet.rows):
        number = offset + sheet.first_row
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        item: dict[str, Any] = {}
        for field, cell in zip(columns, row, strict=False):
            if field is None or cell is None:
                continue
            cell = _cell(cell)
            mapped = replacements.get(field.key)
            if mapped:
                cell = _replaced(cell, mapped)
            try:
                item[field.key] = field.from_cell(cell)
            except FieldValueError as e:
                parsed.issues.append(Issue(f"rows[{number}].{field.key}", e.code,
                                           f"第 {number} 行“{field.label}”：{e.message}", e.message_en))
        parsed.items.append(item)
        parsed.row_numbers.append(number)
    return parsed


def _replaced(cell: Any, mapped: dict[str, Any]) -> Any:
    """The cell through the user's value mapping: whole (A类 → A), else part by part (重点，老客户 → 重点，续约)."""
    text = str(cell).strip()
    if text in mapped:
        return mapped[text]
    parts = _names(text)
    if len(parts) > 1 and any(p in mapped for p in parts):
        return "，".join(str(mapped.get(p, p)) for p in parts)
    return cell


def cell_names(cell: Any) -> list[str]:
    """The names a cell lists (客户甲，客户乙: two), as relations, users and multi-selects read it."""
    return _names(cell)


def _names(cell: Any) -> list[str]:
    return [p.strip() for p in SEPARATORS.split(str(cell)) if p.strip()] if cell not in (None, "") else []


def _is_ids(names: list[str]) -> bool:
    return all(n.isdigit() for n in names)


def resolve_names(conn: Connection, ref: FormRef, parsed: ParsedRows, reads: Readable | None = None) -> None:
    """Relations named by the related record's title and users by display name become ids and usernames;
    a name that matches nothing, or more than one, is an issue of its row. With `reads` (the importer's
    read scope), titles are matched only among the records the importer may read."""
    for field in ref.form.writable:
        if field.refers_to == "record":
            _resolve_titles(conn, ref, field, parsed, reads)
        elif field.refers_to == "user":
            _resolve_users(conn, field, parsed)
        elif field.refers_to == "file":
            _resolve_files(conn, field, parsed)


def _resolve_titles(conn: Connection, ref: FormRef, field: Any, parsed: ParsedRows, reads: Readable | None) -> None:
    wanted = {n for item in parsed.items for n in _names(item.get(field.key)) if not _is_ids(_names(item[field.key]))}
    _replace(field, parsed, records_named(conn, ref, field, wanted, reads), ref.app.form(field.target).name)


def records_named(conn: Connection, ref: FormRef, field: Any, wanted: Collection[str],
                  reads: Readable | None) -> dict[str, list[int]]:
    """Title → the ids of the related form's live records with that title (among those `reads` allows)."""
    target = ref.app.form(field.target)
    found: dict[str, list[int]] = {}
    if wanted and target.title_field:
        title = field_column(target.by_key[target.title_field], conn.dialect.name).raw_expr()
        rows = conn.execute(select(records_table.c.id, title.label("title")).where(
            records_table.c.app == ref.app_key, records_table.c.form == target.key,
            live(records_table), title.in_(sorted(wanted)),
            *([reads(conn, target.key)] if reads is not None else [])))
        for r in rows:
            found.setdefault(str(r.title), []).append(r.id)
    return found


def _resolve_users(conn: Connection, field: Any, parsed: ParsedRows) -> None:
    wanted = {n for item in parsed.items for n in _names(item.get(field.key))}
    found: dict[str, list[Any]] = {}
    if wanted:
        rows = conn.execute(select(users.c.username, users.c.display_name).where(
            (users.c.username.in_(sorted(wanted))) | (users.c.display_name.in_(sorted(wanted)))))
        for r in rows:
            found.setdefault(r.username, []).append(r.username)
            if r.display_name != r.username:
                found.setdefault(r.display_name, []).append(r.username)
    _replace(field, parsed, found, "用户")


def _resolve_files(conn: Connection, field: Any, parsed: ParsedRows) -> None:
    """Files an exported cell names by id (`合同.pdf [file:<id>]`) completed from the file store, so an
    export imports back with the same attachments; an id the store does not hold is an issue of its row."""
    named = [(item, number) for item, number in zip(parsed.items, parsed.row_numbers, strict=True)
             if isinstance(item.get(field.key), list)]
    wanted = {f["id"] for item, _ in named for f in item[field.key] if isinstance(f, dict) and "size" not in f}
    if not wanted:
        return
    stored = {r.id: {"id": r.id, "name": r.name, "size": r.size, "content_type": r.content_type}
              for r in conn.execute(select(files.c.id, files.c.name, files.c.size, files.c.content_type)
                                    .where(files.c.id.in_(sorted(wanted))))}
    for item, number in named:
        for f in item[field.key]:
            if isinstance(f, dict) and "size" not in f and f["id"] not in stored:
                parsed.issues.append(Issue(
                    f"rows[{number}].{field.key}", "unknown_reference",
                    f"第 {number} 行“{field.label}”：文件“{f['name']}”（{f['id']}）不存在",
                    f"row {number}, {field.key!r}: no stored file {f['id']!r}"))
        item[field.key] = [stored.get(f["id"], f) if isinstance(f, dict) and "size" not in f else f
                           for f in item[field.key]]


def _replace(field: Any, parsed: ParsedRows, found: dict[str, list[Any]], what: str) -> None:
    for item, number in zip(parsed.items, parsed.row_numbers, strict=True):
        names = _names(item.get(field.key))
        if not names or (field.refers_to == "record" and _is_ids(names)):
            continue
        values = []
        for name in names:
            hits = list(dict.fromkeys(found.get(name, [])))
            if len(hits) != 1:
                problem = "找不到" if not hits else f"有 {len(hits)} 条同名"
                parsed.issues.append(Issue(
                    f"rows[{number}].{field.key}", "unknown_reference" if not hits else "ambiguous_reference",
                    f"第 {number} 行“{field.label}”：{what}“{name}”{problem}",
                    f"row {number}, {field.key!r}: {name!r} matches {len(hits)} {what}"))
            else:
                values.append(hits[0])
        multiple = getattr(field, "multiple", False) or field.type == "users"
        item[field.key] = values if multiple else (values[0] if values else None)


def row_issue(issue: Issue, parsed: ParsedRows, form: FormDefinition) -> Issue:
    """`items[3].phone` from create_many as `rows[5].phone`, the message prefixed with row and label."""
    match = re.match(r"items\[(\d+)\]\.?(.*)", issue.path)
    if not match:
        return issue
    number = parsed.row_numbers[int(match.group(1))]
    key = match.group(2)
    field = form.by_key.get(key.split(".")[0].split("[")[0])
    label = f"“{field.label}”" if field else ""
    return Issue(f"rows[{number}].{key}".rstrip("."), issue.code, f"第 {number} 行{label}：{issue.message}",
                 f"row {number}: {issue.message_en or issue.message}")


def export_header(form: FormDefinition, keys: list[str]) -> list[str]:
    """Column titles: field labels, and system columns (id, owner, created_at …) by their Chinese names."""
    return [form.by_key[k].label if k in form.by_key else SYSTEM_FIELDS[k].label for k in keys]


Titles = Callable[[list[dict[str, Any]], dict[int, str]], dict[int, str]]


def export_pages(conn: Connection, ref: FormRef, query: listing.ListQuery, change: Change) -> Iterator[list[Any]]:
    """Every record the query matches, a keyset page at a time."""
    cursor = query.cursor
    while True:
        # the list's own query (its search too), a keyset page at a time
        page = listing.list_records(conn, ref, replace(query, limit=EXPORT_PAGE, cursor=cursor, count=False),
                                    change.ctx)
        yield page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def export_rows(conn: Connection, ref: FormRef, query: listing.ListQuery, keys: list[str],
                change: Change, readable: Titles | None = None, masked: Collection[str] = ()) -> Iterator[list[Any]]:
    """Every record the query matches as cells: related records by title (`readable` drops the titles
    the actor may not see), datetimes in the app's time zone without an offset (what Excel and an
    import read back), `masked` fields as their mask (脱敏), never the value."""
    fields = [ref.form.by_key.get(k) for k in keys]
    for items in export_pages(conn, ref, query, change):
        datas = [r.data for r in items]
        names = titles(conn, ref.app, related_ids(ref.app, ref.form.key, datas))
        if readable is not None:
            names = readable(datas, names)
        for row in items:
            yield [_system_cell(getattr(row, k), change.timezone) if f is None else
                   f.mask(row.data.get(f.key)) if f.key in masked else
                   _export_cell(f, row.data.get(f.key), names, change.timezone) for k, f in zip(keys, fields, strict=True)]


def _system_cell(value: Any, zone: ZoneInfo) -> Any:
    """A system column (id, owner, created_at …): times in the app's zone without an offset, as fields are."""
    return value.astimezone(zone).replace(tzinfo=None) if isinstance(value, datetime) else value


def _export_cell(field: FieldType, value: Any, names: dict[int, str], zone: ZoneInfo) -> Any:
    if value is None:
        return None
    if field.refers_to == "record":
        ids = value if isinstance(value, list) else [value]
        return "，".join(names.get(i, f"#{i}") for i in ids)
    if field.type == "datetime":
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(zone)
        return moment.replace(tzinfo=None)
    cell = field.to_cell(value)
    return cell if isinstance(cell, str | int | float | bool) or cell is None else _plain(cell)


def export_cell(field: FieldType, value: Any, names: dict[int, str], zone: ZoneInfo) -> Any:
    """One stored value as an export writes it (related records by title, datetimes in `zone`)."""
    return _export_cell(field, value, names, zone)


def _plain(cell: Any) -> Any:
    """Cells openpyxl and csv both take: Decimal and date pass; anything else becomes text."""
    return cell if isinstance(cell, Decimal | date) else str(cell)


__all__ = ["match_columns", "parse_rows", "resolve_names", "row_issue", "export_header", "export_rows", "export_cell",
           "records_named", "cell_names"]
