"""What the builder's palette shows of a field type: its name in both languages, its group, its icon
and the options a new field of it starts with. Each type's class carries one (`FieldType.palette`), so
a type added to the registry is in the palette without a list elsewhere to keep in step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GROUPS: dict[str, tuple[str, str]] = {
    "basic": ("基础", "Basic"),
    "choice": ("选项", "Choices"),
    "contact": ("联系方式", "Contact"),
    "people": ("成员与部门", "People"),
    "link": ("关联与计算", "Links & computed"),
    "more": ("附件与明细", "Files & line items"),
}
"""The palette's groups in the order it shows them: key -> (zh, en)."""


@dataclass(frozen=True)
class Palette:
    """One type's entry in the form builder's palette."""

    zh: str
    en: str
    group: str
    """A key of GROUPS."""
    icon: str
    """One character drawn before the name (decoration: the name is what a screen reader reads)."""
    starter: dict[str, Any] = field(default_factory=dict)
    """The options a new field starts with: those its definition requires, so that dropping it on the
    canvas keeps the draft valid."""
    from_app: bool = False
    """Whether the builder completes the starter options from the app's other forms (a relation's
    target, a lookup's relation and field, a rollup's source): form_builder.js and form_builder/links.js."""
