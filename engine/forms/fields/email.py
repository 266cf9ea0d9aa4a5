"""email: an address, trimmed and lower-cased so that a unique email field compares like people do."""

from __future__ import annotations

import re
from typing import Any, Literal

from engine.errors import FieldValueError
from engine.forms.fields.base import EQUALITY_OPS, TEXT_OPS, FieldType, ValueContext
from engine.forms.fields.palette import Palette
from engine.forms.masks import mask_email

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


class EmailField(FieldType):
    """An e-mail address (full-width ＠ and ． are read as @ and .)."""

    type: Literal["email"]

    filter_ops = EQUALITY_OPS + TEXT_OPS
    encryptable = True
    palette = Palette("邮箱", "E-mail", "contact", "@")

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        text = str(value).translate(str.maketrans("＠．", "@.")).strip().lower() if isinstance(value, str) else None
        if not text or not _EMAIL.match(text) or len(text) > 254:
            raise FieldValueError(f"“{value}”不是有效的邮箱地址", f"{value!r} is not an e-mail address")
        return text

    def mask(self, value: Any) -> Any:
        return None if self.is_blank(value) else mask_email(str(value))

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "email", "maxLength": 254}
