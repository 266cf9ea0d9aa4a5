"""boolean: yes or no, in the spellings Chinese spreadsheets use."""

from __future__ import annotations

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
PRIMARY = parse_field({"key": "is_primary", "type": "boolean", "label": "是否主联系人"})


@pytest.mark.parametrize(("given_", "stored"), [
    (True, True), (False, False), (1, True), (0, False), (1.0, True), ("1", True), ("0", False),
    ("true", True), ("FALSE", False), ("是", True), ("否", False), ("Yes", True), ("no", False),
    ("Y", True), ("n", False), ("√", True), ("×", False), (" 是 ", True),
], ids=repr)
def test_boolean_reads_chinese_and_spreadsheet_spellings(given_: object, stored: bool) -> None:
    assert PRIMARY.normalize(given_, CTX) is stored


@pytest.mark.parametrize("bad", ["是的", "maybe", 2, 0.5, ["是"]], ids=repr)
def test_boolean_refuses_anything_else(bad: object) -> None:
    with pytest.raises(FieldValueError, match="不是“是”或“否”"):
        PRIMARY.normalize(bad, CTX)


def test_boolean_cell_is_a_spreadsheet_boolean() -> None:
    assert PRIMARY.to_cell(True) is True and PRIMARY.storage_kind() == "bool"
    assert set(PRIMARY.filter_ops) == {"eq", "blank", "not_blank"}
