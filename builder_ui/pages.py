"""The web UI's routes: login/logout, home, app pages; the feature pages come from their modules.

`install(app)` adds them all, the static files and the login redirect to the FastAPI app. Pages
read through the runtime's storage functions like the API routes do; every change is made by the
browser calling the public JSON API, so the UI can do nothing the API cannot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from builder_ui import (
    builder,
    chart_builder,
    dashboard_editor,
    dashboards,
    duplicate_groups,  # 查重 (issue 26)
    flow_admin,
    flow_designer,
    hooks_page,
    import_pages,
    inbox,
    kanban,
    lists,
    merge,
    records,
    recycle_bin,  # 回收站 (issue 26)
    roles,
    template_upgrade,  # 升级模板 (issue 29)
    timeline,  # 时间线 / 甘特图 (issue 29)
    timeline_builder,  # 时间线设置 (issue 29)
)
from builder_ui import messages as messages_page
from builder_ui import printing as print_pages
from builder_ui import system_settings as system_settings_page
from builder_ui.audit_viewer import router as audit_viewer_router
from builder_ui.i18n import language as ui_language
from builder_ui.i18n import translator
from builder_ui.org_admin import router as org_admin_router
from builder_ui.rendering import render
from builder_ui.viewer import LoginRequired, PageGuard, Viewer, to_login
from engine.errors import EngineError, NotFound, Unauthorized
from runtime.accounts.sessions import revoke_token
from runtime.api import errors as api_errors
from runtime.api import shared_routes
from runtime.api.auth import sign_in
from runtime.api.deps import DB, AppSettings, Now
from runtime.api.guard import NO_RECORDS
from runtime.apps import addons, definitions
from runtime.auth import sessions
from runtime.permissions.check import Guard

STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only paths on this site: "//evil.example" or "https://…" would make the login an open redirect.
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", dependencies=[NO_RECORDS])
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "auth/login.html", next=_safe_next(next), error=None, username="")


@router.post("/login", dependencies=[NO_RECORDS])
def login(request: Request, db: DB, now: Now, settings: AppSettings, username: Annotated[str, Form()],
          password: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    """A session for a right username and password: the signed cookie, then back where the user was going."""
    try:
        token = sign_in(request, db, now, username, password, settings.session_days, kind="session")
    except Unauthorized:
        t = translator(ui_language(request))
        return render(request, "auth/login.html", status=401, next=_safe_next(next), error=t("login_failed"),
                      username=username)
    response = RedirectResponse(_safe_next(next), status_code=303)
    sessions.set_cookie(request, response, token, settings.session_days)
    return response


@router.post("/logout", dependencies=[NO_RECORDS])
def logout(request: Request, user: Viewer, db: DB, now: Now) -> Response:
    """End the session (the form carries the CSRF token) and go to the login page."""
    with db.write() as conn:
        revoke_token(conn, request.state.token, now)
    response = RedirectResponse("/login", status_code=303)
    sessions.clear_cookie(request, response)
    return response


def _apps(conn: Any, guard: Guard) -> list[Any]:
    """The apps the user holds a role in, each with just the forms they have a right on."""
    return [_visible(conn, guard, definitions.current(conn, row.key)[0]) for row in definitions.list_apps(conn)
            if guard.app_visible(conn, row.key)]


def _visible(conn: Any, guard: Guard, app: Any) -> Any:
    forms = []
    for form in app.forms:
        try:
            guard.form(conn, app.key, form.key)
        except NotFound:
            continue
        forms.append(form)
    return app if len(forms) == len(app.forms) else app.model_copy(update={"forms": forms})


@router.get("/")
def home(request: Request, user: Viewer, guard: PageGuard, db: DB) -> Response:
    """The apps and forms the user may see (dashboards and the task inbox join with their issues)."""
    with db.read() as conn:
        apps = _apps(conn, guard)
        templates = addons.install_state(conn) if user.is_admin else []  # 模板库: CRM, 进销存, 项目管理
    return render(request, "apps/home.html", user=user, apps=apps, templates=templates)


@router.get("/apps/{app}")
def app_page(request: Request, app: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    with db.read() as conn:
        if not guard.app_visible(conn, app):
            raise NotFound(f"应用 {app} 不存在", f"no app {app!r}")
        definition, version = definitions.current(conn, app)
        definition = _visible(conn, guard, definition)
        manager = guard.may_manage(conn, app)
        draft = _draft_parts(app, definitions.draft_changes(conn, app)) if manager else None
    return render(request, "apps/app.html", user=user, app=definition, version=version, manager=manager, draft=draft)


_DESIGNERS = {"forms": "builder/forms/{key}", "flows": "builder/flows/{key}", "reports": "builder/dashboards/{key}",
              "roles": "builder/roles", "hooks": "hooks"}
"""Which page edits each top-level part of a definition (`{key}`: the part's key in the path)."""


def _draft_parts(app: str, changes: dict[str, Any]) -> dict[str, list[tuple[str, str]]] | None:
    """The draft's changed parts per kind (added / updated / removed), each with the designer that
    publishes it: `forms[customer].fields[level]` → the form builder of customer."""
    if not changes["pending"]:
        return None
    parts: dict[str, list[tuple[str, str]]] = {}
    for kind in ("added", "updated", "removed"):
        for path in changes[kind]:
            top, _, rest = path.partition("[")
            page = _DESIGNERS.get(top)
            whole_part_gone = kind == "removed" and "]." not in path  # its designer is gone with it
            href = (f"/apps/{app}/" + page.format(key=rest.partition("]")[0]) if page and rest and not whole_part_gone
                    else f"/apps/{app}")
            parts.setdefault(kind, []).append((path, href))
    return parts


async def page_error(request: Request, exc: Exception) -> Response:
    """Errors on pages as a page; under /api/ the one JSON mapping answers as always."""
    assert isinstance(exc, EngineError)
    if request.url.path.startswith("/api/"):
        return await api_errors.engine_error_response(request, exc)
    lang = ui_language(request)
    message = exc.message_en if lang == "en" and exc.message_en else exc.message
    code = api_errors.status_of(exc)
    return render(request, "error.html", status=code, code=code, message=message,
                  user=None)


def install(app: FastAPI) -> None:
    """Add the pages, their static files and the redirect to /login for pages without a session."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(LoginRequired, to_login)
    app.add_exception_handler(EngineError, page_error)
    shared_routes.include(app, "pages", _include_pages)


def _include_pages(app: FastAPI) -> None:
    """The pages' routers."""
    for module_router in (router, lists.router, records.router, kanban.router, builder.router, inbox.router, dashboards.router,
                          flow_designer.router, flow_admin.router,
                          messages_page.router, merge.router):
        app.include_router(module_router)
    app.include_router(dashboard_editor.router)  # 仪表盘设计 (/apps/{app}/builder/dashboards)
    app.include_router(chart_builder.router)  # the chart builder (issue 25)
    app.include_router(print_pages.router)  # the print view and the print template editor
    app.include_router(import_pages.router)  # the import wizard (issue 26)
    app.include_router(roles.router)  # 角色与权限 and 离职交接 (issue 27)
    app.include_router(org_admin_router)  # 管理 → 组织架构 (/admin/org, /admin/users/…) and /account/password
    app.include_router(audit_viewer_router)  # 管理 → 审计日志 (/admin/audit)
    app.include_router(system_settings_page.router)  # 系统设置 (issue 27)
    app.include_router(recycle_bin.router)  # 回收站 (issue 26)
    app.include_router(duplicate_groups.router)  # 查重 (issue 26)
    app.include_router(hooks_page.router)  # 接收接口: an app's inbound hooks and their deliveries (issue 29)
    app.include_router(template_upgrade.router)  # 升级模板, export and copy (issue 29)
    app.include_router(timeline.router)  # 时间线 / 甘特图 of a form's declared timelines (issue 29)
    app.include_router(timeline_builder.router)  # 时间线设置: a form's timelines on the draft (issue 29)
