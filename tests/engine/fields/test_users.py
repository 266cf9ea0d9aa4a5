"""users: several people, in the order given, without repeats."""

from __future__ import annotations

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
TEAM = parse_field({"key": "collaborators", "type": "users", "label": "协作人"})


@pytest.mark.parametrize(("given_", "stored"), [
    ("li.na，wang.li, li.na", ["li.na", "wang.li"]),
    ("li.na、wang.li；zhang.wei", ["li.na", "wang.li", "zhang.wei"]),
    (["zhang.wei", {"username": "li.na"}, "zhang.wei"], ["zhang.wei", "li.na"]),
], ids=str)
def test_users_keep_order_and_drop_repeats(given_: object, stored: list[str]) -> None:
    assert TEAM.normalize(given_, CTX) == stored


@pytest.mark.parametrize("bad", [["王 丽"], 3, ["ok", 5]], ids=repr)
def test_users_refuse_anything_but_usernames(bad: object) -> None:
    with pytest.raises(FieldValueError):
        TEAM.normalize(bad, CTX)


def test_users_refer_to_each_user_and_read_back_from_a_cell() -> None:
    assert TEAM.references(["li.na", "wang.li"]) == ["li.na", "wang.li"]
    assert TEAM.normalize(TEAM.from_cell(TEAM.to_cell(["li.na", "wang.li"])), CTX) == ["li.na", "wang.li"]
    assert TEAM.storage_kind() == "json" and not TEAM.is_sortable()
