"""multi_select: several options, stored in option order without repeats."""

from __future__ import annotations

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
ROLES = parse_field({"key": "roles", "type": "multi_select", "label": "决策链角色", "min_selected": 1,
                     "max_selected": 2, "options": ["决策者", {"value": "影响者", "label": "影响人"}, "使用者"]})


@pytest.mark.parametrize(("given_", "stored"), [
    ("使用者、决策者", ["决策者", "使用者"]),
    ("使用者，决策者；使用者", ["决策者", "使用者"]),
    ("影响人, 决策者", ["决策者", "影响者"]),  # by label
    (["使用者", "使用者"], ["使用者"]),
    ("决策者;使用者", ["决策者", "使用者"]),
], ids=str)
def test_multi_select_keeps_option_order_without_repeats(given_: object, stored: list[str]) -> None:
    assert ROLES.normalize(given_, CTX) == stored


def test_multi_select_counts_selected_options() -> None:
    with pytest.raises(FieldValueError, match="最多选 2 项"):
        ROLES.normalize(["决策者", "影响者", "使用者"], CTX)


@pytest.mark.parametrize("bad", ["采购", ["决策者", "老板"], 3], ids=repr)
def test_multi_select_refuses_unknown_options_and_non_lists(bad: object) -> None:
    with pytest.raises(FieldValueError):
        ROLES.normalize(bad, CTX)


def test_multi_select_cell_joins_with_a_chinese_comma_and_reads_back() -> None:
    cell = ROLES.to_cell(["决策者", "使用者"])
    assert cell == "决策者，使用者" and ROLES.normalize(ROLES.from_cell(cell), CTX) == ["决策者", "使用者"]
    assert ROLES.storage_kind() == "json" and not ROLES.is_sortable()
