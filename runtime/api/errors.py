"""The one mapping from errors to HTTP: `{"error": {"code", "message", "details", "request_id"}}`, by exception MRO."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine import errors as e
from runtime.api.request_log import REQUEST_ID
from runtime.db.db import busy, lock_wait_ended

log = logging.getLogger("tangram")

STATUS: dict[type[e.EngineError], int] = {
    e.BadQuery: 400,
    e.UnknownType: 400,
    e.Unauthorized: 401,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.Conflict: 409,
    e.Gone: 410,
    e.VersionMismatch: 412,
    e.RecordLocked: 423,
    e.InvalidDefinition: 422,
    e.ValidationFailed: 422,
    e.FileOverLimit: 422,
    e.UploadTooLarge: 413,
    e.FieldValueError: 422,
    e.TooManyAttempts: 429,
    e.Busy: 503,
    e.EncryptionKeyMissing: 503,
}


class ErrorResponse(JSONResponse):
    """An error's JSON; text the client sent that UTF-8 cannot encode (an unpaired surrogate, echoed
    in a message or a path) is written as its JSON escape rather than failing the answer."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def status_of(error: e.EngineError) -> int:
    """The status of the nearest class in the error's MRO that has one."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def language(request: Request) -> str:
    """English when the client asks for it first; Chinese otherwise."""
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else "zh"


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The error shape; during a request it carries the request's id (X-Request-ID) for the logs."""
    body: dict[str, Any] = {"code": code, "message": message, "details": details or []}
    if (rid := REQUEST_ID.get()) is not None:
        body["request_id"] = rid
    return {"error": body}


def too_large_body(limit: int, zh: bool) -> dict[str, Any]:
    """A 413's body: the error naming the limit, `limit` in bytes, and `body` as the place of the problem."""
    size = f"{limit / (1 << 20):g} MB"
    message = f"请求体超过上限 {size}（{limit} 字节）" if zh else f"the request body is over the limit of {size} ({limit} bytes)"
    body = error_body("payload_too_large", message, [{"path": "body", "code": "too_large", "message": message}])
    body["error"]["limit"] = limit
    return body


async def engine_error_response(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.EngineError)
    lang = language(request)
    message = exc.message_en if lang == "en" and exc.message_en else exc.message
    details = [i.as_dict(lang) for i in exc.issues]
    body = error_body(exc.code, message, details)
    body["error"].update({k: v for k, v in exc.extra.items() if isinstance(v, str | int | float | bool)})
    if isinstance(exc.extra.get("report"), list):  # a refused publish: what stored records break (JSON data)
        body["error"]["report"] = exc.extra["report"]
    if isinstance(exc.extra.get("duplicates"), list):  # a refused write: the records it likely duplicates
        body["error"]["duplicates"] = exc.extra["duplicates"]
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, e.Unauthorized) else None
    if isinstance(exc.extra.get("retry_after"), int):
        headers = {"Retry-After": str(exc.extra["retry_after"])}
    return ErrorResponse(body, status_code=status_of(exc), headers=headers)


async def _request_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        details.append({"path": ".".join(loc), "code": err.get("type", "invalid"), "message": err.get("msg", "")})
    message = "请求格式不正确" if language(request) == "zh" else "the request is malformed"
    return ErrorResponse(error_body("bad_request", message, details), status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    limit = getattr(exc, "limit", None)
    if limit is not None:  # a body that crossed its limit while it was read (api/body_limit.py)
        return ErrorResponse(too_large_body(limit, language(request) == "zh"), status_code=413,
                            headers={"Connection": "close"})
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 400: "bad_request"}
    return ErrorResponse(error_body(codes.get(exc.status_code, "http_error"), str(exc.detail)),
                        status_code=exc.status_code, headers=getattr(exc, "headers", None))


def database_unavailable(exc: OperationalError) -> bool:
    """The database cannot be reached or has just ended the connection: a failed connect (no SQLSTATE),
    a connection exception (08…), the server shutting down or starting (57P…). Retrying helps."""
    if exc.connection_invalidated:
        return True
    if not hasattr(exc.orig, "sqlstate"):  # not psycopg (SQLite's errors are bugs or waits, handled elsewhere)
        return False
    state = exc.orig.sqlstate
    return state is None or state.startswith(("08", "57P"))


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OperationalError)
    if lock_wait_ended(exc):  # another writer kept the lock past the lock wait: nothing was written
        return await engine_error_response(request, busy())
    if not database_unavailable(exc):
        return await _bug(request, exc)
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
    message = "数据库暂时不可用，请稍后重试" if language(request) == "zh" else "the database is unavailable; try again shortly"
    return ErrorResponse(error_body("database_unavailable", message), status_code=503, headers={"Retry-After": "1"})


def refused_nul(exc: Exception) -> bool:
    """PostgreSQL refused text holding U+0000: psycopg before sending it (text), or the server
    (22P05, a `\\u0000` in JSONB). Input, not a bug: the write it was part of is rolled back."""
    orig = getattr(exc, "orig", None) or exc
    return "NUL (0x00)" in str(orig) or getattr(orig, "sqlstate", None) == "22P05"


async def _data_error(request: Request, exc: Exception) -> JSONResponse:
    if not refused_nul(exc):
        return await _bug(request, exc)
    message = "文本不能含有空字符（U+0000）" if language(request) == "zh" else "text cannot contain the NUL character (U+0000)"
    return ErrorResponse(error_body("bad_request", message), status_code=400)


def unpaired_surrogate(exc: BaseException) -> bool:
    """Text from a JSON body held an unpaired UTF-16 surrogate (`"\\ud800"`), which UTF-8 and so
    neither database can hold. Record values are refused by the engine, naming the field; any other
    text of a body (a definition's label, a view's name) fails where it is encoded for the database."""
    for _ in range(8):  # the cause chain: driver error, SQLAlchemy's wrapper
        if exc is None:
            break
        if isinstance(exc, UnicodeEncodeError) and "surrogate" in str(exc.reason):
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


async def _encoding_error(request: Request, exc: Exception) -> JSONResponse:
    if not unpaired_surrogate(exc):
        return await _bug(request, exc)
    message = ("文本含有无法保存的字符（不成对的 UTF-16 代理项）" if language(request) == "zh"
               else "text contains a character that cannot be stored (an unpaired UTF-16 surrogate)")
    return ErrorResponse(error_body("bad_request", message), status_code=400)


async def _bug(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    rid = REQUEST_ID.get()  # this answer is sent outside the request-id middleware: it adds the header itself
    return ErrorResponse(error_body("internal_error", "服务器内部错误 / internal error"), status_code=500,
                         headers={"X-Request-ID": rid} if rid else None)


def install(app: FastAPI) -> None:
    app.add_exception_handler(e.EngineError, engine_error_response)
    app.add_exception_handler(RequestValidationError, _request_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(UnicodeEncodeError, _encoding_error)
    app.add_exception_handler(StatementError, _encoding_error)  # SQLAlchemy wraps it while binding parameters
    app.add_exception_handler(Exception, _bug)
