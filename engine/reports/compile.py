"""Compiling a widget, the dashboard's filters and a row scope into one SQLAlchemy Select — no I/O.

The rows come from a ReportSource the runtime passes in: the primary database's records table (JSON
data) or the analytics mirror's typed table. Both speak the expression compiler's ColumnSource, so
widget filters and calculated measures compile through engine.expr.to_sql; the source adds the
form's live rows, the group-by value of a dimension, and comparisons against constants.

The row scope is the caller's (permissions: own / department / all): a boolean clause over the bare
system columns (`owner`, `department`, `created_by`), or a function of the source returning one."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Date, Select, String, and_, bindparam, or_, select, true, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause
from sqlalchemy.sql.sqltypes import NullType

from engine.app import AppDefinition
from engine.errors import BadQuery, FieldValueError, InvalidDefinition, Issue, UnsupportedQuery
from engine.expr.errors import ExpressionError
from engine.expr.evaluate import EvalContext
from engine.expr.nodes import BOOL, TEXT, FieldRef
from engine.expr.to_sql import ColumnSource, to_sql
from engine.expr.typecheck import Checked, check
from engine.forms.fields.base import FieldType, ValueContext
from engine.forms.system_fields import SYSTEM_FIELDS, TIME_FIELDS
from engine.reports.aggregates import report_aggregates, text_extreme_sql
from engine.reports.dimensions import DimensionPlan, plan_dimension, related_field
from engine.reports.grain import report_scope, sub_table_of
from engine.reports.measures import Leaf, MeasurePlan, plan_measure
from engine.reports.model import Widget

RowScope = ColumnElement[bool] | Callable[[Any], ColumnElement[bool]] | None


class ReportSource(ColumnSource, Protocol):
    """Where a widget's rows come from, and how their columns are spelled there."""

    dialect: str

    def rows(self) -> tuple[FromClause, list[ColumnElement[bool]]]:
        """The table and the conditions that keep the form's live records."""

    def group_value(self, plan: DimensionPlan, ctx: EvalContext) -> ColumnElement[Any]:
        """The value rows are grouped by: the stored value, a relation's id, a bucket's start text."""


@dataclass
class WidgetQuery:
    """A compiled widget: the grouped Select and what the runtime needs to shape its rows."""

    widget: Widget
    dialect: str
    dims: list[DimensionPlan]
    measures: list[MeasurePlan]
    leaves: list[Leaf]
    group_exprs: list[ColumnElement[Any]]
    leaf_exprs: list[ColumnElement[Any]]
    table: FromClause
    where: list[ColumnElement[bool]]
    ctx: EvalContext
    leaf_index: list[list[int]] = field(default_factory=list)  # per measure: positions of its leaves
    period: Callable[[str, date, date], list[ColumnElement[bool]]] | None = None
    """Conditions keeping the rows whose date field falls within two local days (inclusive): KPI periods."""
    steps: list[ColumnElement[bool]] = field(default_factory=list)
    """A funnel's `steps` as conditions, in order (a step without a filter: true)."""

    def select(self, dims: list[int] | None = None, extra: list[ColumnElement[bool]] | None = None) -> Select[*tuple[Any, ...]]:
        """SELECT the group values of `dims` (all by default) and every leaf, grouped by those dims."""
        keep = list(range(len(self.dims))) if dims is None else dims
        # Untyped results: the driver's own values (Decimals stay exact), normalised by engine.reports.shape.
        groups = [type_coerce(self.group_exprs[i], NullType()).label(f"_d{i}") for i in keep]
        leaves = [type_coerce(e, NullType()).label(f"_l{j}") for j, e in enumerate(self.leaf_exprs)]
        query = select(*groups, *leaves).select_from(self.table).where(*self.where, *(extra or []))
        return query.group_by(*[self.group_exprs[i] for i in keep]) if keep else query

    def point(self, values: list[Any]) -> list[ColumnElement[bool]]:
        """The conditions that select the rows behind one point (a row's dimension keys)."""
        if len(values) != len(self.dims):
            raise BadQuery(f"point 应有 {len(self.dims)} 个维度值", f"point must hold {len(self.dims)} dimension value(s)",
                           field="point")
        if self.dialect == "sqlite":  # its driver takes no Decimals; the group values are REALs there
            values = [float(v) if isinstance(v, Decimal) else v for v in values]
        return [g.is_(None) if v is None else g == v for g, v in zip(self.group_exprs, values, strict=True)]


