"""schemas/app.schema.json is generated from the models and kept current."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from engine.schema import app_json_schema, app_json_schema_text
from tests.factories import shop

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "app.schema.json"


def test_published_schema_is_current() -> None:
    # Regenerate with: .venv/bin/tangram app schema -o schemas/app.schema.json
    assert SCHEMA_FILE.read_text(encoding="utf-8") == app_json_schema_text()


def test_schema_is_valid_and_accepts_a_good_definition_and_refuses_a_bad_one() -> None:
    schema = app_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(shop())) == []
    bad = shop()
    bad["forms"][0]["fields"][0]["max_length"] = "long"
    assert list(validator.iter_errors(bad))



def test_crm_template_validates_against_the_schema() -> None:
    template = json.loads((SCHEMA_FILE.parents[1] / "apps" / "crm_template.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(app_json_schema()).iter_errors(template)) == []
