"""text: one line of text, with optional length limits and a pattern."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator

from engine.errors import FieldValueError
from engine.forms.fields.base import EQUALITY_OPS, ORDER_OPS, TEXT_OPS, FieldType, ValueContext
from engine.forms.fields.palette import Palette
from engine.forms.masks import mask_text
from engine.model_words import Refusal


def as_text(value: Any) -> str:
    """Text input may arrive as a string or a number (a spreadsheet cell); anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise FieldValueError("应为文本", "expected text")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_length(text: str, low: int | None, high: int | None) -> None:
    """Refuse text shorter than `low` or longer than `high` characters (a Chinese character is one)."""
    if high is not None and len(text) > high:
        raise FieldValueError(f"最多 {high} 个字符（当前 {len(text)} 个）", f"at most {high} characters ({len(text)} given)")
    if low is not None and len(text) < low:
        raise FieldValueError(f"至少 {low} 个字符（当前 {len(text)} 个）", f"at least {low} characters ({len(text)} given)")


class TextField(FieldType):
    """A single line of text (客户名称)."""

    type: Literal["text"]
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    pattern: str | None = None
    pattern_message: str | None = None

    filter_ops = EQUALITY_OPS + ORDER_OPS + TEXT_OPS
    encryptable = True
    words = True
    palette = Palette("单行文本", "Text", "basic", "T")

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as e:
                raise Refusal(f"pattern 不是有效的正则表达式：{e}", f"pattern is not a valid regular expression: {e}") from None
        return pattern

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        text = as_text(value)
        check_length(text, self.min_length, self.max_length)
        if self.pattern and not re.fullmatch(self.pattern, text):
            raise FieldValueError(
                self.pattern_message or f"格式不符合要求（{self.pattern}）",
                f"does not match the pattern {self.pattern}",
            )
        return text


    def mask(self, value: Any) -> Any:
        return None if self.is_blank(value) else mask_text(str(value))

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        if self.min_length is not None:
            schema["minLength"] = self.min_length
        if self.pattern:
            schema["pattern"] = self.pattern
        return schema

    def from_cell(self, cell: Any) -> Any:
        return "" if cell is None else cell