def _checked_filter(text: str, app: AppDefinition, form_key: str, field_name: str, sub: str | None = None) -> Checked:
    try:
        return check(text, report_scope(app.form(form_key), app, sub), expect=BOOL)
    except ExpressionError as e:
        e.extra["field"] = field_name
        raise


def _compiled(checked: Checked, source: ReportSource, ctx: EvalContext, what: str) -> ColumnElement[Any]:
    if not checked.compiles_to(source.dialect):
        reasons = "、".join(checked.not_in_sql[source.dialect])
        raise UnsupportedQuery(f"{what}暂不能在 {source.dialect} 上执行：{reasons}",
                               f"{what} cannot run on {source.dialect}: {reasons}", field=what)
    return to_sql(checked, source.dialect, source, ctx)


def expression_clause(text: str, app: AppDefinition, form_key: str, source: ReportSource, ctx: EvalContext,
                      what: str) -> ColumnElement[Any]:
    """A boolean expression over the form (a row-scope condition, a widget filter) as SQL on `source`."""
    return _compiled(_checked_filter(text, app, form_key, what), source, ctx, what)


def _leaf_sql(leaf: Leaf, source: ReportSource, ctx: EvalContext) -> ColumnElement[Any]:
    agg = report_aggregates.get(leaf.name)
    if leaf.arg is None:
        return agg.sql(source.dialect, None)
    node = leaf.arg.node
    row_column = isinstance(node, FieldRef) and len(node.path) == 2 and node.path[0] == getattr(source, "sub", None)
    if agg.exact and source.dialect == "sqlite" and isinstance(node, FieldRef) and (len(node.path) == 1 or row_column):
        arg = source.value(".".join(node.path), exact=True)
    else:
        arg = _compiled(leaf.arg, source, ctx, "指标 / measure")
    if leaf.name in ("MIN", "MAX") and leaf.arg.type == TEXT:
        return text_extreme_sql(leaf.name, source.dialect, arg)
    return agg.sql(source.dialect, arg)


def plan_widget(widget: Widget, app: AppDefinition, path: str = "widget") -> tuple[list[DimensionPlan], list[MeasurePlan]]:
    """Dimensions and measures checked against the form (InvalidDefinition at their JSON paths)."""
    form = app.form(widget.form)
    scope = report_scope(form, app, sub_table_of(widget, form))
    dims = [plan_dimension(d, form, f"{path}.dimensions[{i}]", app) for i, d in enumerate(widget.dimensions)]
    measures = [plan_measure(m, form, scope, f"{path}.measures[{i}]", i, app) for i, m in enumerate(widget.measures)]
    return dims, measures


def widget_plan_issues(widget: Widget, app: AppDefinition, path: str) -> list[Issue]:
    """Every dimension and measure problem of a widget (plan_widget stops at the first)."""
    form = app.form(widget.form)
    try:
        scope = report_scope(form, app, sub_table_of(widget, form))
    except InvalidDefinition as e:
        return [Issue(f"{path}.dimensions", i.code, i.message, i.message_en) for i in e.issues]
    issues: list[Issue] = []
    for i, d in enumerate(widget.dimensions):
        try:
            plan_dimension(d, form, f"{path}.dimensions[{i}]", app)
        except InvalidDefinition as e:
            issues += e.issues
    for i, m in enumerate(widget.measures):
        try:
            plan_measure(m, form, scope, f"{path}.measures[{i}]", i, app)
        except InvalidDefinition as e:
            issues += e.issues
    return issues


