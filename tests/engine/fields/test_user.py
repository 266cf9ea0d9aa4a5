"""user: one person, stored by username; the runtime checks the user exists."""

from __future__ import annotations

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
OWNER = parse_field({"key": "owner_user", "type": "user", "label": "负责人"})


@pytest.mark.parametrize(("given_", "stored"), [("wang.li", "wang.li"), (" li_na ", "li_na"),
                                               ({"username": "zhang-wei", "name": "张伟"}, "zhang-wei")], ids=str)
def test_user_is_stored_by_username(given_: object, stored: str) -> None:
    assert OWNER.normalize(given_, CTX) == stored


@pytest.mark.parametrize("bad", ["王丽", "wang li", ".hidden", 7, {"name": "张伟"}], ids=repr)
def test_user_refuses_what_is_not_a_username(bad: object) -> None:
    with pytest.raises(FieldValueError, match="不是有效的用户名"):
        OWNER.normalize(bad, CTX)


def test_user_names_the_user_it_refers_to() -> None:
    assert OWNER.refers_to == "user" and OWNER.references("wang.li") == ["wang.li"]
