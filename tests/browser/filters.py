"""The list page's filter bar, driven as a user does: a condition row, its field, operator and value, 应用."""

from __future__ import annotations

import re
from typing import Any


def apply_condition(page: Any, field: str, op: str, value: str) -> None:
    """Fill the first condition row and apply it; returns once the URL carries the filter."""
    condition = page.locator(".condition").first
    condition.locator("select").first.select_option(field)
    condition.locator("select").nth(1).select_option(op)
    condition.get_by_label("值").fill(value)
    page.get_by_role("button", name="应用").click()
    page.wait_for_url(re.compile(rf"filter%5B{field}%5D%5B{op}%5D={value}|filter\[{field}\]\[{op}\]={value}"))
