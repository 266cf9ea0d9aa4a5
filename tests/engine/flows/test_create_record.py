"""create_record in the engine: the effect it emits (with `match` and `link`, and the id of a record made earlier
in the same transition passed on as a `Created` marker) and the save-time checks of those options."""

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


def _app(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"format": "tangram/app@1", "key": "crm", "name": "客户管理", "version": "1.0.0",
            "forms": [
                {"key": "lead", "name": "线索", "title_field": "company", "fields": [
                    {"key": "company", "type": "text", "label": "公司"},
                    {"key": "customer", "type": "relation", "label": "客户", "target": "customer"},
                    {"key": "deal", "type": "relation", "label": "商机", "target": "deal"},
                    {"key": "other", "type": "relation", "label": "另一线索", "target": "lead"}]},
                {"key": "customer", "name": "客户", "title_field": "name", "fields": [
                    {"key": "name", "type": "text", "label": "名称"},
                    {"key": "tags", "type": "multi_select", "label": "标签", "options": ["甲", "乙"]}]},
                {"key": "deal", "name": "商机", "title_field": "name", "fields": [
                    {"key": "name", "type": "text", "label": "名称"},
                    {"key": "customer", "type": "relation", "label": "客户", "target": "customer"}]}],
            "flows": [{"key": "convert", "name": "转化", "form": "lead", "trigger": {"on": "button", "label": "转化"},
                       "steps": list(steps)}]}


CUSTOMER = {"type": "action", "action": "create_record", "form": "customer", "values": {"name": "company"},
            "match": {"name": "company"}, "link": "customer"}
DEAL = {"type": "action", "action": "create_record", "form": "deal",
        "values": {"name": 'company & " 商机"', "customer": "customer"}, "link": "deal"}


def _effects(*steps: dict[str, Any], record: dict[str, Any] | None = None) -> list[Any]:
    app = parse_app(_app(*steps))
    ctx = FlowContext(record or {"company": "甲公司"}, Org(), app.form("lead"))
    outcome = advance(app.flows[0], FlowInstanceState(), Start("admin"), NOW, ctx)
    assert outcome.state.status == "completed"
    return [e for e in outcome.effects if not isinstance(e, fx.Finished)]


def test_match_and_link_travel_with_the_effect() -> None:
    assert _effects(CUSTOMER) == [fx.CreateRecord("customer", {"name": "甲公司"}, "steps[0]", {"name": "甲公司"},
                                                  "customer")]


def test_match_duplicates_travels_with_the_effect_and_is_logged_as_linking_or_creating() -> None:
    app = _app({**CUSTOMER, "match": {}, "match_duplicates": True})
    app["forms"][1]["duplicate_rules"] = [{"key": "similar", "name": "名称相近",
                                           "fields": [{"field": "name", "match": "company"}]}]
    assert validate_app(app) == []
    ctx = FlowContext({"company": "甲公司"}, Org(), parse_app(app).form("lead"))
    outcome = advance(parse_app(app).flows[0], FlowInstanceState(), Start("admin"), NOW, ctx)
    [made] = [e for e in outcome.effects if isinstance(e, fx.CreateRecord)]
    assert (made.match, made.match_duplicates) == ({}, True)
    assert "关联或新建" in " ".join(e.message for e in outcome.state.timeline)


def test_the_timeline_names_the_target_form_and_the_updated_fields_or_a_key_when_the_form_is_unknown() -> None:
    app = parse_app(_app(CUSTOMER, DEAL, {"type": "action", "action": "update_record", "set": {"company": "company"}}))
    said = []
    for forms in (app.forms_by_key, {}):
        ctx = FlowContext({"company": "甲"}, Org(), app.form("lead"), forms=forms)
        outcome = advance(app.flows[0], FlowInstanceState(), Start("admin"), NOW, ctx)
        said.append([(e.message, e.message_en) for e in outcome.state.timeline if e.kind in ("created", "updated")])
    assert said[0] == [("在“客户”中关联或新建记录", "matching or creating a 客户 record"),
                       ("在“商机”中新建记录", "creating a 商机 record"), ("更新记录：公司", "updated 公司")]
    assert said[1][0] == ("在“customer”中关联或新建记录", "matching or creating a customer record")


def test_a_field_linked_earlier_in_the_transition_passes_on_the_record_made_there() -> None:
    _, deal = _effects(CUSTOMER, DEAL)
    assert deal.values == {"name": "甲公司 商机", "customer": fx.Created("steps[0]")}


def test_without_an_earlier_link_the_records_own_value_is_copied() -> None:
    [deal] = _effects(DEAL, record={"company": "甲公司", "customer": 7})
    assert deal.values == {"name": "甲公司 商机", "customer": 7}


BAD = [
    ("link not a field", {"link": "ghost"}, "link", "unknown_field"),
    ("link not a relation", {"link": "company"}, "link", "wrong_field_type"),
    ("link to another form", {"link": "other"}, "link", "unknown_relation"),
    ("match on no field", {"match": {"ghost": "company"}}, "match.ghost", "unknown_field"),
    ("match on a list field", {"match": {"tags": "company"}}, "match.tags", "wrong_field_type"),
    ("match not an expression", {"match": {"name": "company &"}}, "match.name", "invalid_expression"),
    ("duplicates of a form without rules", {"match_duplicates": True}, "match_duplicates", "no_duplicate_rules"),
]


@pytest.mark.parametrize(("case", "change", "path", "code"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_match_or_link_is_reported_at_its_path(case: str, change: dict[str, Any], path: str, code: str) -> None:
    issues = validate_app(_app({**CUSTOMER, **change}))
    assert [(i.path, i.code) for i in issues] == [(f"flows[0].steps[0].{path}", code)]
