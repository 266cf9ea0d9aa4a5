"""`python -m bench --only app-openapi`: what an app's typed API document costs (issue 29), for the CRM
template as an administrator sees it (every form, field and operation):

- building it in the engine (engine/openapi, no I/O): what the first request after a publish pays;
- GET /api/v1/apps/crm/openapi.json in-process once cached: the gate's sights per form, the cache look-up
  and the JSON of the answer; and the document's size."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bench.databases import fresh_url
from bench.timing import timed_together
from engine.app_check import parse_app
from engine.limits import DEFAULT
from engine.openapi.document import app_document
from engine.openapi.sight import OPERATIONS, FormSight
from runtime.accounts.users import create_user
from runtime.db.db import open_database
from runtime.db.tables import metadata
from runtime.main import create_app
from runtime.settings import Settings

CRM = json.loads((Path(__file__).resolve().parent.parent / "apps" / "crm_template.json").read_text("utf-8"))
REPEAT = 50


def _url(backend: str, tmp: str) -> str:
    return fresh_url(backend, "openapi", Path(tmp))


def run(backends: list[str]) -> list[dict[str, Any]]:
    app_def = parse_app(CRM)
    sights = [FormSight(f, tuple((k, "edit") for k in f.field_keys), frozenset(OPERATIONS)) for f in app_def.forms]
    out = []
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            db = open_database(_url(backend, tmp))
            metadata.create_all(db.engine)
            with db.write() as conn:
                create_user(conn, "admin", "bench-pass-1", datetime.now(UTC), is_admin=True)
            server = create_app(Settings(data_dir=Path(tmp), database_url="unused://"), db)
            with TestClient(server) as client:
                token = client.post("/api/v1/auth/login", json={"username": "admin", "password": "bench-pass-1"})
                headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
                assert client.post("/api/v1/apps", json=CRM, headers=headers).status_code == 201
                size = len(client.get("/api/v1/apps/crm/openapi.json", headers=headers).content)
                build, served = timed_together([
                    lambda: app_document(app_def, 1, sights, DEFAULT, 500),
                    lambda: client.get("/api/v1/apps/crm/openapi.json", headers=headers)], REPEAT)  # noqa: B023
            db.engine.dispose()
            if backend != "sqlite":
                _url(backend, tmp)  # leaves the schema empty
        out.append({"database": backend, "forms": len(app_def.forms), "bytes": size, "build": build, "served": served})
    return out


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| database | forms | document KB | engine build p50/p95 ms | GET cached p50/p95 ms | build/cached |",
             "|---|---:|---:|---|---|---:|"]
    for r in results:
        b, s = r["build"], r["served"]
        lines.append(f"| {r['database']} | {r['forms']} | {r['bytes'] / 1024:,.0f} | {b['p50']:.1f}/{b['p95']:.1f} "
                     f"| {s['p50']:.1f}/{s['p95']:.1f} | {b['p50'] / s['p50']:.2f}× |")
    return "\n".join(lines)
