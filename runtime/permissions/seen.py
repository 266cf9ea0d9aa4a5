"""A record as one actor sees it, for conditions evaluated on their behalf and answered to them (a button
flow's `when`: whether the button shows, whether pressing it is refused). A field hidden or masked from them
reads as blank — a field of this form, or one read through a relation, also when they may not read the
related record — so the answer depends only on what they can see: two records that differ only in what is
hidden from a user look the same to that user (docs/permissions.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.expr.nodes import BOOL, FieldRef, walk
from engine.forms.expressions import checked
from runtime.permissions.check import FormGate


def unseen(gate: FormGate, key: str) -> bool:
    """Is this value (a field key, or `relation.field`) hidden or masked from the gate's actor?"""
    head, _, tail = key.partition(".")
    if head in gate.hidden or head in gate.masked:
        return True
    target = getattr(gate.ref.form.by_key.get(head), "target", None)
    if not tail or target is None:
        return False
    return tail in gate.sight.hidden(target) or tail in gate.sight.rights(target).masked_fields()


def seen_values(gate: FormGate, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` (as expressions read the record, with related values read within the actor's scope) with
    every value the actor does not see in full blanked."""
    return {key: None if unseen(gate, key) else value for key, value in values.items()}


def reads_unseen(gate: FormGate, text: str) -> bool:
    """Does this condition (valid on the gate's form) read a value the actor does not see in full?"""
    refs = (n for n in walk(checked(gate.ref.form, text, BOOL).node) if isinstance(n, FieldRef)) if text else ()
    return any(unseen(gate, ".".join(ref.path)) for ref in refs)


__all__ = ["seen_values", "unseen", "reads_unseen"]
