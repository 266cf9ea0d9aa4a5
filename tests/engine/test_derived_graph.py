"""The dependency graph of derived fields: cycles refused when the app is checked, naming the cycle at
a JSON path; a record's formulas computed after those they read; a rollup's `where` type-checked
against its source form."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from engine.app_check import parse_app, validate_app
from engine.forms.expressions import compute, counted
from engine.forms.fields.base import ValueContext

SALES: dict[str, Any] = {
    "key": "sales", "name": "销售", "forms": [
        {"key": "customer", "name": "客户", "fields": [
            {"key": "name", "type": "text", "label": "名称"},
            {"key": "weighted", "type": "rollup", "label": "加权金额",
             "source": {"form": "deal", "field": "customer"}, "agg": "sum", "of": "amount"},
        ]},
        {"key": "deal", "name": "商机", "fields": [
            {"key": "customer", "type": "relation", "label": "客户", "target": "customer"},
            {"key": "amount", "type": "number", "label": "金额"},
            {"key": "stage", "type": "select", "label": "阶段", "options": ["跟进", "赢单", "输单"]},
            {"key": "level", "type": "lookup", "label": "客户等级", "relation": "customer", "field": "weighted",
             "result": "number"},
        ]},
    ],
}
CTX = ValueContext(now=datetime(2026, 12, 5, tzinfo=UTC))


def _with(**changes: Any) -> dict[str, Any]:
    """SALES with the customer's rollup changed."""
    app = copy.deepcopy(SALES)
    app["forms"][0]["fields"][1].update(changes)
    return app


def test_a_rollup_over_a_lookup_of_itself_is_refused_naming_the_cycle() -> None:
    issues = validate_app(_with(of="level"))
    assert [(i.path, i.code) for i in issues] == [("forms[0].fields[1]", "derived_cycle")]
    assert "客户.加权金额 → 商机.客户等级 → 客户.加权金额" in issues[0].message
    assert "customer.weighted → deal.level → customer.weighted" in (issues[0].message_en or "")


def test_formulas_reading_each_other_are_refused() -> None:
    app = copy.deepcopy(SALES)
    app["forms"][1]["fields"] += [{"key": "a", "type": "formula", "label": "甲", "formula": "b + 1"},
                                  {"key": "b", "type": "formula", "label": "乙", "formula": "a + amount"}]
    issues = validate_app(app)
    assert [(i.path, i.code) for i in issues] == [("forms[1].fields[4]", "derived_cycle")]
    assert "商机.甲 → 商机.乙 → 商机.甲" in issues[0].message


def test_a_chain_without_a_cycle_is_accepted_and_ranked_in_reading_order() -> None:
    app = parse_app(SALES)
    rank = app.derived.rank
    assert rank[("deal", "amount")] < rank[("customer", "weighted")] < rank[("deal", "level")]
    assert [r.form for r in app.derived.read_through["customer"]] == ["deal"]
    assert [r.rollup.key for r in app.derived.rolled_up["deal"]] == ["weighted"]


def test_a_formula_reading_a_formula_below_it_gets_its_fresh_value() -> None:
    app = copy.deepcopy(SALES)
    app["forms"][1]["fields"] += [{"key": "double", "type": "formula", "label": "双倍", "formula": "plus * 2"},
                                  {"key": "plus", "type": "formula", "label": "加一", "formula": "amount + 1"}]
    deal = parse_app(app).form("deal")
    assert compute(deal, {"amount": 4}, CTX) == {"amount": 4, "plus": "5", "double": "10"}


@pytest.mark.parametrize(("where", "code"), [
    ("amount + 1", "invalid_expression"),  # a number, not a condition
    ("nothing > 1", "invalid_expression"),  # no such field on the source form
    ('customer.name = "甲"', "invalid_expression"),  # relations are not followed from a rollup
    ('created_by = "wang.li"', "unknown_field"),  # nor the record's own columns
], ids=["not-bool", "unknown-field", "relation-path", "system-column"])
def test_a_rollup_where_is_checked_against_its_source_form_at_its_path(where: str, code: str) -> None:
    issues = validate_app(_with(where=where))
    assert [(i.path, i.code) for i in issues] == [("forms[0].fields[1].where", code)]


def test_a_rollup_where_counts_only_records_for_which_it_is_true() -> None:
    app = parse_app(_with(where='stage != "输单"'))
    rollup, deal = app.form("customer").by_key["weighted"], app.form("deal")
    assert [counted(rollup, deal, {"stage": s}, CTX) for s in ("跟进", "输单")] == [True, False]  # type: ignore[arg-type]
    assert counted(rollup, deal, {}, CTX) is True  # type: ignore[arg-type]  # a blank stage is not 输单: != keeps blanks
