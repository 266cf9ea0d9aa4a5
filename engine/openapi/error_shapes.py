"""The error body of every 4xx and 503, as runtime/api/errors.py writes it, and the responses that use it."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message", "details"],
        "properties": {
            "code": {"type": "string", "description": "stable, for programs: validation_error, forbidden, not_found …"},
            "message": {"type": "string", "description": "for people: Chinese, or English with Accept-Language: en"},
            "details": {"type": "array", "items": {
                "type": "object", "required": ["code", "message"],
                "properties": {"path": {"type": "string", "description": "where: a field key, items[2].phone, lines[0].qty"},
                               "code": {"type": "string"}, "message": {"type": "string"}}}},
            "request_id": {"type": "string", "description": "the X-Request-ID of the request, for the server's logs"},
            "field": {"type": "string"}, "operation": {"type": "string"},
            "duplicates": {"type": "array", "items": {"type": "object"},
                           "description": "409 possible_duplicates: the records it likely duplicates"},
        },
        "description": "errors may carry more keys (limit, report, retry_after …); clients ignore what they do not know",
    }},
    "example": {"error": {"code": "validation_error", "message": "有 1 处错误", "request_id": "3f2a9c…",
                          "details": [{"path": "name", "code": "required", "message": "“客户名称”为必填项"}]}},
}

STATUSES = {
    400: ("BadRequest", "a bad query (an unknown field in a filter or sort, a malformed cursor or If-Match) or an unreadable file"),
    401: ("Unauthorized", "no valid bearer token or session"),
    403: ("Forbidden", "the caller lacks the right, or wrote a field they may only read (details name it)"),
    404: ("NotFound", "no such app, form or record, or one the caller may not see"),
    409: ("Conflict", "a unique field's value is taken, or the record likely duplicates others"),
    412: ("PreconditionFailed", "If-Match names a version that is no longer current"),
    413: ("TooLarge", "the body or the upload is over its limit"),
    422: ("Invalid", "the values do not fit the form: details list every failing field by its key"),
    423: ("Locked", "the record is locked by its approval flow"),
    429: ("TooManyRequests", "slow down"),
    503: ("Unavailable", "the database is busy or unreachable; retry after Retry-After"),
}


def error_responses() -> dict[str, Any]:
    """The `components.responses` of the errors, one per status."""
    return {name: {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for name, text in STATUSES.values()}


def errors(*statuses: int) -> dict[str, Any]:
    """An operation's error responses: these statuses, plus those any call may get (401, 429, 503)."""
    every = sorted({*statuses, 401, 429, 503})
    return {str(s): {"$ref": f"#/components/responses/{STATUSES[s][0]}"} for s in every}
