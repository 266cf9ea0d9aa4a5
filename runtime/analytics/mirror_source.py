"""The analytics mirror as a report source: one typed DuckDB table per form, holding live records only.

`value` keeps the expression compiler's meaning (datetimes as UTC text with Z, booleans as 1/0) so
filters written for the primary database select the same rows here; `group_value` reads the typed
columns directly (buckets on TIMESTAMP/DATE), which is what makes the mirror fast."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, Numeric, String, bindparam, cast, func, literal_column, select, table, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.selectable import FromClause
from sqlalchemy.types import Date, DateTime

from engine.app import AppDefinition
from engine.expr.evaluate import EvalContext
from engine.expr.to_sql import ORDERINGS
from engine.forms.model import FormDefinition
from engine.forms.system_fields import SYSTEM_FIELDS
from engine.reports.dimensions import DimensionPlan, bucket_sql
from runtime.analytics.columns import SYSTEM_TYPES, field_column, row_columns, row_table_name, table_name


@compiles(BindParameter, "duckdb")
def _exact_decimal(element: BindParameter[Any], compiler: Any, **kw: Any) -> str:
    """Decimal constants as DECIMAL literals: DuckDB would bind them as DOUBLE and compute inexactly.
    (The mirror engine has no statement cache, so an inlined constant is never reused for another.)"""
    value = element.value
    if isinstance(value, Decimal) and value.is_finite() and not element.expanding:
        sign, digits, exponent = value.as_tuple()
        scale = max(0, -int(exponent))
        width = min(38, max(len(digits), scale + 1) + max(0, int(exponent)))
        return f"CAST('{value}' AS DECIMAL({max(width, 1)}, {scale}))"
    return compiler.visit_bindparam(element, **kw)  # type: ignore[no-any-return]


_OPS = {"=": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}


def _col(name: str, alias: str = "") -> ColumnElement[Any]:
    return literal_column(f'{alias + "." if alias else ""}"{name}"')


class MirrorSource:
    """Rows of one form in its mirror table; with `sub`, the rows of that sub_table joined to their records
    (engine/reports/grain.py), its columns named `lines.qty`."""

    dialect = "duckdb"

    def __init__(self, form: FormDefinition, app: AppDefinition, sub: str | None = None) -> None:
        self.form, self.app, self.sub = form, app, sub
        self._row_types = {c.name: c.duck_type for c in row_columns(form, sub)[1:]} if sub is not None else {}

    def _type(self, key: str, form: FormDefinition | None = None) -> str:
        if form is None and key in self._row_types:
            return self._row_types[key]
        form = form or self.form
        if key in SYSTEM_FIELDS:
            return SYSTEM_TYPES[SYSTEM_FIELDS[key].storage]
        column = field_column(form.field(key))
        return column.duck_type if column else "VARCHAR"

    def _expression_value(self, expr: ColumnElement[Any], duck_type: str) -> ColumnElement[Any]:
        if duck_type == "TIMESTAMP":
            return func.strftime(expr, "%Y-%m-%dT%H:%M:%SZ")
        if duck_type == "BOOLEAN":
            return cast(expr, Integer)
        return expr

    def _through(self, key: str, typed: bool) -> ColumnElement[Any]:
        """`customer.level`: the related record's column, typed as stored (`typed`) or as expressions read it."""
        first, second = key.split(".", 1)
        target = self.app.form(getattr(self.form.field(first), "target"))  # noqa: B009 — the checker saw to it
        source, hop, alias = target, "", "t"
        if "." in second:  # two hops (`customer.parent.region`): through the middle record's relation column
            middle, second = second.split(".", 1)
            target = self.app.form(getattr(source.field(middle), "target"))  # noqa: B009
            hop, alias = f' JOIN "{table_name(self.app.key, target.key)}" AS t2 ON t2.id = t."{middle}"', "t2"
        inner = _col(second, alias) if typed else self._expression_value(_col(second, alias), self._type(second, target))
        sub = f'(SELECT {inner.compile(compile_kwargs={"literal_binds": True})} ' \
              f'FROM "{table_name(self.app.key, source.key)}" AS t{hop} ' \
              f'WHERE t.id = "{table_name(self.app.key, self.form.key)}"."{first}")'
        return literal_column(sub)

    def moment(self, key: str) -> ColumnElement[Any] | None:
        """A datetime column as the moment expressions mean (UTC, to the second; a TIMESTAMP without zone),
        without value()'s round trip through text: for a datetime's day (DATEDIF) formatting and parsing a
        million strings was most of a widget's time. None for what is not a TIMESTAMP column of the form."""
        if "." in key or key in self._row_types or self._type(key) != "TIMESTAMP":
            return None
        return func.date_trunc("second", _col(key))  # the mirror keeps UTC moments without a zone

    def value(self, key: str, exact: bool = False) -> ColumnElement[Any]:
        if key in self._row_types:
            return self._expression_value(_col(key), self._row_types[key])
        if "." in key:
            return self._through(key, typed=False)
        return self._expression_value(_col(key), self._type(key))

    def compare(self, key: str, op: str, value: Any) -> ColumnElement[bool] | None:
        if op not in _OPS or key in self._row_types:  # IN, ISBLANK: the plain SQL of a typed column is the index's
            return None  # own; a sub_table row's column: compared through value(), as on the primary database
        duck_type = self._type(key)
        if duck_type.endswith("[]") or (key not in SYSTEM_FIELDS and field_column(self.form.field(key)) is None):
            return None
        if duck_type == "VARCHAR" and op in ORDERINGS:
            return None  # text compares in Chinese order (to_sql, through tg_text_key), not by code point
        if op == "!=":  # a blank is not equal to the value (engine/expr/evaluate.py)
            return _col(key).is_distinct_from(_bind(value, duck_type))
        return getattr(_col(key), _OPS[op])(_bind(value, duck_type))  # type: ignore[no-any-return]

    def compare_through(self, relation: str, key: str, value: Any) -> ColumnElement[bool] | None:
        """`customer.level = "A"` as the records whose relation is among the related records with that value:
        one pass over the related table instead of a lookup per row (the lead funnel's 赢单 step at 1M).
        None where that is not the same test: a list of relations, a list or text-ordered column."""
        field = self.form.field(relation)
        target_key = getattr(field, "target", None)
        if target_key is None or getattr(field, "multiple", False):
            return None
        target = self.app.form(target_key)
        if key not in target.by_key or field_column(target.field(key)) is None:
            return None
        duck_type = self._type(key, target)
        if duck_type.endswith("[]") or duck_type == "BOOLEAN":
            return None
        related = table(table_name(self.app.key, target.key)).alias("related")
        matching = select(_col("id", "related")).select_from(related).where(_col(key, "related") == _bind(value, duck_type))
        return _col(relation).in_(matching.scalar_subquery())

    def rows(self) -> tuple[FromClause, list[ColumnElement[bool]]]:
        name = table_name(self.app.key, self.form.key)
        if self.sub is None:
            return table(name), []
        # The rows with their record's columns, named as the record table: every spelling of a field reads the same.
        picked = ", ".join(f'line."{c}"' for c in self._row_types)
        sql = (f'SELECT records.*, {picked} FROM "{row_table_name(self.app.key, self.form.key, self.sub)}" AS line '
               f'JOIN "{name}" AS records ON records.id = line.id')
        return text(sql).columns().subquery(name), []

    def group_value(self, plan: DimensionPlan, ctx: EvalContext) -> ColumnElement[Any]:
        if plan.key in self._row_types:
            column = _col(plan.key)
        else:
            column = self._through(plan.key, typed=True) if "." in plan.key else _col(plan.key)
        if plan.kind == "cascade":
            return func.list_extract(column, 1)
        if plan.kind == "province":  # addresses are mirrored as JSON text
            return func.json_extract_string(column, "$.province")
        if plan.kind in ("date", "datetime", "timestamp") and plan.bucket:
            kind = "date" if plan.kind == "date" else "datetime"
            return bucket_sql("duckdb", column, kind, plan.bucket, str(ctx.timezone), 0)
        return column


def _bind(value: Any, duck_type: str) -> Any:
    """A constant typed like the column (stored values: ISO dates, UTC text datetimes, decimal strings)."""
    if duck_type == "DATE":
        return bindparam(None, value if isinstance(value, date) else date.fromisoformat(str(value)[:10]), type_=Date())
    if duck_type == "TIMESTAMP":
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return bindparam(None, moment, type_=DateTime())
    if duck_type.startswith("DECIMAL") or duck_type in ("BIGINT", "INTEGER"):
        return bindparam(None, Decimal(str(value)), type_=Numeric())
    if duck_type == "BOOLEAN":
        return bindparam(None, bool(value))
    return bindparam(None, str(value), type_=String())
