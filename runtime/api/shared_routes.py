"""Routers included once per process, their routes shared by every app made after.

FastAPI builds an included router's routes (each parameter's pydantic validator) when the app first
matches a request against them: about 0.2 s for Tangram's ~60 routers. One server builds one app, so it
pays that once; the test suite builds an app per test and paid it thousands of times. The routes hold no
state of the app they were first included in: none of them reads `app.dependency_overrides` (nothing in
Tangram sets it), and what differs per app (settings, database, clock) is read from `request.app.state`.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from starlette.routing import BaseRoute

_INCLUDED: dict[str, list[BaseRoute]] = {}


def include(app: FastAPI, name: str, add: Callable[[FastAPI], None]) -> None:
    """Add to `app` the routes `add` includes, as `add(app)` would; `add` runs once per process per `name`,
    later apps get the same route objects (already built, if an earlier app answered requests)."""
    routes = _INCLUDED.get(name)
    if routes is None:
        before = len(app.router.routes)
        add(app)
        _INCLUDED[name] = app.router.routes[before:]
    else:
        app.router.routes.extend(routes)
