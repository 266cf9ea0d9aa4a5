"""create_app(settings): the FastAPI application over one database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from builder_ui import pages
from runtime import subscribers
from runtime.api import (
    api_docs,  # /docs from vendored Swagger UI (issue 28)
    app_openapi,
    app_transfer,
    app_upgrades,
    apps,
    auth,
    dashboard_designer,
    dashboard_exports,
    dashboard_subscriptions,
    duplicate_groups,  # 查重 (issue 26)
    duplicates,
    errors,
    exports,
    expressions,
    files,
    flow_admin,
    flow_designer,
    flows,
    handover,
    health,  # /health and /health/live (issue 28)
    import_wizard,
    merge,
    messages,
    org,
    people,
    preview,
    printing,
    records,
    recycle_bin,  # 回收站 (issue 26)
    reports,
    role_designer,
    selection,
    shared_routes,
    spreadsheets,
    tasks,
    tokens,
    view_as,
    views,
    widget_designer,
)
from runtime.api import hooks as hooks_api
from runtime.api import system_settings as settings_api
from runtime.api import templates as templates_api
from runtime.api import user_import as user_import_api
from runtime.api.body_limit import BoundedBody
from runtime.api.nul_guard import RefuseNul
from runtime.api.request_log import RequestLog
from runtime.api.security_headers import SecurityHeaders
from runtime.api.strict_transport import StrictTransport
from runtime.auth.token_cache import TokenCache
from runtime.crypto import keyring
from runtime.db.checkpoints import Checkpointer
from runtime.db.db import Database, open_database
from runtime.jobs.worker import EmbeddedWorker
from runtime.metrics import endpoint as metrics
from runtime.settings import Settings
from runtime.system_settings import store as system_settings


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The embedded job worker runs while the server does (TANGRAM_EMBEDDED_WORKER=false: `tangram worker`),
    and so do SQLite's WAL checkpoints (storage.checkpoints)."""
    checkpoints = app.state.checkpoints = Checkpointer(app.state.db).start()
    worker = None
    if app.state.settings.embedded_worker:
        worker = EmbeddedWorker(app.state.db, app.state.settings,
                                lambda: app.state.clock() if app.state.clock else datetime.now(UTC))
        worker.start()
    try:
        yield
    finally:
        if worker is not None:
            worker.close()
        checkpoints.close()


def _include_api(app: FastAPI) -> None:
    """The API's routers."""
    # Records first: requests try the routers in this order, and most requests are about records.
    # spreadsheets' /records/export goes before records' /{id}.
    for module in (spreadsheets, records, auth, apps, files, org, tokens, flows, tasks, messages, reports, views,
                   selection, preview, flow_designer, flow_admin, expressions,
                   people, duplicates, merge):
        app.include_router(module.router)
    app.include_router(dashboard_designer.router)  # the dashboard editor (/apps/{app}/draft/reports)
    app.include_router(dashboard_exports.router)  # a dashboard as a PDF
    app.include_router(dashboard_subscriptions.router)  # 订阅: a dashboard's snapshots

    app.include_router(widget_designer.router)  # the chart builder's API (issue 25)
    app.include_router(printing.router)  # print templates and printed records (docs/printing.md)
    app.include_router(exports.router)  # whole-list exports from the list page, in the background when large
    app.include_router(import_wizard.router)  # the import wizard (issue 26)
    app.include_router(role_designer.router)  # the roles page (issue 27): roles in the draft, explain
    app.include_router(handover.router)  # 离职交接 (issue 27)
    app.include_router(view_as.router)  # 查看为 (issue 27)
    app.include_router(settings_api.router)  # 系统设置 (issue 27)
    app.include_router(user_import_api.router)  # 通讯录导入 (issue 27)
    app.include_router(recycle_bin.router)  # 回收站: a form's deleted records (issue 26)
    app.include_router(duplicate_groups.router)  # 查重: groups of likely duplicates (issue 26)
    app.include_router(api_docs.router)  # /docs with no network (issue 28)
    app.include_router(app_openapi.router)  # each app's typed API document (issue 29)
    app.include_router(hooks_api.router)  # inbound hooks: other systems push into an app (issue 29)
    app.include_router(templates_api.router)  # bundled templates: 进销存, 项目管理 into the CRM (issue 29)
    app.include_router(app_transfer.router)  # an app exported whole, imported as a copy (issue 29)
    app.include_router(app_upgrades.router)  # 升级模板: template upgrades keeping local changes (issue 29)
    app.include_router(health.router)  # readiness and liveness (issue 28), under /api/v1 and at the root
    app.include_router(health.root)


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """The service. The schema must exist already (`tangram db upgrade`, or `tangram serve --init`)."""
    settings = settings or Settings()
    subscribers.install()
    app = FastAPI(title="Tangram", version="0.1.0", description="Self-hosted no-code platform: forms, flows, reports.",
                  lifespan=_lifespan, docs_url=None, redoc_url=None)  # /docs: runtime/api/api_docs.py
    app.state.settings = settings
    keyring.configure(settings)  # the keys of encrypted fields (none configured: such fields are refused)
    system_settings.install(settings)  # 系统设置: the database's values over these
    app.state.db = db or open_database(settings.url(), sqlite_json=settings.sqlite_json,
                                       lock_wait=settings.lock_wait_seconds)
    app.state.timezone = ZoneInfo(settings.timezone)
    app.state.limits = settings.limits()
    app.state.token_cache = TokenCache().watch(app.state.db.engine)
    app.state.clock = None
    errors.install(app)
    app.add_middleware(RefuseNul, page=pages.page_error)
    app.add_middleware(BoundedBody, max_body=int(settings.max_body_mb * (1 << 20)),
                       max_upload=settings.max_upload_mb << 20)
    if settings.ssl_certfile is not None:
        app.add_middleware(StrictTransport)
    app.add_middleware(SecurityHeaders)  # outermost: RefuseNul's answers get the headers too
    app.add_middleware(RequestLog)  # outside even that: every answer gets its X-Request-ID, every request a line
    shared_routes.include(app, "api", _include_api)
    pages.install(app)
    metrics.install(app)  # /metrics, and request timing as the outermost middleware (issue 28)
    return app