def compile_widget(widget: Widget, app: AppDefinition, source: ReportSource, ctx: EvalContext, *,
                   filters: list[ColumnElement[bool]] | None = None, scope: RowScope = None) -> WidgetQuery:
    """The widget as one grouped query over `source`, with dashboard filter clauses and the row scope."""
    dims, measures = plan_widget(widget, app)
    leaves: list[Leaf] = []
    index: list[list[int]] = []
    for m in measures:
        positions = []
        for leaf in m.leaves:
            found = next((i for i, known in enumerate(leaves) if known.signature == leaf.signature), None)
            if found is None:
                leaves.append(leaf)
                found = len(leaves) - 1
            positions.append(found)
        index.append(positions)
    table, live = source.rows()
    where = list(live)
    sub = sub_table_of(widget, app.form(widget.form))
    if sub != getattr(source, "sub", None):  # the runtime builds the source at the widget's grain
        raise UnsupportedQuery("此数据源不能统计子表的行", "this source cannot run over sub_table rows", field="widget")
    if widget.filter:
        where.append(_compiled(_checked_filter(widget.filter, app, widget.form, "filter", sub), source, ctx,
                               "筛选 / filter"))
    where += filters or []
    if scope is not None:
        where.append(scope(source) if callable(scope) else scope)
    def period(key: str, start: date, end: date) -> list[ColumnElement[bool]]:
        return range_clauses(source, app, widget.form, key, start, end, ctx)

    steps = [true() if not step.filter else
             _compiled(_checked_filter(step.filter, app, widget.form, f"steps[{i}].filter", sub), source, ctx, "步骤 / step")
             for i, step in enumerate(widget.steps or [])]
    return WidgetQuery(widget, source.dialect, dims, measures, leaves,
                       [source.group_value(d, ctx) for d in dims], [_leaf_sql(leaf, source, ctx) for leaf in leaves],
                       table, where, ctx, index, period, steps)


def _local_midnight_utc(day: date, ctx: EvalContext) -> datetime:
    return datetime.combine(day, time(0), ctx.timezone).astimezone(UTC)


def range_clauses(source: ColumnSource, app: AppDefinition, form_key: str, key: str, start: date | None,
                  end: date | None, ctx: EvalContext) -> list[ColumnElement[bool]]:
    """`key` within the local days start..end (inclusive): dates as stored, datetimes as UTC instants."""
    form = app.form(form_key)
    kind = SYSTEM_FIELDS[key].kind if key in SYSTEM_FIELDS else str(form.field(key).expression_type())
    out: list[ColumnElement[bool]] = []
    for day, op in ((start, ">="), (end + timedelta(days=1) if end else None, "<")):
        if day is None:
            continue
        if kind == "date":
            value: Any = day.isoformat()
        elif kind == "datetime":
            value = _local_midnight_utc(day, ctx).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif kind == "timestamp":
            value = _local_midnight_utc(day, ctx)
        else:
            raise BadQuery(f"{key} 不是日期字段，不能按日期范围筛选", f"{key!r} is not a date field", field=key)
        clause = source.compare(key, op, value)
        if clause is None:
            raise UnsupportedQuery(f"{key} 不能比较", f"{key!r} cannot be compared", field=key)
        out.append(clause)
    return out


