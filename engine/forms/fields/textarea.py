"""textarea: multi-line text (关键需求点, 备注)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from engine.forms.fields.base import EQUALITY_OPS, TEXT_OPS, FieldType, ValueContext
from engine.forms.fields.palette import Palette
from engine.forms.fields.text import as_text, check_length
from engine.forms.masks import mask_text


class TextareaField(FieldType):
    """Several lines of text; inner newlines are kept, the ends trimmed."""

    type: Literal["textarea"]
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)

    sortable = False
    words = True
    filter_ops = EQUALITY_OPS + TEXT_OPS
    encryptable = True
    palette = Palette("多行文本", "Long text", "basic", "¶")

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        text = as_text(value).replace("\r\n", "\n")
        check_length(text, self.min_length, self.max_length)
        return text

    def mask(self, value: Any) -> Any:
        return None if self.is_blank(value) else mask_text(str(value))

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        return schema

    def from_cell(self, cell: Any) -> Any:
        return "" if cell is None else cell
