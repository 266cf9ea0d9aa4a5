"""The published JSON Schema of the definition format, generated from the pydantic models."""

from __future__ import annotations

import json
from typing import Any

from engine.app import AppDefinition

SCHEMA_ID = "https://tangram.invalid/schemas/app.schema.json"


def app_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of an app definition, as validators and editors read it."""
    schema = AppDefinition.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "Tangram app definition (tangram/app@1)", **schema}


def app_json_schema_text() -> str:
    """The schema file's exact text: stable key order, Chinese kept readable, final newline."""
    return json.dumps(app_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
