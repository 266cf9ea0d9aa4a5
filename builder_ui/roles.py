"""应用设置 → 角色与权限: the app's roles (from the draft) with the matrix of the chosen one — forms ×
operations, row scopes with their conditions, field access — its members, and which role grants each
right to a chosen user; and the 离职交接 page. Every change is the browser calling the JSON API
(runtime/api/role_designer.py, org.py, handover.py); the page only renders what they answer."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui import i18n
from builder_ui.flow_designer import condition_fields
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from engine.app_check import parse_app
from runtime.accounts import accounts, org
from runtime.accounts.directory import active_users, department_choices
from runtime.api.deps import DB
from runtime.api.guard import NO_RECORDS, require_admin
from runtime.apps import definitions

router = APIRouter()

OPERATIONS = ("create", "read", "update", "delete", "export", "import", "manage")
ROW_OPERATIONS = ("read", "update", "delete")
SCOPES = ("own", "department", "department_tree", "all")
ACCESS = ("edit", "read", "masked", "hidden")


@router.get("/apps/{app}/builder/roles")
def roles_page(request: Request, app: str, user: Viewer, guard: PageGuard, db: DB, role: str | None = None) -> Response:
    with db.read() as conn:
        guard.require_manage(conn, app)
        draft = definitions.draft(conn, app)
        published, version = definitions.current(conn, app)
        membership = org.role_membership(conn, app)
        people = active_users(conn)
        departments = department_choices(conn)
    parsed = parse_app(draft)
    roles = draft.get("roles", [])
    chosen = next((i for i, r in enumerate(roles) if r["key"] == role), 0 if roles else None)
    # `fields`: what the condition picker offers; `access`: every field a role gives access to (sub-tables too)
    forms = [{"key": f.key, "name": f.name, "fields": condition_fields(parsed, f),
              "access": [{"key": x.key, "label": x.label} for x in f.fields]} for f in parsed.forms]
    return render(request, "builder/roles.html", user=user, app_key=app, app_name=draft.get("name", app),
                  version=version, roles=roles, index=chosen, role=roles[chosen] if chosen is not None else None,
                  published_roles=set(published.role_keys), membership=membership, forms=forms,
                  people=people, departments=departments, operations=OPERATIONS, row_operations=ROW_OPERATIONS,
                  scopes=SCOPES, access=ACCESS, words=_words(request))


def _words(request: Request) -> dict[str, str]:
    """The words the explain panel's script writes."""
    t = i18n.translator(i18n.language(request))
    keys = ["rl_direct", "rl_through", "rl_no_role", "rl_is_admin", "rl_granted_by", "rl_saved", "cp_field", "rl_access",
            *(f"rl_op_{op}" for op in OPERATIONS), *(f"rl_access_{a}" for a in ACCESS)]
    return {k: t(k) for k in keys}


@router.get("/admin/handover", dependencies=[NO_RECORDS])  # administrators only: require_admin below
def handover_page(request: Request, user: Viewer, db: DB, username: str | None = None) -> Response:
    """离职交接 (administrators): choose the leaving user and who receives, preview, hand over."""
    require_admin(user)
    with db.read() as conn:
        everyone = [(r.username, r.display_name, r.active) for r in accounts.list_users(conn)]
    return render(request, "admin/handover.html", user=user, everyone=everyone, chosen=username)