def _day(text: str, key: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise BadQuery(f"筛选 {key}：“{text}”不是日期（YYYY-MM-DD）", f"filter {key}: {text!r} is not a date (YYYY-MM-DD)",
                       field=key) from None


def related_filter_field(app: AppDefinition, form_key: str, key: str) -> FieldType | None:
    """The field a dashboard filter on `customer.region` reads through a single relation of the form (None
    when the form has no such path: the filter is for other widgets; a sub_table column is not a filter)."""
    through = related_field(app.form(form_key), app, key)
    return None if through is None or through[0].type == "sub_table" else through[1]


def _related_filter(source: ColumnSource, app: AppDefinition, form_key: str, key: str, raw: str,
                    ctx: EvalContext) -> list[ColumnElement[bool]]:
    """A dashboard filter on a related record's field, written as the expression a widget filter would be
    (`customer.region = "华东" OR …`), so both engines spell it alike; a date range compares the related
    value with the range's ends as each engine holds dates."""
    field_def = related_filter_field(app, form_key, key)
    if field_def is None:
        return []
    kind = str(field_def.expression_type())
    if kind in ("date", "datetime"):
        start, ranged, end = raw.partition("..")
        first, last = _day(start, key), (_day(end, key) if ranged else _day(start, key))
        value = source.value(key)  # ISO text (a DATE on the mirror); datetimes as UTC text with Z on both
        out: list[ColumnElement[bool]] = []
        for day, op in ((first, "__ge__"), (last + timedelta(days=1) if last else None, "__lt__")):
            if day is None:
                continue
            bound: Any = day if kind == "date" and getattr(source, "dialect", "") == "duckdb" else day.isoformat() if kind == "date" \
                else _local_midnight_utc(day, ctx).strftime("%Y-%m-%dT%H:%M:%SZ")
            out.append(getattr(value, op)(bindparam(None, bound, type_=Date() if isinstance(bound, date) else String())))
        return [and_(*out)] if out else []
    else:
        if not field_def.is_sortable() or kind not in ("text", "number", "bool"):
            raise BadQuery(f"“{field_def.label}”不能用作看板筛选", f"{key!r} cannot be a dashboard filter", field=key)
        options = []
        for part in [p for p in raw.split(",") if p.strip()]:
            try:
                value = field_def.normalize(part.strip(), ValueContext(ctx.now, ctx.timezone))
            except FieldValueError as e:
                raise BadQuery(f"筛选“{field_def.label}”：{e.message}", f"filter {key!r}: {e.message_en or e.message}",
                               field=key) from None
            literal = str(value) if kind == "number" else ("TRUE" if value else "FALSE") if kind == "bool" \
                else json.dumps(str(value), ensure_ascii=False)
            options.append(f"{key} = {literal}")
        parts = [f"({' OR '.join(options)})"] if options else []
    if not parts:
        return []
    return [expression_clause(" AND ".join(parts), app, form_key, source, ctx, key)]  # type: ignore[arg-type]


def filter_clauses(source: ColumnSource, app: AppDefinition, form_key: str, values: dict[str, str],
                   ctx: EvalContext) -> list[ColumnElement[bool]]:
    """Dashboard filters for one widget's form: `created_at=2026-01-01..2026-03-31` (dates, inclusive),
    `urgency=加急,特急` (any of the values), `customer.region=华东` (a related record's field). Keys the form
    lacks are skipped (they filter other widgets)."""
    form = app.form(form_key)
    out: list[ColumnElement[bool]] = []
    for key, raw in values.items():
        if "." in key:
            out += _related_filter(source, app, form_key, key, raw, ctx)
            continue
        if key not in form.by_key and key not in SYSTEM_FIELDS:
            continue
        field_def = form.by_key.get(key)
        kind = "timestamp" if field_def is None and key in TIME_FIELDS else \
            str(field_def.expression_type()) if field_def is not None else "text"
        if kind in ("date", "datetime", "timestamp"):
            start, ranged, end = raw.partition("..")
            first = _day(start, key)  # `from..` and `..to` leave a side open; a bare day is that one day
            out += range_clauses(source, app, form_key, key, first, _day(end, key) if ranged else first, ctx)
            continue
        if field_def is not None and not field_def.is_sortable():
            raise BadQuery(f"“{field_def.label}”不能用作看板筛选", f"{key!r} cannot be a dashboard filter", field=key)
        options = []
        for part in [p for p in raw.split(",") if p.strip()]:
            value: Any = part.strip()
            if field_def is not None:
                try:
                    value = field_def.normalize(value, ValueContext(ctx.now, ctx.timezone))
                except FieldValueError as e:
                    raise BadQuery(f"筛选“{field_def.label}”：{e.message}", f"filter {key!r}: {e.message_en or e.message}",
                                   field=key) from None
            try:
                clause = source.compare(key, "=", value)
            except (TypeError, ValueError, ArithmeticError):  # `?id=abc`: not a value of that column
                raise BadQuery(f"筛选 {key}：“{part}”不是有效的值", f"filter {key}: {part!r} is not a valid value",
                               field=key) from None
            if clause is None:
                raise UnsupportedQuery(f"{key} 不能比较", f"{key!r} cannot be compared", field=key)
            options.append(clause)
        if options:
            out.append(or_(*options) if len(options) > 1 else options[0])
    return [and_(*out)] if len(out) > 1 else out


__all__ = ["ReportSource", "WidgetQuery", "compile_widget", "plan_widget", "filter_clauses", "range_clauses", "RowScope",
           "expression_clause", "related_filter_field"]
