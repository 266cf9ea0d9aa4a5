"""Extra read grants: other parts of Tangram let users read records their roles do not reach.

Flows register one so that an approver sees the record they must approve ("users with an open task on
this record may read it"). A grant is a function (conn, actor, ref) -> a SQL condition on `records`, or
None when it grants nothing on that form; the gate ORs the conditions into the read scope. Grants only
ever widen *reading*; updates, deletes and form-level rights still come from roles alone."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection
from sqlalchemy.sql.elements import ColumnElement

from runtime.storage.context import Actor, FormRef

ReadGrant = Callable[[Connection, Actor, FormRef], "ColumnElement[bool] | None"]

_grants: list[ReadGrant] = []


def read_grant(grant: ReadGrant) -> ReadGrant:
    """Register an extra read grant (decorator)."""
    _grants.append(grant)
    return grant


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


__all__ = ["ReadGrant", "extra_reads", "read_grant", "remove_grant"]
