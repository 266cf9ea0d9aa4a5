"""Role definitions in the app definition: per form (or "*"), what a role may do and see.

The published shape (DESIGN.md) is kept: `{"read": "all", "update": "department", "delete": false,
"export": true, "fields": {"cost": "read"}}`. A row right is a scope name, `true` (= "all"), `false`, or
`{"scope": "own", "when": "status != \\"已签约\\""}` to add a condition in the expression language.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_serializer

from engine.keys import Key

Scope = Literal["own", "department", "department_tree", "all"]
"""Whose records: the user's own, their departments', their departments and everything below, or all."""

FieldAccess = Literal["hidden", "masked", "read", "edit"]
"""What a role does with a field: nothing (hidden), see a mask of its values (masked, 脱敏: 138****5678,
never the value; read-only, unknown to filters and sorts), read it, or edit it."""

SCOPES: tuple[str, ...] = ("own", "department", "department_tree", "all")
ACCESS_ORDER: dict[str, int] = {"hidden": 0, "masked": 1, "read": 2, "edit": 3}


class RowRule(BaseModel):
    """Which records a row right reaches: a scope, and optionally a condition they must meet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scope: Scope = "all"
    when: str | None = None

    @model_serializer(mode="plain")
    def _short(self) -> Any:
        # Written back in the short form when there is no condition, as templates spell it.
        return self.scope if self.when is None else {"scope": self.scope, "when": self.when}


def _row_rule(value: Any) -> Any:
    if value is True:
        return RowRule(scope="all")
    if value is False or value is None:
        return None
    if isinstance(value, str):
        return RowRule.model_validate({"scope": value})  # the scope named, checked as any rule's
    return value


RowRight = Annotated[RowRule | None, BeforeValidator(_row_rule, json_schema_input_type=RowRule | Scope | bool | None)]
"""A row right as templates write it: a scope name, true (all), false (none) or {"scope", "when"}."""


class FormPermission(BaseModel):
    """A role's rights on one form (or on every form not listed, under the key "*")."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    create: bool = False
    read: RowRight = None
    update: RowRight = None
    delete: RowRight = None
    export: bool = False
    import_: bool = Field(False, alias="import")
    manage: bool = False
    """May change this form's definition (on "*": the whole app, publish included)."""
    fields: dict[str, FieldAccess] = Field(default_factory=dict)
    default_field_access: FieldAccess | None = None
    """For fields not listed in `fields` (new ones included); unset: the role's default_field_access."""


class RoleDefinition(BaseModel):
    """A role of the app (销售经理 …); users get roles per app, and their rights are the union of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    name: str
    name_en: str | None = None
    description: str | None = None
    default_field_access: FieldAccess = "edit"
    """For fields a form permission does not list, including fields added to the form later. "edit"
    (the default) means unlisted fields follow the row rights; set "hidden" so that new fields stay
    invisible to this role until someone grants them."""
    permissions: dict[str, FormPermission] = Field(default_factory=dict)

    def on(self, form_key: str) -> FormPermission | None:
        """The role's permission on a form: its own entry, else the "*" entry, else none."""
        return self.permissions.get(form_key) or self.permissions.get("*")


__all__ = ["ACCESS_ORDER", "FieldAccess", "FormPermission", "RoleDefinition", "RowRule", "SCOPES", "Scope"]
