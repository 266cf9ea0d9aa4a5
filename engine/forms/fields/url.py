"""url: a web address (公司网址); http and https only, so a stored link is always safe to open."""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from engine.errors import FieldValueError
from engine.forms.fields.base import EQUALITY_OPS, TEXT_OPS, FieldType, ValueContext
from engine.forms.fields.palette import Palette

# A scheme is letters then ":" — but "example.cn:8080" is a host and port, so digits after ":" are not.
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)


class UrlField(FieldType):
    """A link; "www.example.cn" gets https://, other schemes (javascript:, data:, ftp:) are refused."""

    type: Literal["url"]

    filter_ops = EQUALITY_OPS + TEXT_OPS
    encryptable = True
    palette = Palette("网址", "URL", "contact", "↗")

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        text = value.strip() if isinstance(value, str) else ""
        if text and not _SCHEME.match(text):
            text = "https://" + text
        try:
            parts = urlsplit(text)
            host = parts.hostname or ""
        except ValueError:
            parts, host = None, ""
        valid_host = "." in host or host == "localhost"
        if parts is None or parts.scheme.lower() not in ("http", "https") or not valid_host or " " in text:
            raise FieldValueError(f"“{value}”不是有效的网址（http:// 或 https://）",
                                  f"{value!r} is not a web address (http:// or https://)")
        netloc = re.sub(re.escape(host), host, parts.netloc, count=1, flags=re.IGNORECASE)
        return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "uri", "pattern": "^https?://"}
