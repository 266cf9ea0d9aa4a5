"""管理 → 组织架构 (issue 27): the department tree and the user directory for administrators, one user's
page (their roles per app, tokens, sessions and recent logins), and every user's own password page (where
a forced change at next login lands). The pages read like the API does; every change is the browser
calling the JSON API (runtime/api/org.py, runtime/api/tokens.py), so it is checked and audited there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from builder_ui import i18n
from builder_ui.rendering import render
from builder_ui.viewer import Viewer
from runtime import audit
from runtime.accounts import accounts, org
from runtime.accounts.logins import holds as login_holds
from runtime.accounts.people import display_names
from runtime.accounts.sessions import live_sessions
from runtime.accounts.tokens import all_api_tokens, list_api_tokens
from runtime.api.deps import DB, IdQuery, Now
from runtime.api.guard import NO_RECORDS, require_admin
from runtime.api.tokens import token_json
from runtime.apps import definitions
from runtime.auth.forced_change import CHANGE_PAGE
from runtime.permissions.scope import roles_by_app, roles_of

router = APIRouter(dependencies=[NO_RECORDS])

PAGE = 50
PAGE_TOKENS = 100

WORDS = (
    "adm_saved",
    "adm_created",
    "adm_new_password",
    "adm_confirm_deactivate",
    "adm_confirm_sessions",
    "adm_ended",
    "adm_unlocked",
    "adm_passwords_differ",
    "adm_revoked",
    "adm_confirm_revoke",
    "adm_top_level",
    "adm_token_shown_once",
)
"""The words the page script writes itself (toasts, confirmations)."""


def _words(request: Request) -> dict[str, str]:
    t = i18n.translator(i18n.language(request))
    return {k: t(k) for k in WORDS}


def role_names(app: Any, keys: list[str]) -> list[tuple[str, str]]:
    """(key, name) of these roles in the app (a key the definition no longer has is named by itself)."""
    names = {r.key: r.name for r in app.roles}
    return [(k, names.get(k, k)) for k in keys]


def department_tree(rows: list[Any]) -> list[tuple[int, Any]]:
    """(depth, department) in tree order, children by name under their parent; a department whose parent
    is missing shows at the top (the tree never loses one)."""
    keys = {r.key for r in rows}
    children: dict[str | None, list[Any]] = {}
    for r in rows:
        children.setdefault(r.parent if r.parent in keys else None, []).append(r)

    def walk(parent: str | None, depth: int) -> Iterator[tuple[int, Any]]:
        for r in sorted(children.get(parent, []), key=lambda d: (d.name, d.key)):
            yield depth, r
            yield from walk(r.key, depth + 1)

    return list(walk(None, 0))


@router.get("/admin/org")
def org_page(
    request: Request,
    user: Viewer,
    db: DB,
    q: Annotated[str | None, Query(max_length=100)] = None,
    after: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """The department tree on the left, a page of users (search, next page by keyset) on the right."""
    require_admin(user)
    with db.read() as conn:
        tree = department_tree(org.list_departments(conn))
        people, next_cursor = accounts.users_page(conn, q, after, PAGE)
        heads = display_names(conn, (d.head for _, d in tree))  # 部门负责人 by name in the tree
    names = {d.key: d.name for _, d in tree}
    return render(
        request,
        "admin/org.html",
        user=user,
        tree=tree,
        people=people,
        department_names=names,
        heads=heads,
        next_cursor=next_cursor,
        q=q or "",
        after=after,
        words=_words(request),
    )


@router.get("/admin/users/{username}")
def user_page(request: Request, username: str, user: Viewer, db: DB, now: Now) -> Response:
    """One user: their details to edit, password, state, roles per app, API tokens, sessions, recent logins."""
    require_admin(user)
    with db.read() as conn:
        row = accounts.user_row(conn, username)
        person = accounts.user_json(conn, row)
        departments = department_tree(org.list_departments(conn))
        tokens = [token_json(r) for r in list_api_tokens(conn, row.id)]
        sessions = live_sessions(conn, row.id, now)
        logins = [audit.entry_json(r) for r in audit.logins_of(conn, username, 20)]
        holds = login_holds(conn, username, now)
        # held directly or through a department (roles_of resolves both, as the rights check does)
        held = roles_by_app(conn, row.id)  # one query over all apps
        # (app key, app name, role names) for the apps where they hold a role, names from the published definition
        roles = [(a.key, a.name, role_names(definitions.current(conn, a.key)[0], held[a.key]))
                 for a in definitions.list_apps(conn) if held.get(a.key)]
    return render(
        request,
        "admin/user.html",
        user=user,
        person=person,
        departments=departments,
        roles=roles,
        tokens=tokens,
        sessions=sessions,
        logins=logins,
        holds=holds,
        words=_words(request),
    )


@router.get(CHANGE_PAGE)
def password_page(request: Request, user: Viewer, db: DB, next: str = "/") -> Response:
    """Change your own password; after an administrator's reset, every page leads here until it is done."""
    with db.read() as conn:
        forced = bool(accounts.user_row(conn, user.username or "").must_change_password)
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return render(request, "admin/password.html", user=user, forced=forced, next=target, words=_words(request))


@router.get("/account")
def account_page(request: Request, user: Viewer, db: DB, now: Now) -> Response:
    """我的账号: one's own API tokens (create: the text is shown once; revoke), live sessions with 全部下线,
    and the way to change one's password."""
    with db.read() as conn:
        row = accounts.user_row(conn, user.username or "")
        tokens = [token_json(r) for r in list_api_tokens(conn, row.id)]
        sessions = live_sessions(conn, row.id, now)
        choices = [
            (a.key, a.name) for a in definitions.list_apps(conn) if user.is_admin or roles_of(conn, user.user_id, a.key)
        ]
    return render(
        request, "admin/account.html", user=user, tokens=tokens, sessions=sessions, apps=choices, words=_words(request)
    )


@router.get("/admin/tokens")
def all_tokens_page(request: Request, user: Viewer, db: DB, before: IdQuery = None) -> Response:
    """Every user's API tokens for administrators, newest first, 100 a page; each can be revoked."""
    require_admin(user)
    with db.read() as conn:
        rows = all_api_tokens(conn, before, PAGE_TOKENS + 1)
    more = len(rows) > PAGE_TOKENS
    rows = rows[:PAGE_TOKENS]
    return render(
        request,
        "admin/tokens.html",
        user=user,
        tokens=[token_json(r) | {"user": r.username} for r in rows],
        next_before=rows[-1].id if more else None,
        words=_words(request),
    )
