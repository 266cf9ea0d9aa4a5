"""Compiling widgets without a database: measures become leaf aggregates, dates become buckets, the
row scope and filters land in the one query, and calculated measures finish exactly in Python."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import literal_column, table
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

from engine.app_check import parse_app
from engine.expr.evaluate import EvalContext
from engine.expr.scope import form_scope
from engine.reports.compile import compile_widget, plan_widget
from engine.reports.dimensions import DimensionPlan, bucket_label, bucket_start, shift
from engine.reports.measures import plan_measure, quotient
from engine.reports.model import Measure, Widget
from tests.factories import shop

APP = parse_app(shop())
FORM = APP.form("customer")
CTX = EvalContext(now=datetime(2026, 11, 24, 2, 0, tzinfo=UTC))


class Columns:
    """A made-up source: one typed column per field (as in the mirror), over a table `t`."""

    dialect = "postgresql"

    def value(self, key: str, exact: bool = False) -> ColumnElement[Any]:
        return literal_column(f'"{key}"')

    def compare(self, key: str, op: str, value: Any) -> ColumnElement[bool] | None:
        return None

    def rows(self) -> tuple[Any, list[ColumnElement[bool]]]:
        return table("t"), [literal_column("live") == 1]

    def group_value(self, plan: DimensionPlan, ctx: EvalContext) -> ColumnElement[Any]:
        return literal_column(f'"{plan.key}"')


def _sql(widget: dict[str, Any], **kw: Any) -> str:
    query = compile_widget(Widget.model_validate({"key": "w", "form": "customer"} | widget), APP, Columns(), CTX, **kw)
    return str(query.select().compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def test_a_widget_is_one_grouped_select_with_the_row_scope_and_the_filter() -> None:
    sql = _sql({"type": "bar", "dimensions": [{"field": "region"}], "measures": [{"agg": "sum", "field": "amount"}],
                "filter": 'level = "A"'}, scope=literal_column("owner") == "zhang")
    assert sql.count("SELECT") == 1
    assert "sum(\"amount\")" in sql and "GROUP BY \"region\"" in sql
    assert "owner = 'zhang'" in sql and "live = 1" in sql and "'A'" in sql


def test_a_row_scope_may_be_a_function_of_the_source() -> None:
    sql = _sql({"type": "kpi", "measures": [{"agg": "count"}]}, scope=lambda source: source.value("owner") == "li")
    assert "\"owner\" = 'li'" in sql


def test_equal_aggregates_in_several_measures_are_computed_once() -> None:
    sql = _sql({"type": "kpi", "measures": [{"agg": "count"}, {"expr": "COUNTIF(level = \"A\") / COUNT()"},
                                            {"agg": "avg", "field": "amount"}, {"agg": "sum", "field": "amount"}]})
    assert sql.count("count(*)") == 1 and sql.count("sum(\"amount\")") == 1


@pytest.mark.parametrize(("measure", "leaves"), [
    ({"agg": "count"}, ["COUNT()"]),
    ({"agg": "count", "field": "since"}, ["COUNT_VALUES(since)"]),
    ({"agg": "avg", "field": "amount"}, ["SUM(amount)", "COUNT_VALUES(amount)"]),
    ({"expr": 'COUNTIF(level = "A") / COUNT()'}, ["COUNTIF((level='A'))", "COUNT()"]),
    ({"expr": "AVERAGE(amount * 2) + SUM(amount * 2)"}, ["SUM((amount*Decimal('2')))", "COUNT_VALUES((amount*Decimal('2')))"]),
], ids=lambda v: str(v))
def test_measures_plan_into_leaf_aggregates(measure: dict[str, Any], leaves: list[str]) -> None:
    plan = plan_measure(Measure.model_validate(measure), FORM, form_scope(FORM, APP), "m")
    assert [leaf.signature for leaf in plan.leaves] == leaves


@pytest.mark.parametrize(("measure", "unit"), [
    ({"agg": "count"}, "count"),
    ({"agg": "count_distinct", "field": "level"}, "count"),
    ({"agg": "sum", "field": "amount"}, "money"),  # a money field
    ({"agg": "avg", "field": "amount"}, "money"),
    ({"agg": "sum", "field": "amount", "format": "number"}, "number"),  # declared wins
    ({"expr": 'COUNTIF(level = "A")'}, "count"),
    ({"expr": 'COUNTIF(level = "A") / COUNT()'}, None),  # a ratio: say it (percent)
    ({"expr": 'AVERAGE(DATEDIF(since, TODAY(), "D"))'}, "days"),
    ({"expr": 'MAX(DATEDIF(since, TODAY(), "D"))'}, "days"),
    ({"expr": 'AVERAGE(DATEDIF(since, TODAY(), "M"))'}, None),  # months are not days
    ({"agg": "max", "field": "since"}, None),  # a date
], ids=lambda v: str(v))
def test_a_measure_takes_its_unit_from_its_field_or_its_aggregate_unless_declared(measure: dict[str, Any],
                                                                                    unit: str | None) -> None:
    assert plan_measure(Measure.model_validate(measure), FORM, form_scope(FORM, APP), "m").format == unit


CRM = parse_app(json.loads((Path(__file__).parents[3] / "apps" / "crm_template.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize(("field", "unit"), [
    ("total_contract_amount", "money"),  # a rollup sum of contract.amount, a money field
    ("followup_count", "count"),  # a rollup count
    ("weighted_pipeline", None),  # a rollup of a formula: its unit is not known
], ids=lambda v: str(v))
def test_a_rollup_measures_in_the_unit_of_the_field_it_reads(field: str, unit: str | None) -> None:
    widget = Widget.model_validate({"key": "w", "type": "kpi", "form": "customer", "measures": [{"agg": "sum", "field": field}]})
    assert plan_widget(widget, CRM)[1][0].format == unit


def test_calculated_measures_finish_with_exact_decimals() -> None:
    plan = plan_measure(Measure.model_validate({"expr": 'COUNTIF(level = "A") / COUNT()'}), FORM,
                        form_scope(FORM, APP), "m")
    assert plan.finish([1, 3], CTX) == Decimal("0.3333333333")
    assert plan.finish([0, 0], CTX) is None  # division by zero is blank, as in formulas
    assert quotient(Decimal("0.3"), 3) == Decimal("0.1") and quotient("x", 1) is None


@pytest.mark.parametrize(("bucket", "label", "start"), [
    ("day", "2026-03-05", date(2026, 3, 5)), ("week", "2026-W10", date(2026, 3, 2)),
    ("month", "2026-03", date(2026, 3, 1)), ("quarter", "2026-Q1", date(2026, 1, 1)), ("year", "2026", date(2026, 1, 1)),
])
def test_buckets_start_and_are_labelled(bucket: str, label: str, start: date) -> None:
    assert bucket_start(date(2026, 3, 5), bucket) == start
    assert bucket_label(start.isoformat(), bucket) == label


def test_periods_shift_across_year_ends() -> None:
    assert shift(date(2026, 1, 1), "month", -1) == date(2025, 12, 1)
    assert shift(date(2026, 1, 1), "quarter", -4) == date(2025, 1, 1)
    assert shift(date(2026, 3, 2), "week", -1) == date(2026, 2, 23)
