"""The organisation commands of `tangram`: departments, user changes, role members (mirroring the API)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from engine.errors import BadQuery
from runtime import audit
from runtime.accounts import accounts, logins, org
from runtime.apps import definitions
from runtime.records.context import Actor

WithDb = Callable[[argparse.ArgumentParser], argparse.ArgumentParser]


CLI = Actor(None, ip="cli")  # the audit log's actor for changes made on the command line


def add_roles(conn: Connection, username: str, specs: Sequence[str]) -> None:
    """Give the user each `APP:ROLE`, keeping the role's other members."""
    for spec in specs:
        app, _, role = spec.partition(":")
        definition, _ = definitions.current(conn, app)
        if role not in definition.role_keys:
            raise BadQuery(f"应用 {app} 没有角色 {role}", f"app {app!r} has no role {role!r}", field="role")
        members = org.load_org(conn, app).role_members(role)
        org.set_role_members(conn, app, role, sorted(members | {username}))
        audit.write(conn, "role.members", CLI, datetime.now(UTC), app=app, detail={
            "role": role, "before": sorted(members), "after": sorted(members | {username})})


def audit_user_created(conn: Connection, username: str, is_admin: bool, departments: Sequence[str]) -> None:
    audit.write(conn, "user.create", CLI, datetime.now(UTC), detail={
        "username": username, "is_admin": is_admin, "departments": list(departments)})


def _database(args: argparse.Namespace) -> Any:
    from runtime.cli import database_from_args  # runtime.cli imports this module: read at call time

    return database_from_args(args)


def cmd_department_create(args: argparse.Namespace) -> int:
    with _database(args).write() as conn:
        org.create_department(conn, args.key, args.name, datetime.now(UTC), parent=args.parent, head=args.head)
        audit.write(conn, "department.create", CLI, datetime.now(UTC), detail={
            "key": args.key, "name": args.name, "parent": args.parent, "head": args.head})
    print(f"created department {args.key} ({args.name})")
    return 0


def cmd_user_update(args: argparse.Namespace) -> int:
    changes = {"display_name": args.display_name, "password": args.password, "departments": args.department,
               "handover_to": args.handover_to, "active": False if args.deactivate else None}
    with _database(args).write() as conn:
        done = accounts.update_user(conn, args.name, changes)
        audit.write(conn, "user.update", CLI, datetime.now(UTC), detail={"username": args.name, **done})
        add_roles(conn, args.name, args.role or [])
    print(f"updated user {args.name}: {', '.join(sorted(done)) or 'roles'}"
          + (f"; {done['handed_over']} record(s) handed over to {args.handover_to}" if "handed_over" in done else ""))
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    """`tangram user unlock NAME`: what POST /api/v1/users/{name}/unlock does, for an administrator who
    cannot log in (the API needs a login)."""
    now = datetime.now(UTC)
    with _database(args).write() as conn:
        accounts.user_row(conn, args.name)
        cleared = logins.unlock(conn, args.name)
        audit.write(conn, "user.unlock", CLI, now, detail={"username": args.name, "cleared": cleared})
    print(f"unlocked user {args.name}: {cleared} login count(s) cleared")
    return 0


def cmd_role_members(args: argparse.Namespace) -> int:
    with _database(args).write() as conn:
        definition, _ = definitions.current(conn, args.app)
        if args.role not in definition.role_keys:
            raise BadQuery(f"应用 {args.app} 没有角色 {args.role}", f"app {args.app!r} has no role {args.role!r}")
        before = sorted(org.load_org(conn, args.app).role_members(args.role))
        org.set_role_members(conn, args.app, args.role, args.users)
        audit.write(conn, "role.members", CLI, datetime.now(UTC), app=args.app, detail={
            "role": args.role, "before": before, "after": sorted(set(args.users))})
    print(f"{args.app}:{args.role} = {', '.join(args.users) or '(nobody)'}")
    return 0


def add_commands(sub: Any, user: Any, with_db: WithDb) -> None:
    """`tangram department create`, `tangram user update`, `tangram user unlock`, `tangram role members`."""
    dept = sub.add_parser("department", help="departments").add_subparsers(dest="dept_command", required=True)
    create = with_db(dept.add_parser("create", help="create a department"))
    create.add_argument("key")
    create.add_argument("name")
    create.add_argument("--parent")
    create.add_argument("--head", help="username of the department head")
    create.set_defaults(run=cmd_department_create)

    update = with_db(user.add_parser("update", help="change, deactivate or hand over a user"))
    update.add_argument("name")
    update.add_argument("--display-name")
    update.add_argument("--password")
    update.add_argument("--department", action="append", help="replace departments (repeat; first is primary)")
    update.add_argument("--role", action="append", help="add APP:ROLE (repeat)")
    update.add_argument("--deactivate", action="store_true")
    update.add_argument("--handover-to", help="give all the user's records to this user (离职交接)")
    update.set_defaults(run=cmd_user_update)

    unlock = with_db(user.add_parser("unlock", help="clear a user's failed-login counts and locks"))
    unlock.add_argument("name")
    unlock.set_defaults(run=cmd_user_unlock)

    role = sub.add_parser("role", help="app roles").add_subparsers(dest="role_command", required=True)
    members = with_db(role.add_parser("members", help="set the members of APP's ROLE"))
    members.add_argument("app")
    members.add_argument("role")
    members.add_argument("users", nargs="*")
    members.set_defaults(run=cmd_role_members)
