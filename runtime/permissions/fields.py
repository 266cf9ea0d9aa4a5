"""Which fields one actor sees, on every form of an app, within one transaction.

A field is hidden from a reader when their roles hide it, or when it derives (formula, lookup, rollup,
default formula) from a field they do not see in full on any form — the engine decides that from the
definitions (engine.permissions.derived); this module supplies the reader's rights on each form it
asks about, reading the reader's roles once. The gate (runtime.permissions.check) keeps one of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection

from engine.permissions.derived import dependency_forms, hidden_derived, shows_full_value
from engine.permissions.rights import FormRights, full_rights, rights_of
from runtime.permissions.scope import roles_of
from runtime.records.context import Actor, FormRef


@dataclass
class FieldSight:
    """One actor's rights and hidden fields per form of one app, their roles read once (`own`, when set,
    replaces the rights on the gate's form: a reader through a grant sees its fields read-only)."""

    conn: Connection
    actor: Actor
    ref: FormRef
    own: FormRights | None = None
    _roles: list[str] | None = None
    _rights: dict[str, FormRights] = field(default_factory=dict)
    _hidden: dict[str, frozenset[str]] = field(default_factory=dict)

    def rights(self, form_key: str) -> FormRights:
        """The actor's rights on a form of the app (the union of their roles; administrators: everything)."""
        if form_key == self.ref.form.key and self.own is not None:
            return self.own
        if form_key not in self._rights:
            form = self.ref.app.form(form_key)
            if self.actor.is_admin:
                self._rights[form_key] = full_rights(form)
            else:
                if self._roles is None:
                    self._roles = roles_of(self.conn, self.actor.user_id, self.ref.app_key)
                roles = [self.ref.app.roles_by_key[k] for k in self._roles if k in self.ref.app.roles_by_key]
                self._rights[form_key] = rights_of(form, roles)
        return self._rights[form_key]

    def hidden(self, form_key: str) -> frozenset[str]:
        """The fields of a form hidden from the actor: hidden by their roles, or derived from a field they
        do not see in full."""
        if form_key not in self._hidden:
            rights = self.rights(form_key)
            if rights.unrestricted:
                self._hidden[form_key] = frozenset()
            else:
                app = self.ref.app
                shown = {f: {k for k, access in self._accesses(f).items() if shows_full_value(access)}
                         for f in dependency_forms(app, form_key)}
                self._hidden[form_key] = frozenset(rights.hidden_fields() | hidden_derived(app, form_key, shown))
        return self._hidden[form_key]

    def _accesses(self, form_key: str) -> dict[str, str]:
        rights = self.rights(form_key)
        return {k: rights.access(k) for k in self.ref.app.form(form_key).field_keys}


__all__ = ["FieldSight"]
