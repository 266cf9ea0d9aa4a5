"""What a new form definition changes for stored values, and how a value follows a type change.

Conversions go through the spreadsheet cell, the one representation every field type reads and
writes: text → number reads "123" as 123 and reports "abc" as failing, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.errors import FieldValueError
from engine.forms.fields.base import FieldType, ValueContext
from engine.forms.model import FormDefinition


@dataclass(frozen=True)
class ValueChange:
    """A field whose stored values must be converted (type changed) or checked (key newly used)."""

    key: str
    old: FieldType | None  # None: the key is new to the form (old data of a removed field may linger)
    new: FieldType


def value_changes(old: FormDefinition, new: FormDefinition) -> list[ValueChange]:
    """Fields whose stored values may not fit the new definition."""
    changes = []
    for field in new.fields:
        before = old.by_key.get(field.key)
        if type(field).computed:
            continue
        if before is None:
            changes.append(ValueChange(field.key, None, field))
        elif before.type != field.type or _shape_changed(before, field):
            changes.append(ValueChange(field.key, before, field))
    return changes


def _shape_changed(before: FieldType, after: FieldType) -> bool:
    # Same type but a different value shape: a relation turned multiple, or another target form.
    return any(getattr(before, a, None) != getattr(after, a, None) for a in ("multiple", "target"))


def convert(change: ValueChange, value: Any, ctx: ValueContext) -> Any:
    """The value under the new definition, or FieldValueError when it cannot follow."""
    if change.old is None:
        return change.new.normalize(value, ctx)
    cell = change.old.to_cell(value)
    return change.new.normalize(change.new.from_cell(cell), ctx)


def removed_keys(old: FormDefinition, new: FormDefinition) -> list[str]:
    """Fields the new definition no longer has: hidden, their data kept in the records."""
    return [f.key for f in old.fields if f.key not in new.by_key]


__all__ = ["ValueChange", "value_changes", "convert", "removed_keys", "FieldValueError"]
