"""Every route of the service either goes through the permission gate or declares that it touches no records.

A route added later (flows, reports, the web UI) fails here until it does one or the other, so no route
can read records around the gate by accident."""

from __future__ import annotations

from typing import Any

from fastapi import routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from builder_ui.viewer import page_guard
from runtime.api.guard import guard, no_records, system_write
from runtime.main import create_app
from runtime.settings import Settings

HOW_TO_FIX = (
    "Every route must either take the permission gate — a parameter `guard: Gatekeeper` "
    "(runtime/api/guard.py) whose `guard.form(conn, app, form, op)` it calls before touching records — or, "
    "when it reads and writes no records at all, declare `dependencies=[NO_RECORDS]` on the route or its router.")


def _calls(dependant: Dependant) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _api_routes(app: Any) -> list[tuple[str, APIRoute]]:
    """(full path, route) of every API route, through included routers (FastAPI 0.16x keeps them nested)."""
    contexts = getattr(routing, "iter_route_contexts", None)
    if contexts is None:  # older FastAPI: app.routes is flat
        return [(r.path, r) for r in app.routes if isinstance(r, APIRoute)]
    return [(c.path, c.original_route) for c in contexts(app.routes) if isinstance(c.original_route, APIRoute)]


def _routes() -> list[tuple[str, APIRoute]]:
    return _api_routes(create_app(Settings(database_url="sqlite://")))


def test_every_route_goes_through_the_gate_or_declares_it_touches_no_records() -> None:
    unguarded = []
    routes = _routes()
    assert len(routes) >= 30
    for path, route in routes:
        calls = _calls(route.dependant)
        if not calls & {guard, page_guard, no_records, system_write}:
            unguarded.append(f"{','.join(sorted(route.methods))} {path}")
    assert unguarded == [], f"routes without the permission gate: {unguarded}. {HOW_TO_FIX}"


def test_every_route_under_records_takes_the_gate_itself() -> None:
    record_routes = [(p, r) for p, r in _routes() if "/records" in p or p.startswith("/api/v1/files/{")]
    assert len(record_routes) >= 12
    for path, route in record_routes:
        assert _calls(route.dependant) & {guard, page_guard}, f"{path} reads records: {HOW_TO_FIX}"
        assert no_records not in _calls(route.dependant), f"{path} reads records but says it does not"


def test_a_route_without_either_is_caught(monkeypatch: Any) -> None:
    app = create_app(Settings(database_url="sqlite://"))

    @app.get("/api/v1/apps/{app}/forms/{form}/records-peek")
    def peek(app: str, form: str) -> Any:  # what a careless new route would look like
        return {}

    route = next(r for p, r in _api_routes(app) if p.endswith("records-peek"))
    assert guard not in _calls(route.dependant) and no_records not in _calls(route.dependant)
