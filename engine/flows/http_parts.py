"""The options of an HTTP step (`http_request`): its authentication, a login that gives a session token, the
check that an answer means success, and the list of an answer stored as records (a scheduled pull)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from engine.flows.parts import _Model
from engine.keys import Key
from engine.model_words import Refusal

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
URL_PATTERN = r"^(https?://|\{\{\s*\$secret\.[a-z][a-z0-9_]*\s*\}\})"
"""A URL is absolute, or starts with a store value that holds the ERP's address (`{{$secret.erp_base}}/…`)."""


class HttpSuccess(_Model):
    """When a 2xx answer counts as success: the value at `path` equals `equals` (any of them), or is true."""

    path: str
    equals: list[Any] | str | int | bool | None = None

    def values(self) -> list[Any] | None:
        """The accepted values, or None for "truthy"."""
        if self.equals is None:
            return None
        return self.equals if isinstance(self.equals, list) else [self.equals]


class HttpSign(_Model):
    """A login's signature (用友: HMAC-SHA256 of `appKey…timestamp…` with the app secret), as `{{$signature}}`."""

    secret: Key
    """The settings-store secret that signs."""
    message: str = Field(min_length=1, max_length=2000)
    """What is signed: a text with `{{$secret.NAME}}` and `{{$timestamp}}`."""
    encoding: Literal["base64", "hex"] = "base64"


class HttpLogin(_Model):
    """A login call whose answer holds a session token, reused until `expires_in` seconds passed or a 401."""

    method: Method = "POST"
    url: str = Field(pattern=URL_PATTERN, max_length=2000)
    query: dict[str, str] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = None
    sign: HttpSign | None = None
    token: str = Field(min_length=1, max_length=300)
    """Where the token is in the answer: `response.body.data.access_token`, `response.cookies.kdservice-sessionid`."""
    expires_in: int = Field(default=1200, ge=30, le=86400 * 30)
    """How long a token is reused (seconds); a 401 ends it sooner."""
    success: HttpSuccess | None = None
    relogin: HttpSuccess | None = None
    """When a call's answer says the session is gone though the status is 2xx (金蝶: `Result.ResponseStatus.MsgCode`
    1, 上下文丢失): log in again once, as after a 401."""
    use: dict[Literal["headers", "query"], dict[str, str]] = Field(min_length=1)
    """How a call carries the token: `{"headers": {"Cookie": "kdservice-sessionid={{$token}}"}}` or
    `{"query": {"access_token": "{{$token}}"}}`."""


class HttpAuth(_Model):
    """How the call proves who it is. Every credential is named (a settings-store secret), never written here."""

    type: Literal["bearer", "basic", "hmac", "login"]
    secret: Key | None = None
    """bearer: the token; basic: the password; hmac: the signing key — each a settings-store secret's name."""
    user: str | None = Field(default=None, max_length=200)
    """basic: the user name (or `{{$secret.NAME}}`)."""
    header: str = Field(default="X-Signature", pattern=r"^[A-Za-z0-9\-]{1,100}$")
    """hmac: the header that carries `sha256=<hex HMAC-SHA256 of the body>`."""
    login: HttpLogin | None = None

    @model_validator(mode="after")
    def _needs(self) -> HttpAuth:
        needed = {"bearer": "secret", "basic": "secret", "hmac": "secret", "login": "login"}[self.type]
        if getattr(self, needed) is None:
            raise Refusal(f'认证方式 "{self.type}" 需要 "{needed}"', f'auth "type": "{self.type}" needs "{needed}"')
        if self.type == "basic" and not self.user:
            raise Refusal('认证方式 "basic" 需要 "user"（用户名）', 'auth "type": "basic" needs "user"')
        return self


class HttpRecords(_Model):
    """The answer's list stored in a form: each item upserted by `key` (a field of `form`)."""

    form: Key
    list: str = Field(min_length=1, max_length=300)
    """Where the list is: `response.body.data.recordList` (an object there is a list of one)."""
    key: Key
    """The field that identifies an item (the ERP's code): a record with the same value is updated, else one is made."""
    values: dict[Key, str] = Field(min_length=1)
    """field → path in the item (`item.code`, `item.name`) or a quoted text."""
    max_items: int = Field(default=1000, ge=1, le=10000)


__all__ = ["HttpAuth", "HttpLogin", "HttpRecords", "HttpSign", "HttpSuccess", "Method", "URL_PATTERN"]
