"""The system fields (`id`, `owner`, `created_at` …) behave as their one definition says, wherever a field could
stand: in expressions, report dimensions and periods, and as keys no field may take."""

from __future__ import annotations

from typing import Any

import pytest

from engine.app_check import validate_app
from engine.expr.scope import form_scope
from engine.expr.typecheck import check
from engine.forms.model import FormDefinition
from engine.forms.system_fields import SYSTEM_FIELDS, SystemField
from engine.reports.dimensions import plan_dimension
from engine.reports.model import Dimension

FORM = FormDefinition.model_validate({"key": "ticket", "name": "工单", "fields": [
    {"key": "summary", "type": "text", "label": "概述"}]})
SYSTEM = list(SYSTEM_FIELDS.values())


def _app(**form: Any) -> dict[str, Any]:
    return {"key": "demo", "name": "演示", "forms": [{"key": "ticket", "name": "工单", **form}]}


@pytest.mark.parametrize("system", SYSTEM, ids=[f.key for f in SYSTEM])
def test_a_system_field_has_its_type_in_expressions(system: SystemField) -> None:
    assert check(system.key, form_scope(FORM)).type == system.expression_type


@pytest.mark.parametrize("system", SYSTEM, ids=[f.key for f in SYSTEM])
def test_a_system_field_groups_a_report_by_its_kind(system: SystemField) -> None:
    assert plan_dimension(Dimension(field=system.key), FORM, "widgets[0].dimensions[0]").kind == system.kind


@pytest.mark.parametrize("system", SYSTEM, ids=[f.key for f in SYSTEM])
def test_no_field_may_take_a_system_key(system: SystemField) -> None:
    issues = validate_app(_app(fields=[{"key": system.key, "type": "text", "label": "x"}]))
    assert [(i.path, i.code) for i in issues] == [("forms[0].fields[0].key", "reserved_key")]


@pytest.mark.parametrize("system", SYSTEM, ids=[f.key for f in SYSTEM])
def test_only_the_time_system_fields_can_be_a_report_period(system: SystemField) -> None:
    app = _app(fields=[{"key": "summary", "type": "text", "label": "概述"}]) | {"reports": [
        {"key": "board", "name": "看板", "widgets": [
            {"key": "count", "type": "kpi", "form": "ticket", "measures": [{"agg": "count"}],
             "period": {"field": system.key}}]}]}
    codes = [i.code for i in validate_app(app)]
    assert codes == ([] if system.storage == "timestamp" else ["not_a_date"])
