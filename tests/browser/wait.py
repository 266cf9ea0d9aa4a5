"""Waiting for a condition in the page without `eval`.

The pages run under `script-src 'self'` (no 'unsafe-eval'), and Playwright's `wait_for_function` builds its
predicate with eval inside the page, which that policy refuses. `page.evaluate` goes through the DevTools
protocol instead, which a page's policy does not govern; so the condition is polled from here."""

from __future__ import annotations

import time
from typing import Any

TIMEOUT_SECONDS = 30.0  # Playwright's own default wait, not a measure of speed


def wait_until(page: Any, expression: str, arg: Any = None) -> Any:
    """Poll `expression` (an expression, or a function of `arg`) until it is truthy; its value."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {TIMEOUT_SECONDS:.0f} s in vain for: {expression}")
        page.wait_for_timeout(50)
