"""delete_record in the engine: the effect it emits and the save-time checks of its `related` option."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from engine.app_check import parse_app, validate_app
from engine.flows import effects as fx
from engine.flows.events import Start
from engine.flows.machine import advance
from engine.flows.run import FlowContext
from engine.flows.state import FlowInstanceState
from engine.org import Org

NOW = datetime(2026, 12, 5, 2, tzinfo=UTC)


def _app(step: dict[str, Any]) -> dict[str, Any]:
    return {"format": "tangram/app@1", "key": "crm", "name": "客户管理", "version": "1.0.0",
            "forms": [
                {"key": "opportunity", "name": "商机", "title_field": "name", "fields": [
                    {"key": "name", "type": "text", "label": "名称"},
                    {"key": "stage", "type": "select", "label": "阶段", "options": ["谈判", "输单"]}]},
                {"key": "quote", "name": "报价单", "title_field": "code", "fields": [
                    {"key": "code", "type": "text", "label": "编号"},
                    {"key": "status", "type": "select", "label": "状态", "options": ["草稿", "已发送"]},
                    {"key": "opportunity", "type": "relation", "label": "商机", "target": "opportunity"},
                    {"key": "others", "type": "relation", "label": "其他商机", "target": "opportunity",
                     "multiple": True},
                    {"key": "sent_on", "type": "date", "label": "发送日期"}]}],
            "flows": [{"key": "lost", "name": "输单清理", "form": "opportunity",
                       "trigger": {"on": "update", "fields": ["stage"], "when": 'stage = "输单"'},
                       "steps": [step, {"type": "notify", "to": {"users": ["admin"]}, "message": "已清理"}]}]}


def _effects(step: dict[str, Any]) -> list[Any]:
    app = parse_app(_app(step))
    ctx = FlowContext({"name": "甲", "stage": "输单"}, Org(), app.form("opportunity"))
    outcome = advance(app.flows[0], FlowInstanceState(), Start("admin"), NOW, ctx)
    assert outcome.state.status == "completed"
    assert outcome.state.timeline[1].kind == "deleted"
    return [e for e in outcome.effects if not isinstance(e, fx.Notify | fx.Finished)]


def test_without_related_it_deletes_the_flows_own_record_and_goes_on() -> None:
    assert _effects({"type": "action", "action": "delete_record"}) == [fx.DeleteRecords("steps[0]")]


def test_with_related_it_names_the_form_the_relation_and_the_condition_for_the_runtime() -> None:
    step = {"type": "action", "action": "delete_record",
            "related": {"form": "quote", "field": "opportunity", "when": 'status = "草稿"'}}
    assert _effects(step) == [fx.DeleteRecords("steps[0]", "quote", "opportunity", 'status = "草稿"')]


BAD = [
    ("unknown form", {"form": "nope", "field": "opportunity"}, "related.form", "unknown_form"),
    ("not a field", {"form": "quote", "field": "ghost"}, "related.field", "unknown_relation"),
    ("not a relation", {"form": "quote", "field": "code"}, "related.field", "unknown_relation"),
    ("a multiple relation", {"form": "quote", "field": "others"}, "related.field", "unknown_relation"),
    # the condition is over the related form: `stage` is the opportunity's, not the quote's
    ("field of the wrong form", {"form": "quote", "field": "opportunity", "when": 'stage = "输单"'}, "related.when",
     "invalid_expression"),
    ("not a condition", {"form": "quote", "field": "opportunity", "when": "code"}, "related.when", "invalid_expression"),
    # DATEADD does not run in SQL yet, and the related records are chosen by one query
    ("not in the database", {"form": "quote", "field": "opportunity", "when": 'DATEADD(sent_on, 1, "D") > TODAY()'},
     "related.when", "not_in_database"),
]


@pytest.mark.parametrize(("case", "related", "path", "code"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_related_option_is_reported_at_its_path(case: str, related: dict[str, Any], path: str,
                                                      code: str) -> None:
    issues = validate_app(_app({"type": "action", "action": "delete_record", "related": related}))
    assert [(i.path, i.code) for i in issues] == [(f"flows[0].steps[0].{path}", code)]


def test_what_the_model_refuses_is_reported_at_the_steps_own_option_path() -> None:
    """Not under the union's two tags (`….action.delete_record.purge`): the designer puts it on the panel's field."""
    issues = validate_app(_app({"type": "action", "action": "delete_record", "purge": True}))
    assert [(i.path, i.code) for i in issues] == [("flows[0].steps[0].purge", "extra_forbidden")]
    issues = validate_app(_app({"type": "action", "action": "delete_record", "related": {"form": "", "field": ""}}))
    assert [i.path for i in issues] == ["flows[0].steps[0].related.form", "flows[0].steps[0].related.field"]
