"""An example value for a JSON Schema, for the per-app API document: valid against the schema where it can.

Read from the schema alone (its enum, format, pattern and bounds), so a new field type gets examples with no
code here. A pattern is met by the first of a few typical strings that matches it; none matching, the example
is left out rather than wrong (the docs test checks every example against its schema)."""

from __future__ import annotations

import re
from typing import Any

FORMATS = {"date": "2026-12-06", "date-time": "2026-12-06T09:30:00Z", "email": "zhang.san@example.com",
           "uri": "https://example.com/"}
CANDIDATES = ("示例", "0.15", "100", "sales", "13800138000", "example")
"""Typical strings tried against a pattern, in order: text, a fraction or an amount in cents, a whole
amount, a username or a department key, a mobile number, a plain word."""


class NoExample(Exception):
    """The schema asks for something these rules cannot make."""


def example(schema: dict[str, Any]) -> Any:
    """A value for `schema`, or NoExample."""
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return example(schema["anyOf"][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        low = schema.get("minimum", 1)
        return max(1, int(low)) if kind == "integer" else max(low, 1)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "array":
        return [example(schema.get("items", {"type": "string"}))]  # one item meets minItems 1 and uniqueItems
    if kind == "object":
        props: dict[str, Any] = schema.get("properties", {})
        return {k: example(v) for k, v in props.items() if not v.get("readOnly")}
    raise NoExample(str(schema))


def _string(schema: dict[str, Any]) -> str:
    text = FORMATS.get(schema.get("format", ""))
    pattern = schema.get("pattern")
    for candidate in ([text] if text else [*CANDIDATES]):
        if pattern is None or re.search(pattern, candidate):
            low, high = schema.get("minLength", 0), schema.get("maxLength", len(candidate))
            if low <= len(candidate) <= high:
                return candidate
    raise NoExample(str(schema))


def data_example(schema: dict[str, Any]) -> dict[str, Any]:
    """An example of a record's `data`: every writable property that has an example."""
    out: dict[str, Any] = {}
    for key, prop in schema.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        try:
            out[key] = example(prop)
        except NoExample:
            continue
    return out
