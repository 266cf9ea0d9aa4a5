"""Apps made in one process share their routes (runtime/api/shared_routes.py), never their state: each
answers from its own database and settings, whichever app answered first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from runtime.db.db import open_database
from runtime.main import create_app
from runtime.settings import Settings
from tests import backends
from tests.factories import Maker


def _app(folder: Path, **settings: Any) -> Any:
    folder.mkdir()
    db = open_database(f"sqlite:///{folder}/tangram.db")
    backends.stamp_head(db)
    return create_app(Settings(data_dir=folder, database_url="unused://", **settings), db)


def test_two_apps_share_routes_and_answer_from_their_own_database(tmp_path: Path) -> None:
    first, second = _app(tmp_path / "a"), _app(tmp_path / "b", max_body_mb=1)
    shared = {id(r) for r in first.router.routes} & {id(r) for r in second.router.routes}
    assert len(shared) > 40  # the routers, built once
    with TestClient(first) as a, TestClient(second) as b:
        made = Maker(first, a)
        made.app_def()
        made.record("customer", {"name": "甲公司"})
        other = Maker(second, b)
        assert b.get("/api/v1/apps", headers=other.admin).json()["items"] == []  # not the first app's
        assert b.get("/api/v1/apps/shop/forms/customer/records", headers=other.admin).status_code == 404
        assert a.get("/api/v1/apps/shop/forms/customer/records", headers=made.admin).json()["items"][0]["data"][
            "name"] == "甲公司"
        big = "x" * (2 << 20)  # each app's own body limit: 1 MiB on the second, the default on the first
        assert b.post("/api/v1/apps/shop/forms/customer/records", headers=other.admin,
                      json={"data": {"name": big}}).status_code == 413
        assert a.post("/api/v1/apps/shop/forms/customer/records", headers=made.admin,
                      json={"data": {"name": big}}).status_code != 413
