"""Keys: the stable ASCII identifiers of apps, forms, fields, roles and steps."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import StringConstraints

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
KEY_RE = re.compile(KEY_PATTERN)

Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
"""snake_case ASCII, starting with a letter, at most 63 characters (safe to inline into SQL)."""

def repeated(keys: list[str]) -> list[int]:
    """Positions of keys that already appeared earlier in the list (duplicate form or field keys)."""
    seen: set[str] = set()
    positions = []
    for i, key in enumerate(keys):
        if key in seen:
            positions.append(i)
        seen.add(key)
    return positions
