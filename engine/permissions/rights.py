"""What a set of roles may do on one form: the union of the roles' rights, decided without I/O.

`rights_of(app, form, roles)` gives FormRights: the form-level rights, the row rules per operation
(any rule reaching a record grants the operation on it) and every field's access. `RowScope` turns the
rules into data the runtime compiles to SQL: which owners and departments, and which conditions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from engine.forms.model import FormDefinition
from engine.org import Org
from engine.permissions.model import ACCESS_ORDER, FieldAccess, FormPermission, RoleDefinition, RowRule

Operation = Literal["create", "read", "update", "delete", "restore", "export", "import", "manage"]
ROW_OPERATIONS = ("read", "update", "delete")


@dataclass(frozen=True)
class FormRights:
    """The union of some roles' rights on one form."""

    create: bool = False
    rows: dict[str, tuple[RowRule, ...]] = field(default_factory=dict)  # read/update/delete -> rules
    export: bool = False
    import_: bool = False
    manage: bool = False
    fields: dict[str, FieldAccess] = field(default_factory=dict)  # every field of the form
    unrestricted: bool = False  # administrators: no scope, no hidden field

    def allows(self, op: Operation) -> bool:
        """Whether the operation is granted on at least some records of the form."""
        if self.unrestricted:
            return True
        if op in ROW_OPERATIONS:
            return bool(self.rows.get(op))
        if op == "restore":  # bringing a record back is undoing a delete
            return bool(self.rows.get("delete"))
        return {"create": self.create, "export": self.export, "import": self.import_, "manage": self.manage}[op]

    def rules(self, op: Operation) -> tuple[RowRule, ...]:
        """The row rules of an operation (restore follows delete)."""
        return self.rows.get("delete" if op == "restore" else op, ())

    @property
    def visible(self) -> bool:
        """Whether the user sees the form at all (a user without any right: 404 on everything)."""
        return self.unrestricted or any(self.rows.values()) or self.create or self.manage

    def hidden_fields(self) -> set[str]:
        return {k for k, v in self.fields.items() if v == "hidden"}

    def masked_fields(self) -> set[str]:
        """Fields whose values this user sees only as a mask (脱敏)."""
        return {k for k, v in self.fields.items() if v == "masked"}

    def read_only_fields(self) -> set[str]:
        return {k for k, v in self.fields.items() if v == "read"}

    def access(self, key: str) -> FieldAccess:
        return "edit" if self.unrestricted else self.fields.get(key, "hidden")


_EVERYTHING: dict[str, tuple[RowRule, ...]] = {op: (RowRule(scope="all"),) for op in ROW_OPERATIONS}


def full_rights(form: FormDefinition) -> FormRights:
    """An administrator's rights: everything, every field editable (asked on every request of theirs:
    the rules are built once, not a pydantic model each time)."""
    return FormRights(True, _EVERYTHING, True, True, True, dict.fromkeys(form.field_keys, "edit"), unrestricted=True)


def _field_access(permission: FormPermission, role: RoleDefinition, key: str) -> FieldAccess:
    return permission.fields.get(key) or permission.default_field_access or role.default_field_access


def rights_of(form: FormDefinition, roles: Iterable[RoleDefinition]) -> FormRights:
    """The union of the roles' rights on the form: a right any role grants is granted; a field takes
    the most open access any role gives it (edit > read > masked > hidden)."""
    create = export = import_ = manage = False
    rows: dict[str, list[RowRule]] = {op: [] for op in ROW_OPERATIONS}
    fields: dict[str, FieldAccess] = {f.key: "hidden" for f in form.fields}
    for role in roles:
        permission = role.on(form.key)
        if permission is None:
            continue
        create, export = create or permission.create, export or permission.export
        import_, manage = import_ or permission.import_, manage or permission.manage
        for op in ROW_OPERATIONS:
            rule = getattr(permission, op)
            if rule is not None and rule not in rows[op]:
                rows[op].append(rule)
        if not (permission.read or permission.create or permission.update):
            continue  # a role that cannot see the form's records opens none of its fields
        for f in form.fields:
            access = _field_access(permission, role, f.key)
            if ACCESS_ORDER[access] > ACCESS_ORDER[fields[f.key]]:
                fields[f.key] = access
    return FormRights(create, {op: tuple(r) for op, r in rows.items()}, export, import_, manage, fields)


@dataclass(frozen=True)
class ScopeTerm:
    """One way a record can be in scope: owned by `owners` or kept by `departments` (None: any), and
    meeting `when` (an expression) if given."""

    owners: frozenset[str] | None = None
    departments: frozenset[str] | None = None
    when: str | None = None


@dataclass(frozen=True)
class RowScope:
    """The records an operation reaches, as data: everything (`all`), or any of the terms."""

    all: bool = False
    terms: tuple[ScopeTerm, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.all and not self.terms


EVERYTHING = RowScope(all=True)
NOTHING = RowScope()


def row_scope(rights: FormRights, op: Operation, username: str | None, org: Org) -> RowScope:
    """The records `username` may `op`, given the rights and the organisation snapshot."""
    if rights.unrestricted:
        return EVERYTHING
    terms: list[ScopeTerm] = []
    mine = org.departments_of(username) if username else ()
    for rule in rights.rules(op):
        if rule.scope == "all" and rule.when is None:
            return EVERYTHING
        if rule.scope == "all":
            terms.append(ScopeTerm(when=rule.when))
        elif rule.scope == "own":
            if username:
                terms.append(ScopeTerm(owners=frozenset({username}), when=rule.when))
        else:
            keys = set(mine) if rule.scope == "department" else {k for d in mine for k in org.subtree(d)}
            if keys:
                terms.append(ScopeTerm(departments=frozenset(keys), when=rule.when))
    return RowScope(terms=tuple(dict.fromkeys(terms)))


__all__ = ["EVERYTHING", "FormRights", "NOTHING", "Operation", "RowScope", "ScopeTerm", "full_rights",
           "rights_of", "row_scope"]
