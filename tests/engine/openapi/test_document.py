"""The per-app OpenAPI document, built without a database: every field type has a schema in it, the caller's
sight decides what is absent, read-only or masked, and the examples fit their schemas."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_31

from engine.app_check import parse_app
from engine.forms.fields import field_types
from engine.limits import DEFAULT
from engine.openapi.document import app_document
from engine.openapi.examples import NoExample, data_example, example
from engine.openapi.sight import OPERATIONS, FormSight
from tests.every_field_type import every_type_app

APP = parse_app(every_type_app())


def full_sight(form_key: str, **access: Any) -> FormSight:
    form = APP.form(form_key)
    fields = tuple((k, access.get(k, "edit")) for k in form.field_keys if access.get(k) != "hidden")
    return FormSight(form, fields, frozenset(OPERATIONS))


def build(*sights: FormSight) -> dict[str, Any]:
    return app_document(APP, 3, list(sights), DEFAULT, 500)


def test_the_app_under_test_has_every_registered_field_type() -> None:
    types = {f.type for form in APP.forms for f in form.fields}
    assert types == set(field_types.keys())


def test_every_field_type_gets_a_valid_schema_in_a_valid_document() -> None:
    doc = build(full_sight("industry"), full_sight("customer"))
    jsonschema.Draft202012Validator(OPENAPI_31).validate(doc)
    schemas = doc["components"]["schemas"]
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schemas["customer.Data"]["properties"]) == set(APP.form("customer").field_keys)
    computed = {f.key for f in APP.form("customer").fields if f.computed}
    assert computed and computed.isdisjoint(schemas["customer.Create"]["properties"])
    assert all(schemas["customer.Data"]["properties"][k]["readOnly"] for k in computed)
    assert schemas["customer.Data"]["properties"]["sector_name"]["anyOf"][0]["type"] == "string"  # its source's shape
    assert doc["info"]["version"] == "1.0.0 (#3)"


def test_hidden_fields_are_absent_read_and_masked_ones_read_only() -> None:
    doc = build(full_sight("customer", phone="hidden", revenue="read", email="masked"))
    text = json.dumps(doc, ensure_ascii=False)
    assert '"phone"' not in text
    data, create = (doc["components"]["schemas"][f"customer.{n}"] for n in ("Data", "Create"))
    assert data["properties"]["revenue"]["readOnly"] and "revenue" not in create["properties"]
    assert data["properties"]["email"]["type"] == "string" and "format" not in data["properties"]["email"]
    assert "email" not in create["properties"]


@pytest.mark.parametrize(("operations", "methods"), [
    ({"read"}, {"get"}),
    ({"read", "create"}, {"get", "post"}),
    ({"create"}, {"post"}),  # create without read: the create answers the record, nothing lists
], ids=["read", "read+create", "create"])
def test_only_the_operations_the_caller_holds_are_listed(operations: set[str], methods: set[str]) -> None:
    form = APP.form("industry")
    doc = build(FormSight(form, tuple((k, "edit") for k in form.field_keys), frozenset(operations)))
    assert set(doc["paths"]["/api/v1/apps/showcase/forms/industry/records"]) == methods
    assert ("/api/v1/apps/showcase/forms/industry/records/export" in doc["paths"]) is False


def test_examples_fit_their_schemas_and_patterns_no_rule_meets_are_left_out() -> None:
    doc = build(full_sight("customer"))
    create = doc["components"]["schemas"]["customer.Create"]
    [sample] = create["examples"]
    jsonschema.Draft202012Validator(create, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(sample)
    assert sample["phone"] == "13800138000" and sample["level"] == "A" and sample["trade"] == ["制造业"]
    with pytest.raises(NoExample):
        example({"type": "string", "pattern": "^Z{3}$"})
    assert data_example({"properties": {"odd": {"type": "string", "pattern": "^Z{3}$"}, "n": {"type": "integer"}}}) == {"n": 1}
