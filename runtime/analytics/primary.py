"""The primary database as a report source: a form's live records, fields read from the JSON data
with the same SQL spellings lists and indexes use (runtime/records/columns.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import literal_column
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from engine.app import AppDefinition
from engine.expr.evaluate import EvalContext
from engine.forms.model import FormDefinition
from engine.reports.dimensions import DimensionPlan, bucket_sql
from runtime.db.tables import live, records
from runtime.records.columns import field_column
from runtime.records.expressions import RecordColumns


def offset_minutes(ctx: EvalContext) -> int:
    """The zone's offset now, for SQLite (which knows no zones); China has no daylight saving."""
    return int((ctx.local_now.utcoffset() or timedelta(0)).total_seconds() // 60)


class PrimarySource(RecordColumns):
    """Rows of one form in the records table."""

    def __init__(self, form: FormDefinition, dialect: str, app: AppDefinition) -> None:
        super().__init__(form, dialect, app)

    def rows(self) -> tuple[FromClause, list[ColumnElement[bool]]]:
        return records, [records.c.app == self.app.key, records.c.form == self.form.key, live()]

    def group_value(self, plan: DimensionPlan, ctx: EvalContext) -> ColumnElement[Any]:
        key = plan.key
        if plan.kind == "timestamp":
            return bucket_sql(self.dialect, literal_column(key), "timestamp", plan.bucket or "day", str(ctx.timezone),
                              offset_minutes(ctx))
        if "." in key:  # a related form's field (`customer.industry`): the related record's value
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
