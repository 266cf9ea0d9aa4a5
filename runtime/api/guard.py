"""The permission dependencies of the routes, and the markers the route test checks.

Every route that reads or writes records takes `Gatekeeper` (the one gate, runtime.permissions.check);
every other route declares `dependencies=[NO_RECORDS]`. tests/runtime/permissions/test_route_permissions.py fails
for a route that has neither, so a route added later cannot skip the gate by accident."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from engine.errors import Forbidden
from runtime.api.deps import CurrentUser, clock, site_zone_async
from runtime.permissions.check import Guard
from runtime.records.context import Actor


async def guard(request: Request, user: CurrentUser) -> Guard:
    """The gate for this request's actor, however they authenticated (bearer token or session cookie).
    No I/O here: `async` keeps FastAPI from hopping to a worker thread for it."""
    return Guard(user, clock(request), await site_zone_async(request))


async def no_records() -> None:
    """Marker: this route reads and writes no records (users, departments, health …)."""


async def system_write() -> None:
    """Marker: this route acts for no user — an inbound webhook authenticated by its flow's own token — and
    writes records as the system, exactly as the app definition says; there is no actor to gate."""


def require_admin(user: Actor) -> None:
    if not user.is_admin:
        raise Forbidden("只有管理员可以这样做", "only administrators may do this", operation="admin")


Gatekeeper = Annotated[Guard, Depends(guard)]
NO_RECORDS = Depends(no_records)
SYSTEM_WRITE = Depends(system_write)

__all__ = ["Gatekeeper", "NO_RECORDS", "SYSTEM_WRITE", "guard", "no_records", "system_write", "require_admin"]
