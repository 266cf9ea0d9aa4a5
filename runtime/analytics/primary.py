"""The primary database as a report source: a form's live records, fields read from the JSON data
with the same SQL spellings lists and indexes use (runtime/records/columns.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import literal_column, text
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from engine.app import AppDefinition
from engine.expr.evaluate import EvalContext
from engine.forms.model import FormDefinition
from engine.reports.dimensions import DimensionPlan, bucket_sql
from runtime.db.tables import live, records
from runtime.records.columns import field_column, refuse_encrypted
from runtime.records.expressions import RecordColumns


def offset_minutes(ctx: EvalContext) -> int:
    """The zone's offset now, for SQLite (which knows no zones); China has no daylight saving."""
    return int((ctx.local_now.utcoffset() or timedelta(0)).total_seconds() // 60)


_JSON_PART = {"cascade": ("->> 0", "[0]"), "province": ("->> 'province'", ".province")}
"""How a cascade's first level and an address's province are read from the JSON (PostgreSQL, SQLite path)."""

_LINE = "tg_line"
"""The column of a sub_table row (its JSON object) beside its record's columns (see PrimarySource.rows)."""


def _row_rows(app: str, form: str, sub: str, dialect: str) -> FromClause:
    """A sub_table's rows, each with its live record's columns, named `records` like the table itself: every
    spelling of the record's fields (`data`, `records.data`, relation subqueries) reads the same there.
    Keys are validated identifiers: they are written into the SQL as they are."""
    keep = f"records.app = '{app}' AND records.form = '{form}' AND records.deleted_at IS NULL AND records.version > 0"
    if dialect == "postgresql":
        rows = (f"CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(records.data -> '{sub}') = 'array' "
                f"THEN records.data -> '{sub}' ELSE '[]'::jsonb END) AS line(value)")
    else:
        rows = f"JOIN json_each(records.data, '$.{sub}') AS line ON json_type(records.data, '$.{sub}') = 'array'"
    sql = f"SELECT records.*, line.value AS {_LINE} FROM records {rows} WHERE {keep}"
    return text(sql).columns().subquery("records")


class PrimarySource(RecordColumns):
    """Rows of one form in the records table; with `sub`, the rows of that sub_table (engine/reports/grain.py)."""

    def __init__(self, form: FormDefinition, dialect: str, app: AppDefinition, sub: str | None = None) -> None:
        super().__init__(form, dialect, app)
        self.sub = sub

    def rows(self) -> tuple[FromClause, list[ColumnElement[bool]]]:
        if self.sub is not None:
            return _row_rows(self.app.key, self.form.key, self.sub, self.dialect), []
        return records, [records.c.app == self.app.key, records.c.form == self.form.key, live()]

    def _row_column(self, key: str, exact: bool) -> ColumnElement[Any] | None:
        """`lines.qty` on a row of the sub_table: its value, spelled as the record's own fields are."""
        first, dot, second = key.partition(".")
        if self.sub is None or first != self.sub:
            return None
        column = next(c for c in getattr(self.form.field(first), "fields", []) if c.key == second)
        if exact and self.dialect == "sqlite":
            return literal_column(f"json_extract(records.{_LINE}, '$.{second}')")
        raw = field_column(column, self.dialect, "tg_row").raw  # `tg_row.data` is the row's object
        return literal_column(raw.replace("tg_row.data", f"records.{_LINE}", 1))

    def _two_hops(self, key: str) -> ColumnElement[Any]:
        """`customer.parent.region`: the value on the record two single relations away (live records only)."""
        first, middle, last = key.split(".")
        holder = self.form.field(first)
        between = self.app.form(getattr(holder, "target"))  # noqa: B009 — plan_widget saw to the path
        hop = between.field(middle)
        end = self.app.form(getattr(hop, "target"))  # noqa: B009
        refuse_encrypted(end.by_key.get(last), "关联筛选 / filters through a relation")
        link = field_column(holder, self.dialect, "records").raw
        step = field_column(hop, self.dialect, "t1").raw
        inner = field_column(end.field(last), self.dialect, "t2").raw
        alive = "deleted_at IS NULL AND {t}.version > 0"
        return literal_column(
            f"(SELECT {inner} FROM records AS t1 JOIN records AS t2 ON t2.id = {step} AND t2.{alive.format(t='t2')} "
            f"WHERE t1.id = {link} AND t1.{alive.format(t='t1')})")

    def _related_part(self, key: str, kind: str) -> ColumnElement[Any]:
        """A cascade's first level or an address's province on the record one or two single relations away (live
        records only), as `group_value` reads them on the widget's own form."""
        *hops, last = key.split(".")
        form, alive = self.form, "deleted_at IS NULL AND {t}.version > 0"
        link = field_column(form.field(hops[0]), self.dialect, "records").raw
        joins = ""
        for n, hop in enumerate(hops[1:], start=2):
            form = self.app.form(getattr(form.field(hops[n - 2]), "target"))  # noqa: B009 — plan_widget saw to the path
            step = field_column(form.field(hop), self.dialect, f"t{n - 1}").raw
            joins += f" JOIN records AS t{n} ON t{n}.id = {step} AND t{n}.{alive.format(t=f't{n}')}"
        end = self.app.form(getattr(form.field(hops[-1]), "target"))  # noqa: B009
        refuse_encrypted(end.by_key.get(last), "关联筛选 / filters through a relation")
        postgresql, sqlite = _JSON_PART[kind]
        t = f"t{len(hops)}"
        inner = f"({t}.data -> '{last}' {postgresql})" if self.dialect == "postgresql" \
            else f"json_extract({t}.data, '$.{last}{sqlite}')"
        return literal_column(f"(SELECT {inner} FROM records AS t1{joins} WHERE t1.id = {link} AND t1.{alive.format(t='t1')})")

    def value(self, key: str, exact: bool = False) -> ColumnElement[Any]:
        found = self._row_column(key, exact)
        if found is None and key.count(".") == 2:
            return self._two_hops(key)
        return found if found is not None else super().value(key, exact)

    def compare(self, key: str, op: str, value: Any) -> ColumnElement[bool] | None:
        if self._row_column(key, False) is not None:
            return None  # compared through value()
        return super().compare(key, op, value)

    def group_value(self, plan: DimensionPlan, ctx: EvalContext) -> ColumnElement[Any]:
        key = plan.key
        row = self._row_column(key, False)
        if row is not None:
            if plan.kind in ("date", "datetime") and plan.bucket:
                return bucket_sql(self.dialect, row, plan.kind, plan.bucket, str(ctx.timezone), offset_minutes(ctx))
            return row
        if plan.kind == "timestamp":
            return bucket_sql(self.dialect, literal_column(key), "timestamp", plan.bucket or "day", str(ctx.timezone),
                              offset_minutes(ctx))
        if "." in key and plan.kind in _JSON_PART:  # `customer.industry`'s first level, `customer.address`'s province
            return self._related_part(key, plan.kind)
        if "." in key:  # a related form's field (`customer.region`): the related record's value
            related = self.value(key)
            if plan.kind in ("date", "datetime") and plan.bucket:
                return bucket_sql(self.dialect, related, plan.kind, plan.bucket, str(ctx.timezone), offset_minutes(ctx))
            return related
        if key not in self.form.by_key:
            return literal_column(key)
        if plan.kind == "cascade":  # the first level (行业大类)
            return literal_column(f"(data -> '{key}' ->> 0)" if self.dialect == "postgresql"
                                  else f"json_extract(data, '$.{key}[0]')")
        if plan.kind == "province":  # an address's province (江苏省)
            return literal_column(f"(data -> '{key}' ->> 'province')" if self.dialect == "postgresql"
                                  else f"json_extract(data, '$.{key}.province')")
        raw = field_column(self.form.field(key), self.dialect).raw_expr()
        if plan.kind in ("date", "datetime") and plan.bucket:
            return bucket_sql(self.dialect, raw, plan.kind, plan.bucket, str(ctx.timezone), offset_minutes(ctx))
        return raw
