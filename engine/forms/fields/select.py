"""select and multi_select: values from a list of options, each optionally with a label and a colour."""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from engine.errors import FieldValueError
from engine.forms.fields.base import CONTAINER_OPS, EQUALITY_OPS, FieldType, ValueContext
from engine.forms.fields.palette import Palette
from engine.model_words import Refusal


class Option(BaseModel):
    """One choice: the stored `value`, a display `label` (defaults to the value) and a colour."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: str
    label: str | None = None
    color: str | None = None


def parse_options(options: list[str | Option]) -> list[Option]:
    """Options may be written as plain strings; duplicates are refused."""
    parsed = [Option(value=o) if isinstance(o, str) else o for o in options]
    seen: set[str] = set()
    for option in parsed:
        if option.value in seen:
            raise Refusal(f"选项 {option.value!r} 重复", f"duplicate option {option.value!r}")
        seen.add(option.value)
    return parsed


class Choices(FieldType):
    """Shared by select and multi_select: options and how an input names one of them."""

    if TYPE_CHECKING:  # the validator below reads every string as an Option
        options: list[Option]
    else:
        options: list[str | Option]
    """Strings or {"value", "label", "color"}; read as Options (the schema admits both spellings)."""

    @field_validator("options")
    @classmethod
    def _options(cls, options: list[str | Option]) -> list[str | Option]:
        if not options:
            raise Refusal("选项不能为空", "options must be a non-empty list")
        return list(parse_options(options))

    @cached_property
    def _by_name(self) -> dict[str, str]:
        names = {o.label: o.value for o in self.options if o.label}
        return names | {o.value: o.value for o in self.options}

    def option_value(self, given: Any) -> str:
        """The option named by its value or its label (imports use labels), else FieldValueError."""
        if isinstance(given, str):
            found = self._by_name.get(given) or self._by_name.get(given.strip())
            if found is not None:
                return found
        valid = "、".join(o.value for o in self.options)
        raise FieldValueError(f"“{given}”不是可选项（可选：{valid}）", f"{given!r} is not an option ({valid})")


class SelectField(Choices):
    """One option from a list (客户等级 A/B/C)."""

    type: Literal["select"]

    filter_ops = EQUALITY_OPS
    palette = Palette("单选", "Select", "choice", "◉", {"options": ["选项一", "选项二"]})

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        return self.option_value(value)

    def sort_order(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": [o.value for o in self.options]}


_SPLIT = re.compile(r"\s*[,，、;；]\s*")


class MultiSelectField(Choices):
    """Several options (决策链角色, 标签), stored in option order without repeats."""

    type: Literal["multi_select"]
    min_selected: int | None = Field(default=None, ge=0)
    max_selected: int | None = Field(default=None, ge=1)

    storage = "json"
    sortable = False
    value_type = "list[text]"
    filter_ops = CONTAINER_OPS
    palette = Palette("多选", "Multi-select", "choice", "☷", {"options": ["选项一", "选项二"]})

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        given = [p for p in _SPLIT.split(value.strip()) if p] if isinstance(value, str) else value
        if not isinstance(given, list | tuple):
            raise FieldValueError("应为选项列表", "expected a list of options")
        chosen = {self.option_value(g) for g in given}
        values = [o.value for o in self.options if o.value in chosen]
        if self.max_selected is not None and len(values) > self.max_selected:
            raise FieldValueError(f"最多选 {self.max_selected} 项", f"at most {self.max_selected} options")
        if self.min_selected is not None and len(values) < self.min_selected:
            raise FieldValueError(f"至少选 {self.min_selected} 项", f"at least {self.min_selected} options")
        return values

    def json_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string", "enum": [o.value for o in self.options]},
                "uniqueItems": True}

    def to_cell(self, value: Any) -> Any:
        return "，".join(value)
