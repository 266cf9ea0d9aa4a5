"""Error bodies as tests compare them: without `request_id`, which is new on every request (X-Request-ID)."""

from __future__ import annotations

import json
from typing import Any


def without_request_id(body: Any) -> Any:
    """The body with its error's `request_id` left out; any other body unchanged."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return {**body, "error": {k: v for k, v in body["error"].items() if k != "request_id"}}
    return body


def shown(response: Any) -> str:
    """What a response tells its reader, as text, without the request id (a random hex string that may contain
    any short run of digits or letters a test looks for)."""
    return json.dumps(without_request_id(response.json()), ensure_ascii=False)
