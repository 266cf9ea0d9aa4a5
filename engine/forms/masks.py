"""Masks (脱敏): what a reader with `masked` access sees instead of a value — enough to recognise it
(138****5678, 张**, a****@x.com), never enough to use it. Each field type picks one in `FieldType.mask`."""

from __future__ import annotations

import re

MASK = "****"
"""The whole mask: numbers, money, dates, choices, relations, lists — nothing of the value is shown."""
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_ID_LIKE = re.compile(r"^[0-9A-Za-z]{12,}$")  # 身份证, 统一社会信用代码, bank and contract numbers
MAX_STARS = 3


def mask_text(text: str) -> str:
    """A name or any short text: its first character, then a few stars (张三丰 → 张**); ID-like codes
    keep their first 3 and last 4 characters (110101199003071234 → 110****1234)."""
    text = text.strip()
    if not text:
        return text
    if _ID_LIKE.match(text):
        return text[:3] + MASK + text[-4:]
    if len(text) == 1:
        return "*"
    return text[0] + "*" * min(len(text) - 1, MAX_STARS)


def mask_phone(phone: str) -> str:
    """A mainland mobile keeps its first 3 and last 4 digits (138****5678); any other number its last 4
    digits (0755-12345678-123 → ****5678, +14155552671 → ****2671)."""
    if _MOBILE.match(phone):
        return phone[:3] + MASK + phone[-4:]
    parts = phone.split("-")
    main = parts[1] if phone.startswith("0") and len(parts) > 1 else phone  # a landline without its extension
    digits = re.sub(r"\D", "", main)
    return MASK + digits[-4:] if len(digits) > 4 else MASK


def mask_email(email: str) -> str:
    """The first character of the name and the whole domain: alice@example.com → a****@example.com."""
    name, at, domain = email.partition("@")
    return (name[:1] + MASK + at + domain) if at else mask_text(email)


__all__ = ["MASK", "mask_email", "mask_phone", "mask_text"]
