"""users: several people (协作人), stored as a list of usernames."""

from __future__ import annotations

import re
from typing import Any, Literal

from engine.errors import FieldValueError
from engine.forms.fields.base import CONTAINER_OPS, FieldType, ValueContext
from engine.forms.fields.palette import Palette
from engine.forms.fields.user import USERNAME, username


class UsersField(FieldType):
    """Users in the order given, without repeats; text input is split on commas."""

    type: Literal["users"]

    storage = "json"
    value_type = "list[text]"
    sortable = False
    refers_to = "user"
    filter_ops = CONTAINER_OPS
    palette = Palette("多个成员", "Users", "people", "☻")

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        items = [p for p in re.split(r"\s*[,，、;；]\s*", value.strip()) if p] if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise FieldValueError("应为用户名列表", "expected a list of usernames")
        return list(dict.fromkeys(username(i) for i in items))

    def json_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string", "pattern": USERNAME.pattern}, "uniqueItems": True}

    def references(self, value: Any) -> list[Any]:
        return list(value)

    def to_cell(self, value: Any) -> Any:
        return ",".join(value)
