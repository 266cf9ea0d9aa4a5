"""Permissions, decided without I/O: role definitions, the union of a user's roles on a form, row scopes."""

from __future__ import annotations

from engine.permissions.model import FieldAccess, FormPermission, RoleDefinition, RowRule, Scope
from engine.permissions.rights import FormRights, RowScope, ScopeTerm, full_rights, rights_of, row_scope

__all__ = ["FieldAccess", "FormPermission", "FormRights", "RoleDefinition", "RowRule", "RowScope", "Scope",
           "ScopeTerm", "full_rights", "rights_of", "row_scope"]
