"""select: one option, stored by value; imports may name it by label."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
LEVEL = parse_field({"key": "level", "type": "select", "label": "客户等级",
                     "options": [{"value": "A", "label": "A类客户", "color": "#e00"}, "B", "C"]})


@pytest.mark.parametrize(("given_", "stored"), [("A", "A"), ("A类客户", "A"), (" B ", "B")], ids=str)
def test_select_accepts_the_value_or_the_label(given_: str, stored: str) -> None:
    assert LEVEL.normalize(given_, CTX) == stored


@pytest.mark.parametrize("bad", ["D", "a", 1], ids=repr)
def test_select_refuses_other_values_and_lists_the_valid_options(bad: object) -> None:
    with pytest.raises(FieldValueError, match="可选：A、B、C"):
        LEVEL.normalize(bad, CTX)


@pytest.mark.parametrize("options", [[], ["A", "A"], ["A", {"value": "A", "label": "甲"}]], ids=["empty", "dup", "dup-object"])
def test_select_refuses_empty_or_repeated_options(options: list[object]) -> None:
    with pytest.raises(ValidationError):
        parse_field({"key": "level", "type": "select", "label": "等级", "options": options})


def test_select_json_schema_is_the_enum_of_values() -> None:
    assert LEVEL.json_schema() == {"type": "string", "enum": ["A", "B", "C"]}
