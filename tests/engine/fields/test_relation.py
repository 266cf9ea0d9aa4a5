"""relation: one record of another form (its id) or several (a sorted list of ids)."""

from __future__ import annotations

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
ONE = parse_field({"key": "customer", "type": "relation", "label": "客户", "target": "customer"})
MANY = parse_field({"key": "contacts", "type": "relation", "label": "联系人", "target": "contact", "multiple": True})


@pytest.mark.parametrize(("given_", "stored"), [(7, 7), ("12", 12), (" 12 ", 12), ({"id": 3, "title": "苏州恒瑞"}, 3)],
                         ids=str)
def test_relation_reads_ids_in_the_shapes_the_api_returns(given_: object, stored: int) -> None:
    assert ONE.normalize(given_, CTX) == stored


@pytest.mark.parametrize("bad", [0, -1, "x", True, 1.5, {"title": "甲"}, "12a"], ids=repr)
def test_relation_refuses_what_is_not_a_record_id(bad: object) -> None:
    with pytest.raises(FieldValueError, match="不是有效的记录编号"):
        ONE.normalize(bad, CTX)


@pytest.mark.parametrize(("given_", "stored"), [
    ([{"id": 9}, 3, "9"], [3, 9]),
    ("9，3, 12", [3, 9, 12]),  # a spreadsheet cell
    (5, [5]),
], ids=str)
def test_multiple_relation_is_a_sorted_list_without_repeats(given_: object, stored: list[int]) -> None:
    assert MANY.normalize(given_, CTX) == stored


def test_storage_and_operators_follow_multiple() -> None:
    assert (ONE.storage_kind(), ONE.is_sortable(), ONE.filter_ops) == ("integer", True, ("eq", "ne", "in", "blank",
                                                                                         "not_blank"))
    assert (MANY.storage_kind(), MANY.is_sortable(), MANY.filter_ops) == ("json", False, ("has", "blank", "not_blank"))


def test_relation_refers_to_the_records_it_names() -> None:
    assert ONE.refers_to == "record" and ONE.references(7) == [7] and MANY.references([3, 9]) == [3, 9]
    assert MANY.normalize(MANY.from_cell(MANY.to_cell([3, 9])), CTX) == [3, 9]
