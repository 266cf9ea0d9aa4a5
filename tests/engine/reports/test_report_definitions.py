"""Report definitions are checked at save time: every problem at its JSON path, as for forms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.app_check import parse_app, validate_app
from engine.errors import InvalidDefinition
from engine.reports.widgets import widget_types
from tests.factories import shop

CRM = json.loads((Path(__file__).parents[3] / "apps" / "crm_template.json").read_text(encoding="utf-8"))


def _with(*widgets: dict[str, Any], filters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return shop(reports=[{"key": "board", "name": "看板", "filters": filters or [], "widgets": list(widgets)}])


def _bar(**changes: Any) -> dict[str, Any]:
    return {"key": "w", "type": "bar", "form": "customer", "dimensions": [{"field": "region"}],
            "measures": [{"agg": "count"}]} | changes


def _paths(definition: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i.path, i.code) for i in validate_app(definition)]


def test_a_valid_report_parses_into_typed_widgets() -> None:
    app = parse_app(_with(_bar(measures=[{"agg": "sum", "field": "amount"}, {"expr": "COUNTIF(level = \"A\") / COUNT()"}])))
    widget = app.report("board").widgets[0]
    assert widget.measures[0].field == "amount"
    assert widget.measures[1].expr is not None


@pytest.mark.parametrize(("widget", "path", "code"), [
    (_bar(dimensions=[{"field": "nope"}]), "reports[0].widgets[0].dimensions[0].field", "unknown_field"),
    (_bar(measures=[{"agg": "sum", "field": "name"}]), "reports[0].widgets[0].measures[0].field", "not_numeric"),
    (_bar(measures=[{"agg": "avg", "field": "missing"}]), "reports[0].widgets[0].measures[0].field", "unknown_field"),
    (_bar(measures=[{"expr": "SUM(amount) + region"}]), "reports[0].widgets[0].measures[0].expr", "invalid_expression"),
    (_bar(measures=[{"expr": "1 + 2"}]), "reports[0].widgets[0].measures[0].expr", "no_aggregate"),
    (_bar(measures=[{"expr": "COUNTIF(amount)"}]), "reports[0].widgets[0].measures[0].expr", "invalid_expression"),
    (_bar(measures=[{"expr": "SUM(regoin)"}]), "reports[0].widgets[0].measures[0].expr", "invalid_expression"),
    (_bar(type="radar"), "reports[0].widgets[0].type", "unknown_type"),
    (_bar(form="order"), "reports[0].widgets[0].form", "unknown_form"),
    (_bar(dimensions=[{"field": "region", "bucket": "month"}]), "reports[0].widgets[0].dimensions[0].bucket", "not_a_date"),
    (_bar(dimensions=[]), "reports[0].widgets[0].dimensions", "dimension_count"),
    (_bar(measures=[]), "reports[0].widgets[0].measures", "no_measure"),
    (_bar(filter="amount >"), "reports[0].widgets[0].filter", "invalid_expression"),
    (_bar(filter="amount + 1"), "reports[0].widgets[0].filter", "invalid_expression"),  # not a condition
    (_bar(sort="-total"), "reports[0].widgets[0].sort", "unknown_column"),
    (_bar(measures=[{"agg": "count"}, {"agg": "count"}]), "reports[0].widgets[0].measures", "duplicate_key"),
    (_bar(type="funnel"), "reports[0].widgets[0].dimensions[0].field", "not_a_select"),  # region is a select: see below
    (_bar(type="funnel", dimensions=[{"field": "name"}]), "reports[0].widgets[0].dimensions[0].field", "not_a_select"),
    (_bar(type="funnel", stages=["华东", "西藏"]), "reports[0].widgets[0].stages[1]", "unknown_option"),
    (_bar(type="kpi", dimensions=[], period={"field": "name"}), "reports[0].widgets[0].period.field", "not_a_date"),
    (_bar(type="pivot"), "reports[0].widgets[0].dimensions", "dimension_count"),
    (_bar(type="scatter"), "reports[0].widgets[0].measures", "too_few_measures"),
    (_bar(measures=[{"agg": "sum"}]), "reports[0].widgets[0].measures[0]", "value_error"),
    (_bar(measures=[{"agg": "count", "expr": "COUNT()"}]), "reports[0].widgets[0].measures[0]", "value_error"),
    (_bar(limit=0), "reports[0].widgets[0].limit", "greater_than_equal"),
], ids=lambda v: v if isinstance(v, str) and "." in v else None)
def test_a_broken_widget_is_refused_at_its_json_path(widget: dict[str, Any], path: str, code: str) -> None:
    issues = _paths(_with(widget))
    if code == "not_a_select" and widget["dimensions"][0]["field"] == "region":
        assert issues == []  # a select dimension is what a funnel needs
        return
    assert (path, code) in issues, issues


def test_every_problem_of_a_widget_is_listed_not_only_the_first() -> None:
    issues = _paths(_with(_bar(dimensions=[{"field": "nope"}], measures=[{"agg": "sum", "field": "name"}])))
    assert [p for p, _ in issues] == ["reports[0].widgets[0].dimensions[0].field", "reports[0].widgets[0].measures[0].field"]


def test_duplicate_widget_and_report_keys_and_unknown_dashboard_filters_are_refused() -> None:
    definition = _with(_bar(), _bar(), filters=[{"field": "colour"}])
    definition["reports"].append(definition["reports"][0])
    issues = _paths(definition)
    assert ("reports[0].widgets[1].key", "duplicate_key") in issues
    assert ("reports[1].key", "duplicate_key") in issues
    assert ("reports[0].filters[0].field", "unknown_field") in issues


def test_parse_app_raises_with_every_report_issue() -> None:
    with pytest.raises(InvalidDefinition) as e:
        parse_app(_with(_bar(type="radar"), _bar(key="x", dimensions=[{"field": "nope"}])))
    assert [i.path for i in e.value.issues] == ["reports[0].widgets[0].type", "reports[0].widgets[1].dimensions[0].field"]


def test_the_crm_template_dashboards_are_valid_and_cover_every_widget_type_the_seeds_ask_for() -> None:
    assert validate_app(CRM) == []
    app = parse_app(CRM)
    assert [r.name for r in app.reports] == ["销售驾驶舱", "销售漏斗", "线索来源分布", "销售排行", "客户画像", "服务工单", "客户流失"]
    used = {w.type for r in app.reports for w in r.widgets}
    assert used == {"kpi", "gauge", "line", "bar", "horizontal_bar", "funnel", "pivot", "pie", "table", "map"}


@pytest.mark.parametrize("kind", widget_types.all(), ids=lambda k: k.type)
def test_every_widget_type_is_documented(kind: Any) -> None:
    docs = (Path(__file__).parents[3] / "docs" / "reports.md").read_text(encoding="utf-8")
    assert f"`{kind.type}`" in docs
    assert type(kind).__doc__
