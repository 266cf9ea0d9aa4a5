"""A user's mobile number and e-mail address: checked when set, so notices have somewhere to go."""

from __future__ import annotations

import re

from engine.errors import BadQuery

# 11-digit mainland numbers (1[3-9]…, an optional +86), or any international number in E.164 form.
MOBILE_RE = re.compile(r"(\+86)?1[3-9]\d{9}|\+[1-9]\d{6,14}")
# One @, no blanks, a dot in the domain: what mail servers accept in practice, not all of RFC 5322.
EMAIL_RE = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")


def clean_mobile(value: str | None) -> str | None:
    """The number without spaces or dashes (None or "" clears it); 400 naming `mobile` when malformed."""
    if value is None or not value.strip():
        return None
    number = re.sub(r"[\s-]", "", value)
    if not MOBILE_RE.fullmatch(number):
        raise BadQuery(f"手机号 {value} 格式不正确", f"{value!r} is not a mobile number", field="mobile")
    return number


def clean_email(value: str | None) -> str | None:
    """The address trimmed (None or "" clears it); 400 naming `email` when malformed."""
    if value is None or not value.strip():
        return None
    address = value.strip()
    if len(address) > 254 or not EMAIL_RE.fullmatch(address):
        raise BadQuery(f"邮箱 {value} 格式不正确", f"{value!r} is not an e-mail address", field="email")
    return address


__all__ = ["clean_email", "clean_mobile"]
