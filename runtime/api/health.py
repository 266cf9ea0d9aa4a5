"""Health for load balancers and orchestrators, without authentication (docs/deployment.md).

`/health` is readiness: the database answers, its schema is the one this code needs (the alembic head),
and the analytics mirror, when this process has one, is not too far behind. 200 with the checks when all
pass, 503 naming the failing ones otherwise. `/health/live` is liveness: the process answers, nothing else
is looked at, so a database outage takes the servers out of the pool without restarting them."""

from __future__ import annotations

import logging
import os
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from runtime.api.deps import DB, clock
from runtime.api.guard import NO_RECORDS
from runtime.db import schema
from runtime.db.db import Database

router = APIRouter(prefix="/api/v1", tags=["health"], dependencies=[NO_RECORDS])
root = APIRouter(tags=["health"], dependencies=[NO_RECORDS], include_in_schema=False)
"""The same two checks at /health and /health/live, where orchestrators and load balancers look first."""
log = logging.getLogger("tangram.health")


def database_checks(db: Database) -> dict[str, dict[str, Any]]:
    """The database answers a query, and its schema revision is the head of migrations/."""
    expected = schema.expected_revision()
    try:
        with db.read() as conn:
            conn.execute(text("SELECT 1"))
            revision = schema.revision_on(conn)
    except Exception as e:  # noqa: BLE001 — any failure means not ready; the details go to the log, not the body
        log.warning("health: the database does not answer: %s: %s", type(e).__name__, e)
        return {"database": {"ok": False, "error": "unreachable"},
                "schema": {"ok": False, "revision": None, "expected": expected}}
    current = {"ok": revision == expected, "revision": revision, "expected": expected}
    if not current["ok"]:
        current["command"] = "tangram serve --init" if revision is None else "tangram db upgrade"
    return {"database": {"ok": True}, "schema": current}


def mirror_check(request: Request) -> dict[str, Any] | None:
    """Seconds since the mirror's last sync (or, in a server reading the owner's published copy, since the
    moment that copy is current as of), when this process has a mirror; too many (settings) fail."""
    mirror = getattr(request.app.state, "mirror", None)
    if mirror is None:
        return None
    limit = request.app.state.settings.health_mirror_max_lag
    role = {"owner": mirror.owned}  # False: the owner's published copy (runtime/analytics/owner.py)
    try:
        synced = mirror.as_of()
    except Exception as e:  # noqa: BLE001 — an unreadable mirror: reports fall back, but the operator should know
        log.warning("health: the mirror cannot be read: %s: %s", type(e).__name__, e)
        return {"ok": False, "error": "unreadable", "lag_seconds": None, **role}
    if synced is None:  # not synced (or published) yet: the first sync is under way, or no owner runs
        return {"ok": True, "lag_seconds": None, **role}
    lag = max(0.0, (clock(request) - synced).total_seconds())
    return {"ok": not limit or lag <= limit, "lag_seconds": round(lag, 3), "max_lag_seconds": limit or None, **role}


@router.get("/health")
@root.get("/health")
def ready(request: Request, db: DB) -> Any:
    """Readiness: 200 and the checks when the database answers with the current schema (and the mirror
    keeps up); 503 with the same body naming the failing checks otherwise."""
    checks = database_checks(db)
    if (mirror := mirror_check(request)) is not None:
        checks["mirror"] = mirror
    failing = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "unavailable" if failing else "ok", "database": db.describe(), "checks": checks, "failing": failing}
    return JSONResponse(body, status_code=503 if failing else 200)


@router.get("/health/live")
@root.get("/health/live")
async def live() -> Any:
    """Liveness: the process answers (no database, no I/O), with its pid: behind one port (`serve --workers N`)
    or a load balancer, which process it was."""
    return {"status": "ok", "pid": os.getpid()}
