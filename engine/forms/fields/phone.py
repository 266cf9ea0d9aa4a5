"""phone: one number, one value — "+86 138-0013-8000", "138 0013 8000" and "13800138000" are equal.

Mainland mobiles are stored as 11 digits, landlines as "0755-12345678[-ext]", other countries in
E.164 ("+14155552671"). Unique phone fields rely on this: the index compares stored text.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from engine.errors import FieldValueError
from engine.forms.fields.base import EQUALITY_OPS, TEXT_OPS, FieldType, ValueContext
from engine.forms.fields.palette import Palette
from engine.forms.masks import mask_phone

_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋（）－　", "0123456789+()- ")
_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_DASH_EXTENSION = re.compile(r"^(\(?0\d{2,3}\)?[\s-]?\d{3,4}[\s-]?\d{4})-(\d{1,6})$")  # 0755-12345678-123
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area codes: 010 and 02x are three digits, the rest four (0755, 0512 …).
_LANDLINE = re.compile(r"^(010|02\d|0[3-9]\d{2})(\d{7,8})$")


def normalize_phone(value: str, *, mobile_only: bool = False) -> str:
    """The canonical form of a typed phone number, or FieldValueError."""
    if len(value) == 11 and _MOBILE.match(value):  # already canonical: how most numbers arrive
        return value
    text = value.translate(_FULL_WIDTH).strip()
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension, text = match[1], text[: match.start()]
    elif not text.startswith(("+", "00")) and (match := _DASH_EXTENSION.match(text)):
        text, extension = match[1], match[2]
    international = text.startswith(("+", "00"))
    digits = re.sub(r"[\s\-().]", "", text).removeprefix("+")
    if international and digits.startswith("00"):
        digits = digits[2:]
    if not digits.isdigit():
        raise _invalid(value, mobile_only)
    if international and not digits.startswith("86"):
        if mobile_only or not 7 <= len(digits) <= 15 or extension:
            raise _invalid(value, mobile_only)
        return "+" + digits
    if international:
        digits = digits[2:]
        if not _MOBILE.match(digits):
            digits = "0" + digits  # +86 10 12345678 → 010 12345678
    if _MOBILE.match(digits) and not extension:
        return digits
    landline = _LANDLINE.match(digits)
    if landline and not mobile_only:
        return f"{landline[1]}-{landline[2]}" + (f"-{extension}" if extension else "")
    raise _invalid(value, mobile_only)


def _invalid(value: str, mobile_only: bool) -> FieldValueError:
    if mobile_only:
        return FieldValueError(f"“{value}”不是有效的手机号（11 位，以 1 开头）",
                               f"{value!r} is not a mainland mobile number (11 digits starting with 1)")
    return FieldValueError(f"“{value}”不是有效的电话号码（手机、带区号的座机，或以 + 开头的国际号码）",
                           f"{value!r} is not a phone number (mobile, landline with area code, or +country code)")


class PhoneField(FieldType):
    """A phone number; `kind: "mobile"` accepts mainland mobiles only."""

    type: Literal["phone"]
    kind: Literal["any", "mobile"] = "any"

    filter_ops = EQUALITY_OPS + TEXT_OPS
    encryptable = True
    palette = Palette("电话", "Phone", "contact", "☏")

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise FieldValueError("电话号码应为文本", "a phone number is text")
        return normalize_phone(value, mobile_only=self.kind == "mobile")

    def mask(self, value: Any) -> Any:
        return None if self.is_blank(value) else mask_phone(str(value))

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^(1[3-9]\d{9}|0\d{2,3}-\d{7,8}(-\d{1,6})?|\+\d{7,15})$"}
