"""Row scopes as SQL: which records an actor may read, update or delete, as one WHERE clause.

`engine.permissions.row_scope` decides the scope as data (owners, departments, conditions); this module
compiles it over the `records` columns, so the same clause filters lists, guards single-record access
and (through the public `row_scope` below) reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, and_, false, or_, select, true, union
from sqlalchemy.sql.elements import ColumnElement

from engine.expr.evaluate import EvalContext
from engine.org import Department, Org
from engine.permissions.rights import RowScope
from runtime.db.tables import department_members, departments, records, role_departments, role_members, users
from runtime.records.context import FormRef
from runtime.records.expressions import filter_clause
from runtime.records.listing import selective


def roles_of(conn: Connection, user_id: int | None, app: str) -> list[str]:
    """The keys of the roles the user holds in the app: named directly, through one of their departments,
    or through a department above theirs that is a member with 含下级部门 (the tree as it is now)."""
    if user_id is None:
        return []
    held = set(conn.scalars(select(role_members.c.role).where(role_members.c.app == app,
                                                             role_members.c.user_id == user_id)))
    mine = set(conn.scalars(select(department_members.c.department).where(department_members.c.user_id == user_id)))
    if not mine:
        return sorted(held)
    above: set[str] | None = None  # read only when a department member counts its sub-departments
    for r in conn.execute(select(role_departments.c.role, role_departments.c.department)
                          .where(role_departments.c.app == app, or_(role_departments.c.department.in_(sorted(mine)),
                                                                   role_departments.c.with_subdepartments.is_(True)))):
        if r.department not in mine and above is None:
            above = _ancestors(conn, mine)
        if r.department in mine or (above is not None and r.department in above):
            held.add(r.role)
    return sorted(held)


def _ancestors(conn: Connection, keys: set[str]) -> set[str]:
    tree = Org({r.key: Department(r.key, r.name, r.parent, r.head) for r in conn.execute(
        select(departments.c.key, departments.c.name, departments.c.parent, departments.c.head))})
    return {a for k in keys for a in tree.ancestors(k)}


def roles_by_app(conn: Connection, user_id: int) -> dict[str, list[str]]:
    """The keys of the roles the user holds in every app, held directly or through a department, in one query
    (a user's admin page lists them all)."""
    direct = select(role_members.c.app, role_members.c.role).where(role_members.c.user_id == user_id)
    through_department = (select(role_departments.c.app, role_departments.c.role)
                          .join(department_members, department_members.c.department == role_departments.c.department)
                          .where(department_members.c.user_id == user_id))
    found: dict[str, set[str]] = {}
    for r in conn.execute(union(direct, through_department)):
        found.setdefault(r.app, set()).add(r.role)
    return {app: sorted(roles) for app, roles in sorted(found.items())}


def org_for(conn: Connection, username: str | None, needed: bool) -> Org:
    """What a department scope needs of the organisation — the tree and this user's departments, not
    everyone's memberships — loaded only when a rule has such a scope."""
    if not needed or username is None:
        return Org()
    tree = {r.key: Department(r.key, r.name, r.parent, r.head) for r in conn.execute(
        select(departments.c.key, departments.c.name, departments.c.parent, departments.c.head))}
    mine = tuple(conn.scalars(
        select(department_members.c.department).join(users, users.c.id == department_members.c.user_id)
        .where(users.c.username == username)
        .order_by(department_members.c.is_primary.desc(), department_members.c.department)))
    return Org(tree, {username: mine})


def terms_clause(scope: RowScope, owner: ColumnElement[Any], department: ColumnElement[Any],
                 condition: Callable[[str], ColumnElement[bool]],
                 narrow: Callable[[ColumnElement[bool]], ColumnElement[bool]] = lambda part: part,
                 ) -> ColumnElement[bool] | None:
    """A row scope over any source's columns (None: every record); an empty scope matches nothing.
    `condition` compiles a rule's `when` expression for that source; `narrow` marks the owner and
    department parts for the planner (listing.selective)."""
    if scope.all:
        return None
    branches = []
    for term in scope.terms:
        parts: list[ColumnElement[bool]] = []
        if term.owners is not None:
            parts.append(narrow(owner.in_(sorted(term.owners))))
        if term.departments is not None:
            parts.append(narrow(department.in_(sorted(term.departments))))
        if term.when is not None:
            parts.append(condition(term.when))
        branches.append(and_(*parts) if parts else true())
    return or_(*branches) if branches else false()


def scope_clause(scope: RowScope, ref: FormRef, dialect: str, ctx: EvalContext) -> ColumnElement[bool] | None:
    """The WHERE clause of a row scope over the `records` table."""
    return terms_clause(scope, records.c.owner, records.c.department,
                        lambda when: filter_clause(ref, when, dialect, ctx), lambda part: selective(part, dialect))


__all__ = ["org_for", "roles_by_app", "roles_of", "scope_clause", "terms_clause"]
