"""Record export (CSV or JSON lines) and CSV import, through the permission gate's eyes.

An export holds exactly the records and fields the actor's list would show: the list's query (with the
read scope) is paged through with its keyset cursor, and hidden fields are never written. Cells use each
field type's `to_cell`, imports its `from_cell`, so a file exported can be imported again."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.errors import BadQuery
from engine.forms.fields.base import ValueContext
from runtime.permissions.check import FormGate
from runtime.storage import listing

EXTENSIONS = {"csv": "csv", "jsonl": "jsonl"}
MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
MAX_ROWS = 1_000_000


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def _rows(gate: FormGate, query: listing.ListQuery, ctx: ValueContext) -> Any:
    cursor = None
    while True:
        page = listing.list_records(gate.conn, gate.ref, replace(query, cursor=cursor), ctx)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def render(gate: FormGate, query: listing.ListQuery, fmt: str, ctx: ValueContext) -> tuple[bytes, str, int]:
    """(file bytes, media type, record count) of the records the query reaches."""
    if fmt not in EXTENSIONS:
        raise BadQuery(f"不支持的导出格式 {fmt}（可用：csv、jsonl）", f"unknown export format {fmt!r}; use csv or jsonl",
                       field="format")
    fields = [gate.ref.form.by_key[k] for k in gate.visible_keys]
    out = io.StringIO()
    writer = csv.writer(out)
    if fmt == "csv":
        out.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese text correctly only with a BOM
        writer.writerow(["id", *(f.label for f in fields), "owner", "department"])
    count = 0
    for row in _rows(gate, query, ctx):
        count += 1
        if count > MAX_ROWS:
            raise BadQuery(f"一次最多导出 {MAX_ROWS} 条，请加筛选条件", f"at most {MAX_ROWS} records per export",
                           field="filter")
        cells = {f.key: _cell(f.to_cell(row.data[f.key])) for f in fields if row.data.get(f.key) is not None}
        if fmt == "csv":
            writer.writerow([row.id, *(cells.get(f.key, "") for f in fields), row.owner or "", row.department or ""])
        else:
            out.write(json.dumps({"id": row.id, "data": cells, "owner": row.owner, "department": row.department},
                                 ensure_ascii=False) + "\n")
    return out.getvalue().encode("utf-8"), MEDIA[fmt], count


def parse_csv(gate: FormGate, text: str) -> list[dict[str, Any]]:
    """CSV rows → record data; the header names fields by key or label (an `id` column is ignored)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise BadQuery("导入文件为空", "the file is empty", field="file")
    by_name = {f.label: f for f in gate.ref.form.fields} | gate.ref.form.by_key
    columns = []
    for name in header:
        name = name.strip()
        if name in ("id", "owner", "department", ""):
            columns.append(None)
        elif name in by_name:
            columns.append(by_name[name])
        else:
            raise BadQuery(f"表单“{gate.ref.form.name}”没有字段 {name}", f"form {gate.ref.form.key!r} has no field "
                           f"{name!r}", field=name)
    items = []
    for cells in reader:
        item: dict[str, Any] = {}
        for field, cell in zip(columns, cells, strict=False):
            if field is not None and cell.strip() != "":
                item[field.key] = field.from_cell(cell)
        items.append(item)
    return items


__all__ = ["EXTENSIONS", "parse_csv", "render"]
