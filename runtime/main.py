"""create_app(settings): the FastAPI application over one database."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import FastAPI

from builder_ui import pages
from runtime.api import apps, auth, errors, files, preview, records, selection, views
from runtime.settings import Settings
from runtime.storage.db import Database, open_database


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """The service. The schema must exist already (`tangram db upgrade`, or `tangram serve --init`)."""
    settings = settings or Settings()
    app = FastAPI(title="Tangram", version="0.1.0", description="Self-hosted no-code platform: forms, flows, reports.")
    app.state.settings = settings
    app.state.db = db or open_database(settings.url(), sqlite_json=settings.sqlite_json)
    app.state.timezone = ZoneInfo(settings.timezone)
    app.state.clock = None
    errors.install(app)
    for module in (auth, apps, records, files, views, selection, preview):
        app.include_router(module.router)
    pages.install(app)
    return app
