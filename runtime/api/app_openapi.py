"""GET /api/v1/apps/{app}/openapi.json: the typed records API of one app, as the caller sees it (issue 29).

The permission gate says, per form, which fields the caller sees and how, and which operations they hold;
engine/openapi builds the document from that and the published definition. Documents are cached by the
app's version and those sights, so publishing a new version, or a change of the caller's roles, gives a
new document and the rest are served from memory."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection, Engine

from engine.errors import NotFound
from engine.limits import Limits
from engine.openapi.document import app_document
from engine.openapi.sight import OPERATIONS, FormSight
from runtime.api.deps import DB
from runtime.api.guard import Gatekeeper
from runtime.apps import definitions
from runtime.permissions.check import Guard
from runtime.records.listing import MAX_LIMIT

router = APIRouter(tags=["apps"])

KEPT = 64
"""Documents kept per database: a few apps times the few distinct sights their users have."""

_documents: WeakKeyDictionary[Engine, OrderedDict[Any, bytes]] = WeakKeyDictionary()
"""The documents as the JSON answered: 240 KB for the CRM, not encoded again for each caller."""
_lock = threading.Lock()


def sights(conn: Connection, guard: Guard, app: str) -> list[FormSight]:
    """The forms of the app the caller may see, with their fields (hidden ones left out) and rights."""
    definition, _ = definitions.current(conn, app)
    out = []
    for form in definition.forms:
        try:
            gate = guard.form(conn, app, form.key)
        except NotFound:  # a form the caller has no right on is absent, as it is from every other answer
            continue
        fields = tuple((k, gate.access(k)) for k in form.field_keys if gate.access(k) != "hidden")
        out.append(FormSight(form, fields, frozenset(op for op in OPERATIONS if gate.may(op))))
    return out


def document(conn: Connection, guard: Guard, app: str, limits: Limits) -> bytes:
    """The caller's document of the app's current version as JSON, from the cache when another caller saw the same."""
    definition, version = definitions.current(conn, app)
    seen = sights(conn, guard, app)
    if not seen and not guard.app_visible(conn, app):
        raise NotFound(f"应用 {app} 不存在", f"no app {app!r}")
    key = (app, version, tuple(s.signature() for s in seen))
    with _lock:
        cache = _documents.setdefault(conn.engine, OrderedDict())
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    built = json.dumps(app_document(definition, version, seen, limits, MAX_LIMIT), ensure_ascii=False,
                       separators=(",", ":")).encode()
    with _lock:
        cache[key] = built
        while len(cache) > KEPT:
            cache.popitem(last=False)
    return built


@router.get("/api/v1/apps/{app}/openapi.json")
def app_openapi(app: str, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """The app's OpenAPI 3.1 document: each form's create, bulk, list, get, update, delete, import and
    export with a JSON Schema per form, only the forms, fields and operations the caller may see."""
    with db.read() as conn:
        return Response(document(conn, guard, app, request.app.state.limits), media_type="application/json")
