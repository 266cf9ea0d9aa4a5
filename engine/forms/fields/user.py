"""user: one person (负责人), stored by username; the runtime checks that the user exists."""

from __future__ import annotations

import re
from typing import Any, Literal

from engine.errors import FieldValueError
from engine.forms.fields.base import EQUALITY_OPS, FieldType, ValueContext
from engine.forms.fields.palette import Palette

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def username(value: Any) -> str:
    """A username given as text or as {"username": …}."""
    if isinstance(value, dict):
        value = value.get("username")
    if not isinstance(value, str) or not USERNAME.match(value.strip()):
        raise FieldValueError(f"“{value}”不是有效的用户名", f"{value!r} is not a username")
    return value.strip()


class UserField(FieldType):
    """One user."""

    type: Literal["user"]

    refers_to = "user"
    filter_ops = EQUALITY_OPS
    palette = Palette("成员", "User", "people", "☺")

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        return username(value)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": USERNAME.pattern}

    def references(self, value: Any) -> list[Any]:
        return [value]
