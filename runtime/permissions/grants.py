"""Extra read grants: other parts of Tangram let users read records their roles do not reach.

Sharing (runtime.permissions.shares) is one: users a record is shared with may read it. The built-in
grants are listed in runtime/subscribers.py and installed with the write subscribers. A grant is a function (conn, actor, ref) -> a SQL condition on `records`, or
None when it grants nothing on that form; the gate ORs the conditions into the read scope. Grants only
ever widen *reading*; updates, deletes and form-level rights still come from roles alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Connection
from sqlalchemy.sql.elements import ColumnElement

from runtime.records.context import Actor, FormRef

ReadGrant = Callable[[Connection, Actor, FormRef], "ColumnElement[bool] | None"]

_grants: list[ReadGrant] = []


def read_grant(grant: ReadGrant) -> ReadGrant:
    """Register an extra read grant (decorator)."""
    _grants.append(grant)
    return grant


def install(wanted: Sequence[ReadGrant]) -> None:
    """Add the given grants that are not registered yet, in order (installing twice changes nothing)."""
    _grants.extend(g for g in wanted if g not in _grants)


def registered() -> list[ReadGrant]:
    """The grants the gate consults, in order."""
    return list(_grants)


def remove_grant(grant: ReadGrant) -> None:
    """Unregister a grant (tests that register their own restore the registry with this)."""
    while grant in _grants:
        _grants.remove(grant)


def extra_reads(conn: Connection, actor: Actor, ref: FormRef) -> list[ColumnElement[bool]]:
    """The conditions every registered grant gives this actor on this form."""
    found = []
    for grant in list(_grants):
        clause = grant(conn, actor, ref)
        if clause is not None:
            found.append(clause)
    return found


__all__ = ["ReadGrant", "extra_reads", "install", "read_grant", "registered", "remove_grant"]
