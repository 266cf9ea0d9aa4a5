"""Input bounds in the engine: the limits it is given (never read from the environment) hold for every
value before its type does any work, and every refusal names the field and the limit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from engine.errors import ValidationFailed
from engine.forms.fields.base import ValueContext
from engine.forms.model import FormDefinition
from engine.forms.validate import normalize_values
from engine.limits import Limits

FORM = FormDefinition.model_validate({"key": "f", "name": "表单", "fields": [
    {"key": "title", "type": "text", "label": "标题", "max_length": 500},
    {"key": "body", "type": "textarea", "label": "正文"},
    {"key": "mail", "type": "email", "label": "邮箱"},
    {"key": "tags", "type": "multi_select", "label": "标签", "options": ["a", "b", "c", "d"]},
    {"key": "amount", "type": "money", "label": "金额"},
    {"key": "qty", "type": "number", "label": "数量"},
    {"key": "lines", "type": "sub_table", "label": "明细", "fields": [
        {"key": "part", "type": "text", "label": "配件"},
        {"key": "note", "type": "textarea", "label": "说明"}]},
]})
SMALL = ValueContext(datetime.now(UTC), limits=Limits(text_chars=10, textarea_chars=40, sub_table_rows=2, multi_values=3, value_depth=4))


def _issues(values: dict[str, Any], ctx: ValueContext = SMALL) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        normalize_values(FORM, values, ctx)
    return [(i.path, i.code) for i in caught.value.issues]


@pytest.mark.parametrize(("values", "expected"), [
    ({"title": "x" * 11}, [("title", "too_long")]),  # the server's 10 is below the field's max_length 500
    ({"mail": "a" * 20 + "@x.cn"}, [("mail", "too_long")]),  # every one-line type, not only text
    ({"body": "x" * 41}, [("body", "too_long")]),
    ({"tags": ["a", "b", "c", "d"]}, [("tags", "too_many_items")]),
    ({"lines": [{"part": "a"}] * 3}, [("lines", "too_many_items")]),
    ({"lines": [{"part": "a"}, {"part": "x" * 11}]}, [("lines[1].part", "too_long")]),
    ({"lines": [{"note": "x" * 41}]}, [("lines[0].note", "too_long")]),
    ({"lines": [{"part": [[[[["a"]]]]]}]}, [("lines[0].part", "too_deep")]),
    ({"tags": [[[[["a"]]]]]}, [("tags", "too_deep")]),
    ({"title": "ab\ud800"}, [("title", "invalid_character")]),
    ({"lines": [{"part": "\udfff"}]}, [("lines[0].part", "invalid_character")]),
    ({"lines": [{"x" * 11: 1}]}, [("lines", "too_long")]),  # an unknown key is echoed in the issue: bounded too
], ids=["text-ceiling", "email", "textarea", "multi-select", "sub-table-rows", "sub-table-cell", "sub-table-textarea",
        "nesting-in-cell", "nesting", "surrogate", "surrogate-in-cell", "long-key"])
def test_a_value_over_a_limit_is_refused_naming_its_path(values: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert _issues(values) == expected


@pytest.mark.parametrize("values", [{"amount": "1e999999999"}, {"amount": "-5E+100000"}, {"qty": "-1e-999999"},
                                    {"qty": 10**40}, {"qty": "1." + "0" * 70 + "1"}, {"amount": "NaN"},
                                    {"qty": float("inf")}, {"qty": "sNaN"}],
                         ids=["huge-exponent", "negative-huge", "tiny-exponent", "big-int", "many-digits", "nan",
                              "infinity", "signalling-nan"])
def test_a_number_beyond_what_is_stored_exactly_is_refused_not_an_exception(values: dict[str, Any]) -> None:
    assert _issues(values, ValueContext(datetime.now(UTC))) == [(next(iter(values)), "invalid_value")]


def test_the_message_names_the_limit_in_both_languages() -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalize_values(FORM, {"body": "x" * 41}, SMALL)
    issue = caught.value.issues[0]
    assert issue.message == "文本过长：最多 40 个字符（当前 41 个）"
    assert issue.message_en == "text too long: at most 40 characters (41 given)"


def test_values_at_the_limits_are_taken() -> None:
    data = normalize_values(FORM, {"title": "x" * 10, "body": "y" * 40, "tags": ["a", "b", "c"],
                                   "lines": [{"part": "p" * 10, "note": "n" * 40}] * 2}, SMALL)
    assert len(data["lines"]) == 2
    numbers = normalize_values(FORM, {"amount": "9" * 28, "qty": "0." + "0" * 20 + "1"}, ValueContext(datetime.now(UTC)))
    assert numbers["amount"] == "9" * 28 + ".00"


def test_a_fields_own_max_length_still_holds_below_the_servers_limit() -> None:
    assert _issues({"title": "x" * 501}, ValueContext(datetime.now(UTC))) == [("title", "invalid_value")]
    assert normalize_values(FORM, {"title": "x" * 500}, ValueContext(datetime.now(UTC)))["title"] == "x" * 500


def test_a_surrogate_pair_is_one_character_and_taken() -> None:
    assert normalize_values(FORM, {"title": "笑😀"}, SMALL)["title"] == "笑😀"


def test_the_work_on_an_oversized_list_stops_at_the_limit() -> None:
    # a million rows are refused by their count: no row is normalised
    assert _issues({"lines": [{"part": object()}] * 1_000_000}) == [("lines", "too_many_items")]
