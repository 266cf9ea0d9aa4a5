"""Inbound hook definitions and the payload mapping, without a database: paths into JSON (objects, arrays,
quoted keys), values computed over them, issues at the payload path, and the definition's checks."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from engine.app_check import validate_app
from engine.errors import ValidationFailed
from engine.expr.errors import ExpressionError
from engine.expr.evaluate import EvalContext
from engine.forms.model import FormDefinition
from engine.hooks.mapping import Payload, check_expression, map_payload, show_path
from tests.factories import shop

FORM = FormDefinition.model_validate(shop()["forms"][0])
CTX = EvalContext(datetime(2026, 12, 6, tzinfo=UTC))
ORDER = {"order": {"customer_name": "苏州恒瑞", "qty": 3, "price": 12.5, "lines": [{"sku": "A-1"}, {"sku": "B-2"}],
                   "Customer Code": "C-1"}}


@pytest.mark.parametrize(("text", "expected"), [
    ("payload.order.customer_name", "苏州恒瑞"),
    ("payload.order.lines[1].sku", "B-2"),
    ('payload.order["Customer Code"]', "C-1"),
    ("payload.order.qty * payload.order.price", 37.5),
    ('payload.order.customer_name & "（ERP）"', "苏州恒瑞（ERP）"),
    ("payload.order.missing", None),  # a path that leads nowhere is blank
    ("payload.order.lines[9].sku", None),
], ids=["object", "array-index", "quoted-key", "arithmetic", "concat", "missing", "index-beyond"])
def test_mapping_reads_paths_into_the_payload(text: str, expected: Any) -> None:
    assert map_payload({"note": text}, FORM, ORDER, CTX) == {"note": expected}


def test_numbers_in_the_payload_are_exact_decimals() -> None:
    assert Payload({"a": 0.1}).at(("payload", "a")) == Decimal("0.1")


def test_an_expression_that_cannot_be_computed_is_refused_at_its_mapping() -> None:
    with pytest.raises(ValidationFailed) as e:
        map_payload({"amount": "payload.order.customer_name * 2"}, FORM, ORDER, CTX)
    assert [i.path for i in e.value.issues] == ["mapping.amount"]


def test_a_bare_name_is_not_the_payload() -> None:
    with pytest.raises(ExpressionError):
        check_expression("order.customer_name", FORM)


def test_paths_are_shown_as_written() -> None:
    assert show_path(("payload", "order", "lines", "0", "Customer Code")) == 'payload.order.lines[0]["Customer Code"]'


def _hook(**changes: Any) -> dict[str, Any]:
    return {"key": "erp", "name": "ERP", "form": "customer", "mapping": {"name": "payload.name"}} | changes


@pytest.mark.parametrize(("hook", "path"), [
    (_hook(form="nope"), "hooks[0].form"),
    (_hook(mapping={"nope": "payload.x"}), "hooks[0].mapping.nope"),
    (_hook(mapping={"name": "payload.x +"}), "hooks[0].mapping.name"),
    (_hook(mode="upsert", upsert_key=["region"]), "hooks[0].upsert_key[0]"),  # not mapped: it could never match
    (_hook(mode="upsert"), "hooks[0]"),
    (_hook(mode="flow", flow="nope"), "hooks[0].flow"),
    (_hook(auth="basic"), "hooks[0].auth"),
], ids=["unknown-form", "unknown-field", "bad-expression", "unmapped-key", "upsert-without-key", "unknown-flow",
        "unknown-auth"])
def test_bad_hook_definitions_are_reported_at_their_path(hook: dict[str, Any], path: str) -> None:
    issues = validate_app(shop(hooks=[hook]))
    assert path in [i.path for i in issues], issues


def test_a_hook_may_not_start_a_flow_that_starts_by_itself() -> None:
    flow = {"key": "auto", "name": "自动", "form": "customer", "trigger": {"on": "create"}, "steps": []}
    issues = validate_app(shop(flows=[flow], hooks=[_hook(mode="flow", flow="auto")]))
    assert [(i.path, i.code) for i in issues] == [("hooks[0].flow", "not_startable")]


def test_two_hooks_with_one_key_are_refused() -> None:
    assert [i.path for i in validate_app(shop(hooks=[_hook(), _hook()]))] == ["hooks[1].key"]


def test_a_hook_may_not_take_the_url_of_a_webhook_flow() -> None:
    flow = {"key": "erp", "name": "外部", "form": "customer", "trigger": {"on": "webhook", "token": "t" * 16},
            "steps": []}
    assert [(i.path, i.code) for i in validate_app(shop(flows=[flow], hooks=[_hook()]))] == [
        ("hooks[0].key", "duplicate_key")]
