"""Every operation of the API called with values generated from its OpenAPI schema (schemathesis): a
4xx for what is wrong, never a 500. App, form and record in a path are pinned to ones that exist, so
the calls get past the 404 to the code behind it; everything else is generated."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.factories import Maker

PINNED = {"app": "shop", "form": "customer", "record_id": 1}
SKIPPED = r"/auth/logout|/users/me/password"  # would sign the fuzzing out
EXAMPLES = settings(max_examples=50, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def test_no_operation_answers_a_500(app: Any, make: Maker) -> None:
    make.app_def()
    make.record("customer", {"name": "甲公司"})
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path_regex=SKIPPED)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60  # the whole API, not a schema that failed to load
    for operation in operations:
        @EXAMPLES
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            for name, value in PINNED.items():
                if case.path_parameters and name in case.path_parameters:
                    case.path_parameters[name] = value
            response = case.call(headers=make.admin)
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"

        call()
