"""select: one value from a list of options, each optionally with a label and a colour."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from engine.errors import FieldValueError
from engine.forms.fields.base import EQUALITY_OPS, FieldType, ValueContext


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
            raise ValueError(f"duplicate option {option.value!r}")
        seen.add(option.value)
    return parsed


class Choices(FieldType):
    """Shared by select and multi_select: options and how an input names one of them."""

    options: list[str | Option]
    """Strings or {"value", "label", "color"}; read as Options (the schema admits both spellings)."""

    @field_validator("options")
    @classmethod
    def _options(cls, options: list[str | Option]) -> list[str | Option]:
        if not options:
            raise ValueError("options must be a non-empty list")
        return list(parse_options(options))

    def option_value(self, given: Any) -> str:
        """The option named by its value or its label (imports use labels), else FieldValueError."""
        if isinstance(given, str):
            text = given.strip()
            for option in self.options:
                if text == option.value or text == option.label:
                    return option.value
        valid = "、".join(o.value for o in self.options)
        raise FieldValueError(f"“{given}”不是可选项（可选：{valid}）", f"{given!r} is not an option ({valid})")

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label or option.value
        return value


class SelectField(Choices):
    """One option from a list (客户等级 A/B/C)."""

    type: Literal["select"]

    filter_ops = EQUALITY_OPS

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        return self.option_value(value)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": [o.value for o in self.options]}
