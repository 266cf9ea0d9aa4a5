"""What a flow reads through relations, from its definition alone: every expression and message template on
its form, only the paths the language follows, once per definition."""

from __future__ import annotations

from typing import Any

import pytest

from engine.app_check import parse_app
from engine.flows import reads
from engine.flows.reads import relation_paths
from engine.flows.validate import check_flow


def _app(trigger: dict[str, Any], *steps: dict[str, Any]) -> Any:
    return parse_app(
        {
            "format": "tangram/app@1",
            "key": "crm",
            "name": "客户管理",
            "version": "1.0.0",
            "forms": [
                {
                    "key": "deal",
                    "name": "商机",
                    "title_field": "name",
                    "fields": [
                        {"key": "name", "type": "text", "label": "名称"},
                        {"key": "customer", "type": "relation", "label": "客户", "target": "customer"},
                        {
                            "key": "owners",
                            "type": "relation",
                            "label": "客户们",
                            "target": "customer",
                            "multiple": True,
                        },
                        {
                            "key": "lines",
                            "type": "sub_table",
                            "label": "明细",
                            "fields": [{"key": "qty", "type": "number", "label": "数量"}],
                        },
                    ],
                },
                {
                    "key": "customer",
                    "name": "客户",
                    "title_field": "name",
                    "fields": [
                        {"key": "name", "type": "text", "label": "名称"},
                        {"key": "level", "type": "select", "label": "等级", "options": ["A", "B"]},
                        {"key": "region", "type": "text", "label": "区域"},
                    ],
                },
            ],
            "flows": [
                {"key": "f", "name": "流程", "form": "deal", "trigger": trigger, "steps": list(steps)},
                {
                    "key": "g",
                    "name": "另一个",
                    "form": "deal",
                    "trigger": {"on": "submit"},
                    "steps": [{"type": "action", "action": "update_record", "set": {"name": "customer.region"}}],
                },
            ],
        }
    )


def test_conditions_mappings_and_templates_all_count() -> None:
    app = _app(
        {"on": "update", "when": 'customer.level = "A"'},
        {
            "type": "condition",
            "branches": [
                {
                    "when": 'customer.region = "华东"',
                    "steps": [
                        {"type": "notify", "to": {"users": ["admin"]}, "title": "{customer.name}", "message": "{name}"}
                    ],
                },
                {
                    "default": True,
                    "steps": [
                        {
                            "type": "action",
                            "action": "task",
                            "to": {"users": ["admin"]},
                            "task": {"name": "跟进{customer.name}"},
                        }
                    ],
                },
            ],
        },
    )
    assert relation_paths(app, app.flow("f")) == {"customer": frozenset({"level", "region", "name"})}


def test_several_flows_merge_and_nothing_is_read_when_nothing_is_named() -> None:
    app = _app({"on": "submit"})
    assert relation_paths(app, app.flow("f")) == {}
    assert relation_paths(app, app.flow("f"), app.flow("g")) == {"customer": frozenset({"region"})}


def test_a_template_naming_what_the_language_does_not_follow_loads_nothing() -> None:
    # a sub_table column, a multiple relation, an unknown field, a path through two relations
    message = "{lines.qty}{owners.name}{customer.nothing}{customer.owner.name}"
    app = _app({"on": "submit"}, {"type": "notify", "to": {"users": ["admin"]}, "message": message})
    assert relation_paths(app, app.flow("f")) == {}


def test_the_paths_are_worked_out_once_per_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app({"on": "submit", "when": 'customer.level = "A"'})
    checks: list[str] = []
    monkeypatch.setattr(reads, "check_flow", lambda *a: checks.append("x") or check_flow(*a))
    for _ in range(3):
        assert relation_paths(app, app.flow("f")) == {"customer": frozenset({"level"})}
    assert checks == ["x"]
