"""Limits: how much one input may hold. The engine applies them; the runtime fills them from its
settings (TANGRAM_MAX_*), so the engine never reads the environment. Defaults fit a CRM with room
to spare; docs/security.md lists each one with its variable and the answer over it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """The bounds of one record's values and of the requests that carry them."""

    text_chars: int = 1000
    """Characters in a single-line value (text, and every other type written as one line of text).
    A field's own `max_length` applies below it, never above it."""
    textarea_chars: int = 100_000
    """Characters in a multi-line value (textarea)."""
    sub_table_rows: int = 1000
    """Rows of one sub_table value (a field's own `max_rows` applies below it)."""
    multi_values: int = 100
    """Values in one multi-valued field: multi_select, users, relation with multiple, attachment."""
    value_depth: int = 6
    """Levels of lists and objects inside one value (a sub_table row holding a list of files is 4)."""
    bulk_items: int = 5000
    """Items in one bulk request (records created at once)."""
    expression_chars: int = 4000
    """Characters in one expression (a formula, a rule, a filter=)."""
    expression_depth: int = 60
    """Nesting of one expression's syntax tree (parentheses, NOT, nested calls)."""
    expression_nodes: int = 1000
    """Nodes of one expression's syntax tree."""


DEFAULT = Limits()
"""The limits where nobody set others (engine tests, definitions checked offline)."""

__all__ = ["Limits", "DEFAULT"]
