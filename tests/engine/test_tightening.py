"""Which constraints a new form definition adds or tightens, whether a stored value breaks one, and
which decisions each allows — without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from engine.errors import FieldValueError, ValidationFailed
from engine.forms.fields.base import ValueContext
from engine.forms.model import FormDefinition
from engine.forms.tightening import Decision, fill_value, parse_decisions, tightenings

CTX = ValueContext(datetime.now(UTC))
TRADE = [{"value": "制造业", "children": ["汽车零配件", "电子"]}, "服务业"]


def _form(*fields: dict[str, Any]) -> FormDefinition:
    return FormDefinition.model_validate({"key": "f", "name": "表", "fields": list(fields)})


def _found(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [(t.field.key, t.constraint, t.limit) for t in tightenings(_form(old), _form(new))]


@pytest.mark.parametrize(("old", "new", "found"), [
    ({"max_length": 10}, {"max_length": 3}, [("x", "max_length", 3)]),
    ({"max_length": 3}, {"max_length": 10}, []),  # looser: nothing to check
    ({}, {"required": True, "pattern": "[A-Z]+"}, [("x", "required", None), ("x", "pattern", "[A-Z]+")]),
    ({"required": True}, {"required": True}, []),
    ({}, {"unique": True}, [("x", "unique", None)]),
], ids=["tighter_max", "looser_max", "required_and_pattern", "already_required", "unique"])
def test_tightenings_of_a_text_field(old: dict[str, Any], new: dict[str, Any], found: list[Any]) -> None:
    text = {"key": "x", "type": "text", "label": "文本"}
    assert _found(text | old, text | new) == found


def test_a_removed_cascade_branch_breaks_the_paths_through_it() -> None:
    old = {"key": "trade", "type": "cascade", "label": "行业", "options": TRADE}
    new = old | {"options": [{"value": "制造业", "children": ["电子"]}, "服务业"]}
    [t] = tightenings(_form(old), _form(new))
    assert t.constraint == "options"
    assert t.breaks(["制造业", "汽车零配件"], CTX) and not t.breaks(["制造业", "电子"], CTX)


def test_a_stricter_sub_table_column_breaks_the_rows_that_break_it() -> None:
    rows = {"key": "lines", "type": "sub_table", "label": "明细", "fields": [{"key": "qty", "type": "number", "label": "数量"}]}
    stricter = rows | {"fields": [{"key": "qty", "type": "number", "label": "数量", "min": 1}]}
    [t] = tightenings(_form(rows), _form(stricter))
    assert t.constraint == "columns"
    assert t.breaks([{"qty": 0}], CTX) and not t.breaks([{"qty": 2}], CTX)


def test_each_constraint_is_probed_alone() -> None:
    old = {"key": "x", "type": "text", "label": "文本", "max_length": 10}
    new = old | {"max_length": 3, "pattern": "[a-z]+"}
    by = {t.constraint: t for t in tightenings(_form(old), _form(new))}
    assert by["max_length"].breaks("abcd", CTX) and not by["pattern"].breaks("abcd", CTX)
    assert by["pattern"].breaks("AB", CTX) and not by["max_length"].breaks("AB", CTX)


@pytest.mark.parametrize("bad", [
    {"action": "new_only", "constraint": "unique"},
    {"action": "new_only", "constraint": "type"},
    {"action": "fill", "constraint": "unique", "value": "x"},
    {"action": "fill", "constraint": "required"},  # neither value nor expression
    {"action": "fill", "constraint": "required", "value": "x", "expression": "1"},
    {"action": "new_only", "constraint": "required", "value": "x"},
    {"action": "drop", "constraint": "required"},
], ids=["unique_new_only", "type_new_only", "unique_fill", "fill_nothing", "fill_both", "new_only_value", "unknown"])
def test_decisions_that_cannot_be_carried_out_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as e:
        parse_decisions([{"form": "f", "field": "x"} | bad])
    assert e.value.issues[0].path.startswith("decisions[0]")


def test_a_fill_expression_reads_the_record_and_the_result_follows_the_new_rule() -> None:
    form = _form({"key": "name", "type": "text", "label": "名称", "max_length": 3})
    decision = Decision(form="f", field="name", constraint="max_length", action="fill", expression="LEFT(name, 3)")
    assert fill_value(form, decision, {"name": "一二三四五"}, CTX) == "一二三"
    too_long = Decision(form="f", field="name", constraint="max_length", action="fill", value="一二三四")
    with pytest.raises(FieldValueError):
        fill_value(form, too_long, {"name": "一二三四五"}, CTX)
