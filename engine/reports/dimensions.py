"""Dimensions as plans: what a group-by field is (select, relation, user, date …), how its values are
ordered and shown, and date buckets as SQL per dialect (bucket start as 'YYYY-MM-DD' text, in the
app's time zone).

A source (primary records or the mirror) says how a column is represented — `date` (ISO text or a
DATE), `datetime` (UTC text with Z, or a UTC TIMESTAMP), `timestamp` (a system column) — and
`bucket_sql` turns it into the local bucket start for that dialect."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, Integer, case, cast, func, null
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TIMESTAMP

from engine.errors import InvalidDefinition, Issue
from engine.forms.fields.base import FieldType
from engine.forms.model import FormDefinition
from engine.forms.system_fields import SYSTEM_FIELDS
from engine.reports.model import Dimension

if TYPE_CHECKING:
    from engine.app import AppDefinition

_KINDS = {"select": "select", "relation": "relation", "user": "user", "department": "department", "date": "date",
          "datetime": "datetime", "boolean": "bool", "cascade": "cascade", "address": "province"}
"""How a field type groups; an address groups by its province (江苏省), what a map by province shows."""
_ZH_BUCKET = {"day": "日", "week": "周", "month": "月", "quarter": "季度", "year": "年"}


@dataclass(frozen=True)
class DimensionPlan:
    """One group-by column: its kind decides order and display; `options` for selects."""

    key: str
    label: str
    kind: str  # select | relation | user | department | date | datetime | timestamp | bool | cascade | province
    # | text | number
    bucket: str | None = None
    options: list[str] = field(default_factory=list)

    @property
    def is_time(self) -> bool:
        return self.kind in ("date", "datetime", "timestamp")


def _bad(path: str, code: str, zh: str, en: str) -> InvalidDefinition:
    return InvalidDefinition(zh, en, issues=[Issue(path, code, zh, en)])


def related_field(form: FormDefinition, app: AppDefinition | None, key: str) -> tuple[FieldType, FieldType] | None:
    """`customer.industry`: the single relation field of `form` and the field of its target form it names;
    `lines.qty`: the sub_table and its column (engine/reports/grain.py: the widget then runs over its rows);
    None when `key` is no such path (a multiple relation or an unknown name)."""
    first, dot, second = key.partition(".")
    holder = form.by_key.get(first)
    if dot and holder is not None and holder.type == "sub_table":
        column = next((c for c in getattr(holder, "fields", []) if c.key == second), None)
        return None if column is None else (holder, column)
    target = getattr(holder, "target", None)
    if not dot or holder is None or app is None or target not in app.forms_by_key or getattr(holder, "multiple", False):
        return None
    field = app.form(target).by_key.get(second)
    return None if field is None else (holder, field)


def _single_target(holder: FieldType | None, app: AppDefinition) -> FormDefinition | None:
    target = getattr(holder, "target", None)
    if holder is None or holder.type != "relation" or getattr(holder, "multiple", False) or target not in app.forms_by_key:
        return None
    return app.form(target)


def related_path(form: FormDefinition, app: AppDefinition | None, key: str) -> tuple[list[FieldType], FieldType] | None:
    """What `related_field` finds, and two hops as well: `customer.parent.region` is ([customer, parent], region),
    each hop a single relation. None when `key` is no such path."""
    parts = key.split(".")
    if len(parts) == 2:
        through = related_field(form, app, key)
        return ([through[0]], through[1]) if through else None
    if len(parts) != 3 or app is None:
        return None
    first = form.by_key.get(parts[0])
    middle_form = _single_target(first, app)
    middle = middle_form.by_key.get(parts[1]) if middle_form is not None else None
    last_form = _single_target(middle, app)
    field = last_form.by_key.get(parts[2]) if last_form is not None else None
    return None if first is None or middle is None or field is None else ([first, middle], field)


def path_label(holders: list[FieldType], field: FieldType) -> str:
    """`客户.上级.地区`: the labels along a path."""
    return ".".join([h.label for h in holders] + [field.label])


def plan_dimension(dim: Dimension, form: FormDefinition, path: str, app: AppDefinition | None = None) -> DimensionPlan:
    """The plan of one dimension; InvalidDefinition at `path` when the field cannot group rows. With `app`,
    a field of a related form (`customer.industry`, through a single relation) groups by its value there."""
    kind: str
    f: FieldType | None
    if dim.field in SYSTEM_FIELDS:
        kind, label, f = SYSTEM_FIELDS[dim.field].kind, dim.field, None
    else:
        hops = related_path(form, app, dim.field) if "." in dim.field else None
        through = (hops[0][0], hops[1]) if hops else None
        f = hops[1] if hops else form.by_key.get(dim.field)
        if f is None:
            raise _bad(f"{path}.field", "unknown_field", f"表单“{form.name}”没有字段 {dim.field}",
                       f"form {form.key!r} has no field {dim.field!r}")
        kind = _KINDS.get(f.type, "")
        if f.type == "relation" and getattr(f, "multiple", False):
            kind = ""
        in_rows = through is not None and through[0].type == "sub_table"
        # A relation's titles are read on its own form; a sub_table row's cascade or address is not mirrored.
        if through is not None and ((kind == "relation" and not in_rows) or (in_rows and kind in ("cascade", "province"))):
            raise _bad(f"{path}.field", "not_groupable", f"“{through[0].label}.{f.label}”不能隔着关联作为维度",
                       f"a {f.type} field cannot be a dimension through a relation ({dim.field!r})")
        if not kind:
            storage = f.storage_kind()
            kind = {"text": "text", "number": "number", "integer": "number", "bool": "bool"}.get(storage, "")
            if f.expression_type() in ("date", "datetime") and storage == "text":
                kind = str(f.expression_type())
        if not kind:
            raise _bad(f"{path}.field", "not_groupable", f"{f.type} 类型的字段“{f.label}”不能作为维度",
                       f"a {f.type} field ({dim.field!r}) cannot be a dimension")
        label = path_label(*hops) if hops else f.label
    if dim.bucket is not None and kind not in ("date", "datetime", "timestamp"):
        raise _bad(f"{path}.bucket", "not_a_date", f"只有日期字段能按{_ZH_BUCKET[dim.bucket]}分组",
                   f"only date fields have buckets; {dim.field!r} is not one")
    bucket = dim.bucket or ("day" if kind in ("datetime", "timestamp") else None)
    if bucket and dim.bucket:
        label = f"{label}（{_ZH_BUCKET[bucket]}）"
    if kind == "province":
        label = f"{label}（省份）"
    options = [o.value for o in getattr(f, "options", None) or []] if kind == "select" else []
    return DimensionPlan(dim.field, dim.label or label, kind, bucket, options)


def _sqlite_local(x: ColumnElement[Any], kind: str, offset_minutes: int) -> ColumnElement[Any]:
    if kind == "date":
        return x
    return func.datetime(x, f"{offset_minutes:+d} minutes")  # SQLite knows no zones: the zone's offset now


def bucket_sql(dialect: str, x: ColumnElement[Any], kind: str, bucket: str, zone: str,
               offset_minutes: int) -> ColumnElement[Any]:
    """The start of `x`'s bucket as 'YYYY-MM-DD' text (a DATE on DuckDB), in the local time of `zone`.

    kind: date (ISO text or DATE), datetime (UTC ISO text with Z, or a UTC TIMESTAMP on DuckDB), timestamp
    (a system column: timestamptz on PostgreSQL, naive UTC text on SQLite, UTC TIMESTAMP on DuckDB)."""
    if dialect == "sqlite":
        local = _sqlite_local(x, kind, offset_minutes)
        if bucket == "quarter":
            quarter_month = (cast(func.strftime("%m", local), Integer) - 1) // 3 * 3 + 1
            start = func.printf("%s-%02d-01", func.strftime("%Y", local), quarter_month)
            return case((local.is_(None), null()), else_=start)  # printf would make '-00-01' of a blank
        modifiers = {"day": (), "week": ("-6 days", "weekday 1"), "month": ("start of month",),
                     "year": ("start of year",)}[bucket]
        return func.date(local, *modifiers)
    if dialect == "postgresql":
        if kind == "date":
            local = cast(x, Date)
        elif kind == "datetime":
            local = func.timezone(zone, cast(x, TIMESTAMP(timezone=True)))
        else:
            local = func.timezone(zone, x)
        trunc = local if bucket == "day" else func.date_trunc(bucket, local)
        return func.to_char(trunc, "YYYY-MM-DD")
    # duckdb: DATE and UTC TIMESTAMP columns; the connection's TimeZone is UTC. The bucket start stays a
    # date (shape.plain writes it as 'YYYY-MM-DD'): formatting a million rows as text costs more than the scan.
    local = x if kind == "date" else func.timezone(zone, cast(x, TIMESTAMP(timezone=True)))
    return cast(local if bucket == "day" else func.date_trunc(bucket, local), Date)


def bucket_label(start: str | None, bucket: str | None) -> str | None:
    """How a bucket is shown: 2026-03-05, 2026-W10, 2026-03, 2026-Q1, 2026."""
    if start is None or bucket is None:
        return start
    day = date.fromisoformat(start[:10])
    if bucket == "day":
        return day.isoformat()
    if bucket == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if bucket == "month":
        return f"{day.year}-{day.month:02d}"
    if bucket == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def bucket_range(start: date, bucket: str) -> tuple[date, date]:
    """The first day of the bucket starting at `start`, and the first day after it."""
    if bucket == "day":
        return start, start + timedelta(days=1)
    if bucket == "week":
        return start, start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[bucket]
    month = start.month - 1 + months
    return start, date(start.year + month // 12, month % 12 + 1, 1)


def bucket_start(day: date, bucket: str) -> date:
    """The first day of the bucket `day` falls in."""
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    if bucket == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def shift(start: date, bucket: str, count: int) -> date:
    """The start of the bucket `count` buckets after (negative: before) the one starting at `start`."""
    if bucket in ("day", "week"):
        return start + timedelta(days=count * (7 if bucket == "week" else 1))
    months = {"month": 1, "quarter": 3, "year": 12}[bucket] * count
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


__all__ = ["DimensionPlan", "plan_dimension", "related_field", "related_path", "path_label", "bucket_sql", "bucket_label", "bucket_range", "bucket_start", "shift"]
