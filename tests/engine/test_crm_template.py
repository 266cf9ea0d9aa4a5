"""apps/crm_template.json: valid, Chinese-first, and holding what a CRM needs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.app import AppDefinition
from engine.app_check import parse_app, validate_app

TEMPLATE = json.loads((Path(__file__).resolve().parents[2] / "apps" / "crm_template.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def crm() -> AppDefinition:
    return parse_app(TEMPLATE)


def test_template_validates_without_issues() -> None:
    assert validate_app(TEMPLATE) == []


def test_every_form_has_a_chinese_name_a_title_field_and_labels(crm: AppDefinition) -> None:
    expected = {"customer", "contact", "lead", "opportunity", "followup", "product", "quote", "contract", "order",
                "payment", "ticket", "article", "campaign"}  # campaign: 市场活动, for CAC
    assert {f.key for f in crm.forms} == expected
    for form in crm.forms:
        assert any("\u4e00" <= c <= "\u9fff" for c in form.name), form.key
        assert form.title_field in form.by_key, form.key
        assert all(f.label and f.label_en for f in form.fields), form.key


def _field(crm: AppDefinition, form: str, key: str) -> Any:
    return crm.form(form).field(key)


def test_customer_essentials(crm: AppDefinition) -> None:
    assert _field(crm, "customer", "name").unique and _field(crm, "customer", "name").required
    assert _field(crm, "customer", "industry").type == "cascade"
    assert [o.value for o in _field(crm, "customer", "level").options] == ["A", "B", "C"]
    last = _field(crm, "customer", "last_followup_at")
    assert (last.type, last.agg, last.result, last.source.form) == ("rollup", "max", "datetime", "followup")
    assert _field(crm, "customer", "total_contract_amount").of == "amount"
    assert _field(crm, "contact", "customer_level").type == "lookup"
    assert _field(crm, "customer", "manager").type == "user"


def test_contact_mobile_is_a_unique_mainland_mobile(crm: AppDefinition) -> None:
    mobile = _field(crm, "contact", "mobile")
    assert (mobile.type, mobile.kind, mobile.unique) == ("phone", "mobile", True)


def test_quote_has_line_items_with_quantity_and_price(crm: AppDefinition) -> None:
    lines = _field(crm, "quote", "lines")
    assert lines.type == "sub_table"
    assert {"qty", "unit_price", "subtotal"} <= {f.key for f in lines.fields}


def test_relations_point_at_forms_of_the_app(crm: AppDefinition) -> None:
    targets = {(form.key, f.key): f.target for form in crm.forms for f in form.fields if f.type == "relation"}
    assert targets[("contact", "customer")] == "customer"
    assert targets[("opportunity", "customer")] == "customer"
    assert targets[("payment", "contract")] == "contract"
    assert set(targets.values()) <= {f.key for f in crm.forms}


def test_opportunity_stages_are_in_funnel_order(crm: AppDefinition) -> None:
    stages = [o.value for o in _field(crm, "opportunity", "stage").options]
    assert stages == ["初步接洽", "需求确认", "方案报价", "商务谈判", "赢单", "输单"]
