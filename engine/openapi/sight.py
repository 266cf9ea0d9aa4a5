"""What one caller may see and do on one form: the input of the per-app API document.

The runtime's permission gate decides it (runtime.permissions.check); the engine only reads it. It is
hashable, so a document can be cached by (app, version, the caller's sights)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.forms.model import FormDefinition
from engine.permissions.model import FieldAccess

OPERATIONS = ("create", "read", "update", "delete", "import", "export")
"""The form-level rights the document shows operations for, in the order they are listed."""


@dataclass(frozen=True)
class FormSight:
    """One caller on one form: each field they see with its access (hidden fields are absent), in form
    order, and the operations they hold on some records of the form."""

    form: FormDefinition
    fields: tuple[tuple[str, FieldAccess], ...]
    operations: frozenset[str]

    @property
    def access(self) -> dict[str, FieldAccess]:
        return dict(self.fields)

    def signature(self) -> tuple[str, tuple[tuple[str, FieldAccess], ...], tuple[str, ...]]:
        """What the document depends on besides the app version: for a cache key."""
        return self.form.key, self.fields, tuple(sorted(self.operations))
