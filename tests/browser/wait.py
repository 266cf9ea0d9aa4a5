"""Waiting for a condition in the page without `eval`.

The pages run under `script-src 'self'` (no 'unsafe-eval'), and Playwright's `wait_for_function` builds its
predicate with eval inside the page, which that policy refuses. `page.evaluate` goes through the DevTools
protocol instead, which a page's policy does not govern; so the condition is polled from here. A page that
reloads itself (after a change it saved) is polled again once the new page is there; so is one still loading,
where `document.body` can be null for a moment: an error is final only if it is still there at the deadline."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Error as PlaywrightError

TIMEOUT_SECONDS = 30.0  # Playwright's own default wait, not a measure of speed


def wait_until(page: Any, expression: str, arg: Any = None) -> Any:
    """Poll `expression` (an expression, or a function of `arg`) until it is truthy; its value."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        error: PlaywrightError | None = None
        try:
            value = page.evaluate(expression, arg)
        except PlaywrightError as raised:
            error, value = raised, None
        if value:
            return value
        if time.monotonic() > deadline:
            if error is not None and "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise error
            raise AssertionError(f"waited {TIMEOUT_SECONDS:.0f} s in vain for: {expression}")
        page.wait_for_timeout(50)
