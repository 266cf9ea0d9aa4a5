"""Every admin console action (issue 27) is an API call, and each is refused to whoever may not take it:
the organisation, users, tokens, audit, 离职交接, 查看为, settings and 通讯录导入 to everyone but
administrators; an app's roles to everyone but administrators and the app's managers. The table must list
every console route, so one added later fails here until it says who may call it."""

from __future__ import annotations

from typing import Any

from runtime.main import create_app
from runtime.settings import Settings
from tests.factories import Maker
from tests.permission_setup import setup_sales
from tests.runtime.permissions.test_route_permissions import _api_routes

SALES = "/api/v1/apps/sales"
CONSOLE = ("/api/v1/departments", "/api/v1/users", "/api/v1/tokens/all", "/api/v1/audit", "/api/v1/settings",
           "/api/v1/user-imports", "/api/v1/view-as", "/api/v1/apps/{app}/draft/roles", "/api/v1/apps/{app}/roles")
PATH_VALUES = {"{key}": "east", "{username}": "rep2", "{app}": "sales", "{role}": "rep", "{name}": "erp_password"}

# (method, route, body); GET /departments is every signed-in user's (the pickers), the rest the administrators'
ADMIN_ONLY: list[tuple[str, str, Any]] = [
    ("POST", "/api/v1/departments", {"key": "d9", "name": "新部门"}),
    ("PATCH", "/api/v1/departments/{key}", {"name": "华东"}),
    ("GET", "/api/v1/users", None),
    ("POST", "/api/v1/users", {"username": "u9", "password": "Pass-word-19"}),
    ("GET", "/api/v1/users/{username}", None),
    ("PATCH", "/api/v1/users/{username}", {"display_name": "改名"}),
    ("POST", "/api/v1/users/{username}/unlock", None),
    ("POST", "/api/v1/users/{username}/password", {"password": None, "must_change": True}),
    ("GET", "/api/v1/users/{username}/logins", None),
    ("GET", "/api/v1/users/{username}/tokens", None),
    ("GET", "/api/v1/users/{username}/sessions", None),
    ("DELETE", "/api/v1/users/{username}/sessions", None),  # one's own: see test_org_console_api
    ("GET", "/api/v1/users/{username}/handover", None),
    ("POST", "/api/v1/users/{username}/handover", {"to": "rep3"}),
    ("GET", "/api/v1/tokens/all", None),
    ("GET", "/api/v1/audit", None),
    ("GET", "/api/v1/audit/export", None),
    ("POST", "/api/v1/view-as", {"user": "rep2"}),
    ("GET", "/api/v1/settings", None),
    ("PATCH", "/api/v1/settings", {"brand_name": "某公司"}),
    ("POST", "/api/v1/settings/test-email", {"to": "a@example.cn"}),
    ("POST", "/api/v1/settings/test-robot", {"channel": "dingtalk"}),
    ("POST", "/api/v1/settings/test-app", {"channel": "dingtalk"}),
    ("GET", "/api/v1/user-imports/template", None),
    ("GET", "/api/v1/settings/connector-secrets", None),
    ("PUT", "/api/v1/settings/connector-secrets/{name}", {"value": "s3cret-value"}),
    ("DELETE", "/api/v1/settings/connector-secrets/{name}", None),
]
APP_MANAGER: list[tuple[str, str, Any]] = [
    ("GET", "/api/v1/apps/{app}/draft/roles", None),
    ("PUT", "/api/v1/apps/{app}/draft/roles/{role}", {"name": "一线销售"}),
    ("POST", "/api/v1/apps/{app}/draft/roles/{role}/copy", {"key": "rep_copy"}),
    ("DELETE", "/api/v1/apps/{app}/draft/roles/{role}", None),
    ("GET", "/api/v1/apps/{app}/roles/explain?user=rep1", None),
    ("PUT", "/api/v1/apps/{app}/roles/{role}/members", {"users": ["rep1", "rep2", "rep3"]}),
]
NOT_TABLED = {
    "GET /api/v1/departments",  # every signed-in user reads the tree (pickers)
    "GET /api/v1/apps/{app}/roles",  # the app's readers see its roles (pickers); members: test_roles_console
    "GET /api/v1/view-as", "DELETE /api/v1/view-as",  # one's own 查看为 state and its end
    # multipart uploads: refused before their body is read — test_user_import_api
    "POST /api/v1/user-imports/preview", "POST /api/v1/user-imports",
}


def _filled(template: str) -> str:
    for name, value in PATH_VALUES.items():
        template = template.replace(name, value)
    return template


def _call(make: Maker, who: dict[str, str], method: str, path: str, body: Any) -> int:
    kwargs: dict[str, Any] = {"headers": who}
    if body is not None:
        kwargs["json"] = body
    return make.client.request(method, path, **kwargs).status_code


def _with_an_app_manager(make: Maker) -> dict[str, dict[str, str]]:
    """The sales app's people, rep3 also holding a role with `manage` on every form (an app manager)."""
    people = setup_sales(make)
    owner = {"name": "应用管理员", "permissions": {"*": {"read": "all", "manage": True}}}
    assert make.client.put(f"{SALES}/draft/roles/owner", json=owner, headers=make.admin).status_code == 200
    assert make.client.post(f"{SALES}/publish", headers=make.admin).status_code == 200
    r = make.client.put(f"{SALES}/roles/owner/members", json={"users": ["rep3"]}, headers=make.admin)
    assert r.status_code == 200, r.text
    return people


def test_every_console_route_is_in_this_table() -> None:
    routes = _api_routes(create_app(Settings(database_url="sqlite://")))
    console = {f"{m} {path}" for path, r in routes for m in r.methods if path.startswith(CONSOLE)}
    tabled = {f"{m} {t.split('?')[0]}" for m, t, _ in ADMIN_ONLY + APP_MANAGER} | NOT_TABLED
    assert console - tabled == set(), "a console route without a row here: add it to ADMIN_ONLY or APP_MANAGER"


def test_only_administrators_take_the_organisation_tokens_audit_and_settings_routes(make: Maker) -> None:
    people = _with_an_app_manager(make)
    let_through = [(who, m, template, got) for m, template, body in ADMIN_ONLY for who in ("rep1", "rep3", "nobody")
                   if (got := _call(make, people[who], m, _filled(template), body)) not in (403, 404)]
    assert let_through == []


def test_only_administrators_and_the_apps_managers_take_its_roles_routes(make: Maker) -> None:
    people = _with_an_app_manager(make)
    let_through = [(who, m, template, got) for m, template, body in APP_MANAGER for who in ("rep1", "mgr", "nobody")
                   if (got := _call(make, people[who], m, _filled(template), body)) not in (403, 404)]
    assert let_through == []
    refused = [(m, template, got) for m, template, body in APP_MANAGER
               if (got := _call(make, people["rep3"], m, _filled(template), body)) >= 400]
    assert refused == []
