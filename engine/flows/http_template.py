"""The templates and answer paths of an HTTP step (`http_request`), pure: finding `{{…}}` placeholders in a
JSON template, filling them in one pass, and reading `response.body.Result.Number` out of an answer.

Two kinds of placeholder: `{{expression}}` over the flow's record (the engine evaluates them when the step
runs) and `{{$…}}` that only the runtime knows when it sends (`$secret.NAME` from the settings store,
`$token` of a login, `$timestamp` in ms, `$signature` of a login's `sign`). Filling is one pass over the
template: a value put in is never read again for placeholders, so a record's text cannot ask for a secret.
A string that is one placeholder alone becomes the value itself (a number stays a number); elsewhere the
value is written into the text. Escaping is the JSON encoder's: the template is JSON, not text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
RUNTIME = re.compile(r"^\$(secret\.[a-z][a-z0-9_]{0,49}|token|timestamp|signature)$")
"""The placeholders the runtime fills when it sends."""
PATH = re.compile(r"^(response|item)((\.[A-Za-z0-9_\-]+)|(\[\d+\]))*$")
"""`response.status`, `response.headers.x-total`, `response.cookies.NAME`, `response.body.data[0].code`;
`item.…` inside a list being stored."""
_STEP = re.compile(r"\.([A-Za-z0-9_\-]+)|\[(\d+)\]")


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON template, keys of objects included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from strings(v)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def placeholders(value: Any) -> list[str]:
    """The placeholders of a template, in order, each once."""
    found: dict[str, None] = {}
    for text in strings(value):
        for match in PLACEHOLDER.finditer(text):
            found[match.group(1)] = None
    return list(found)


def is_runtime(name: str) -> bool:
    """Whether a placeholder is one the runtime fills (`$…`)."""
    return name.startswith("$")


def secret_names(value: Any) -> list[str]:
    """The settings-store secrets a template names (`{{$secret.erp_password}}`)."""
    return [name.removeprefix("$secret.") for name in placeholders(value) if name.startswith("$secret.")]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "、".join(map(_text, value))
    return str(value)


def fill(value: Any, lookup: Callable[[str], Any], *, url: bool = False) -> Any:
    """The template with each placeholder replaced by `lookup(name)`, in one pass. `url`: values written into
    a text are percent-encoded (a URL's path or query)."""
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value.strip()) if not url else None
        if whole:
            return lookup(whole.group(1))

        def put(match: re.Match[str]) -> str:
            text = _text(lookup(match.group(1)))
            return quote(text, safe="") if url and not is_runtime(match.group(1)) else text
        return PLACEHOLDER.sub(put, value)
    if isinstance(value, dict):
        return {fill(k, lambda n: _text(lookup(n))): fill(v, lookup, url=url) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(item, lookup, url=url) for item in value]
    return value


def valid_path(text: str) -> bool:
    """Whether `text` is an answer path (`response.body.Result.Number`)."""
    return bool(PATH.match(text.strip()))


def pick(answer: dict[str, Any], text: str) -> Any:
    """The value at an answer path (None when any step is missing). `answer` holds `response` (status,
    headers, cookies, body) and, while storing a list, `item`."""
    text = text.strip()
    root = re.split(r"[.\[]", text, maxsplit=1)[0]
    current: Any = answer.get(root)
    tail = text[len(root):]
    for name, index in _STEP.findall(tail):
        if index:
            current = current[int(index)] if isinstance(current, list) and int(index) < len(current) else None
        elif isinstance(current, dict):
            current = current.get(name, current.get(name.lower()) if root == "response" else None)
        else:
            current = None
        if current is None:
            return None
    return current


def mapped(answer: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """Field → value for a mapping of answer paths; a value that is a JSON string literal (`"已同步"`) is itself."""
    values: dict[str, Any] = {}
    for key, text in mapping.items():
        text = text.strip()
        values[key] = text[1:-1] if text.startswith('"') and text.endswith('"') and len(text) >= 2 else pick(answer, text)
    return values


__all__ = ["PLACEHOLDER", "RUNTIME", "fill", "is_runtime", "mapped", "pick", "placeholders", "secret_names",
           "strings", "valid_path"]
