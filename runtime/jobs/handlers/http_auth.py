"""How an HTTP step's call is authenticated: bearer, basic, an HMAC signature of the body, or a login whose
session token is kept and reused (per process) until it expires or the server answers 401.

Secrets come from the settings store when the job runs (system_settings/connector_secrets.py) and only
here are they put into a request; `Scrub` takes them (and session tokens) out of anything that is logged."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from engine.flows.http_template import fill, pick, placeholders, secret_names
from runtime.jobs.handlers import webhook

_lock = threading.Lock()
_sessions: dict[str, tuple[str, datetime]] = {}
"""login fingerprint → (token, until): one login serves every call of that connector until it expires."""


def needed_secrets(request: dict[str, Any]) -> list[str]:
    """Every settings-store secret a request names, in its templates and its auth."""
    names = secret_names([request.get(k) for k in ("url", "query", "headers", "body")])
    auth = request.get("auth") or {}
    if auth.get("secret"):
        names.append(auth["secret"])
    names += secret_names(auth.get("user"))
    login = auth.get("login") or {}
    names += secret_names([login.get(k) for k in ("url", "query", "headers", "body", "use")])
    if login.get("sign"):
        names += [login["sign"]["secret"], *secret_names(login["sign"]["message"])]
    return sorted(set(names))


@dataclass
class Scrub:
    """Replaces every secret value and session token in a text by ***, before it is logged or stored."""

    values: set[str] = field(default_factory=set)

    def add(self, value: str | None) -> None:
        if value and len(value) >= 4:  # a 1–3 character "secret" would blank out ordinary words
            self.values.add(value)

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        for value in sorted(self.values, key=len, reverse=True):
            text = text.replace(value, "***")
        return text


def lookup(values: dict[str, Any], secrets: dict[str, str], now: datetime, token: str | None = None,
           signature: str | None = None) -> Any:
    """The placeholder filler: record values by expression, then the runtime's own."""
    def get(name: str) -> Any:
        if name in values:
            return values[name]
        if name.startswith("$secret."):
            return secrets.get(name.removeprefix("$secret."), "")
        return {"$token": token, "$timestamp": str(int(now.timestamp() * 1000)), "$signature": signature}.get(name)
    return get


def _sign(secret: str, message: str, encoding: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode() if encoding == "base64" else digest.hexdigest()


def encode_body(body: Any) -> bytes | None:
    return None if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def answer_of(response: httpx.Response) -> dict[str, Any]:
    """What answer paths read: `response.status`, `.headers`, `.cookies`, `.body` (JSON, else the text)."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    return {"response": {"status": response.status_code, "headers": {k.lower(): v for k, v in response.headers.items()},
                         "cookies": dict(response.cookies), "body": body}}


def holds(success: dict[str, Any] | None, answer: dict[str, Any]) -> bool:
    """Whether a 2xx answer is a success by the step's `success` check (always, without one)."""
    if not success:
        return True
    found = pick(answer, success["path"])
    accepted = success.get("equals")
    if accepted is None:
        return bool(found)
    return found in (accepted if isinstance(accepted, list) else [accepted])


class LoginFailed(Exception):
    """The login call did not give a token."""


class Sessions:
    """Session tokens of `login` auth, per process, until they expire or a call answers 401."""

    def __init__(self, app: str, login: dict[str, Any], secrets: dict[str, str]) -> None:
        self.login = login
        # the secrets' values are part of the key: a changed password or server address is a new session
        self.key = hashlib.sha256(json.dumps([app, login, sorted(secrets.items())], sort_keys=True).encode()).hexdigest()

    def token(self, client: httpx.Client, secrets: dict[str, str], now: datetime, timeout: float,
              scrub: Scrub) -> str:
        with _lock:
            kept = _sessions.get(self.key)
        if kept and kept[1] > now:
            scrub.add(kept[0])
            return kept[0]
        token = self._log_in(client, secrets, now, timeout, scrub)
        with _lock:
            _sessions[self.key] = (token, now + timedelta(seconds=self.login.get("expires_in", 1200)))
        return token

    def forget(self) -> None:
        with _lock:
            _sessions.pop(self.key, None)

    def _log_in(self, client: httpx.Client, secrets: dict[str, str], now: datetime, timeout: float,
                scrub: Scrub) -> str:
        login = self.login
        signature = None
        if login.get("sign"):
            sign = login["sign"]
            message = fill(sign["message"], lookup({}, secrets, now))
            signature = _sign(secrets[sign["secret"]], message, sign.get("encoding", "base64"))
        get = lookup({}, secrets, now, signature=signature)
        try:
            response = client.request(login.get("method", "POST"), fill(login["url"], get, url=True),
                                      params=fill(login.get("query") or {}, get), headers=fill(login.get("headers") or {}, get),
                                      content=encode_body(fill(login.get("body"), get)), timeout=timeout)
        except httpx.HTTPError as e:
            raise LoginFailed(f"login: {type(e).__name__}: {e}") from None
        answer = answer_of(response)
        token = pick(answer, login["token"])
        if not response.is_success or not holds(login.get("success"), answer) or not token:
            raise LoginFailed(f"login refused: HTTP {response.status_code}")  # its answer may hold credentials
        scrub.add(str(token))
        return str(token)


def sign_headers(auth: dict[str, Any] | None, secrets: dict[str, str], body: bytes | None) -> dict[str, str]:
    """The headers bearer and HMAC auth add."""
    if not auth:
        return {}
    if auth["type"] == "bearer":
        return {"Authorization": f"Bearer {secrets[auth['secret']]}"}
    if auth["type"] == "hmac":
        return {auth.get("header", "X-Signature"): webhook.signature(secrets[auth["secret"]], body or b"")}
    return {}


__all__ = ["LoginFailed", "Scrub", "Sessions", "answer_of", "encode_body", "holds", "lookup", "needed_secrets",
           "placeholders", "sign_headers"]
