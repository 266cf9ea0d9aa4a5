"""Credentials inside definitions: what counts as one, and the same data with every one of them taken out.

A robot's webhook URL carries its credential in the query (`…/robot/send?access_token=…`, WeCom's
`…/webhook/send?key=…`), an outbound call may carry `Authorization` headers or `user:password@` in its
URL, and triggers and signed calls have `token` / `secret` options. Anyone who holds one can post as
the app, so every such value is a secret: shown only to those who manage the app.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

REDACTED = "***"
SECRET_NAMES = frozenset({
    "token", "secret", "password", "passwd", "pwd", "sign", "signature", "api_key", "apikey", "access_token",
    "accesstoken", "refresh_token", "client_secret", "private_key", "authorization", "auth", "credential",
    "credentials", "cookie", "session", "ticket", "x-api-key", "key", "app_secret", "appsecret", "webhook_key",
})
"""Names (of options, headers and URL query parameters) whose value is a credential."""
OPTION_EXCEPTIONS = frozenset({"key"})
"""Option names that are identifiers in definitions (every form, field and step has a `key`), not secrets;
in a URL's query or a header, `key` is a credential (WeCom robots)."""


def is_secret_name(name: str, *, option: bool = False) -> bool:
    """Whether a value under this name is a credential (`option`: a definition's own option name)."""
    folded = name.strip().lower().replace("-", "_")
    if option and folded in OPTION_EXCEPTIONS:
        return False
    return folded in SECRET_NAMES or folded.replace("_", "-") in SECRET_NAMES or folded.endswith(
        ("_token", "_secret", "_password"))


def redact_url(text: str) -> str:
    """A URL without its user:password and with credential query values replaced by `***`; other text as is."""
    if "://" not in text:
        return text
    try:
        parts = urlsplit(text)
    except ValueError:
        return REDACTED  # not even a URL a client could call: nothing in it is worth showing
    netloc = parts.netloc.rsplit("@", 1)[-1] if "@" in parts.netloc else parts.netloc
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        query = "&".join(f"{quote(k, safe='')}={REDACTED if is_secret_name(k) else quote(v, safe='')}"
                         for k, v in pairs)
    else:
        query = parts.query
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_target(url: str) -> str:
    """Where a call goes, for people who may read a timeline or a job log: scheme, host and path only —
    the query string (a robot's access token, a signature) and any user:password left out."""
    if "://" not in url:
        return url  # an e-mail address
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return REDACTED
    host = f"{parts.hostname or ''}:{port}" if port else parts.hostname or ""
    return urlunsplit((parts.scheme, host, parts.path, "…" if parts.query else "", ""))


def redact(value: Any) -> Any:
    """`value` (definition JSON) with every credential left out: secret-named options and headers
    dropped, URLs cleaned of userinfo and credential query values."""
    if isinstance(value, dict):
        kept: dict[Any, Any] = {}
        for name, item in value.items():
            if isinstance(name, str) and is_secret_name(name, option=True):
                continue
            if name == "headers" and isinstance(item, dict):
                kept[name] = {h: redact(v) for h, v in item.items() if not is_secret_name(str(h))}
            else:
                kept[name] = redact(item)
        return kept
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_url(value)
    return value


__all__ = ["REDACTED", "SECRET_NAMES", "is_secret_name", "redact", "redact_url", "url_target"]
