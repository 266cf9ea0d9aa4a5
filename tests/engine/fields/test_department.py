"""department: an organisation unit, stored by its key."""

from __future__ import annotations

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
DEPT = parse_field({"key": "dept", "type": "department", "label": "所属部门"})


@pytest.mark.parametrize(("given_", "stored"), [("sales_east", "sales_east"), (" hq ", "hq"),
                                               ({"key": "sales_east", "name": "华东销售部"}, "sales_east")], ids=str)
def test_department_is_stored_by_key(given_: object, stored: str) -> None:
    assert DEPT.normalize(given_, CTX) == stored


@pytest.mark.parametrize("bad", ["华东销售部", "Sales East", 3], ids=repr)
def test_department_refuses_names_instead_of_keys(bad: object) -> None:
    with pytest.raises(FieldValueError, match="不是有效的部门编码"):
        DEPT.normalize(bad, CTX)


def test_department_names_the_department_it_refers_to() -> None:
    assert DEPT.refers_to == "department" and DEPT.references("hq") == ["hq"]
