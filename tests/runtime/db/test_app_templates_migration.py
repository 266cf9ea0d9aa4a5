"""Migration 0028: apps remember the template version they were installed from; apps installed before
take their first version as that base, and the downgrade drops the column."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, inspect, select

from runtime.apps import definitions
from runtime.db import schema
from runtime.db.tables import app_versions, apps
from runtime.records.context import Actor, Change
from tests.backends import fresh_database
from tests.factories import shop


def test_0028_gives_apps_installed_before_their_first_version_as_template(backend: str, tmp_path: Any) -> None:
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db)
        with db.write() as conn:
            definitions.import_app(conn, shop(), Change(Actor(None)))
            first = definitions.current(conn, "shop")[0].dump()
            definitions.upgrade_app(conn, "shop", shop(name="新店"), Change(Actor(None)))
        schema.downgrade(db, "0027")
        with db.engine.connect() as conn:
            assert "template" not in {c["name"] for c in inspect(conn).get_columns("apps")}
            assert conn.scalar(select(func.count()).select_from(app_versions)) == 2  # versions kept
        schema.upgrade(db)
        with db.read() as conn:
            assert conn.scalar(select(apps.c.template).where(apps.c.key == "shop")) == first
