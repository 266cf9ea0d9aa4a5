"""Schemathesis over an app's own typed document (issue 29), for the app with every field type: calls made
from the document's schemas get answers the document describes (status, content type, body schema), and
calls that break those schemas get a 4xx or a refusal, never a 500. The record in a path is pinned to one
that exists, so calls reach the code behind the 404."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import Maker
from tests.runtime.api.test_app_openapi import every_type_setup

EXAMPLES = settings(max_examples=25, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))
CONFORMS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def run(make: Maker, mode: GenerationMode) -> int:
    """Every operation of the document with generated calls; returns how many operations ran."""
    _, customer = every_type_setup(make)
    pinned = make.record("customer", customer, app="showcase")["id"]
    schema = schemathesis.openapi.from_asgi("/api/v1/apps/showcase/openapi.json", make.app, headers=make.admin)
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        @EXAMPLES
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case: Any) -> None:
            if case.path_parameters and "record_id" in case.path_parameters:
                case.path_parameters["record_id"] = pinned
            if mode is GenerationMode.POSITIVE:
                case.call_and_validate(headers=make.admin, checks=CONFORMS)
            else:
                response = case.call(headers=make.admin)
                assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"

        call()
    return len(operations)


def test_calls_made_from_the_document_get_answers_it_describes(make: Maker) -> None:
    assert run(make, GenerationMode.POSITIVE) == 2 * 8  # both forms: create, bulk, list, get, update, delete, import, export


def test_calls_that_break_the_document_get_no_500(make: Maker) -> None:
    assert run(make, GenerationMode.NEGATIVE) > 10
