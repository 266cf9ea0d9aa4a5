"""Inbound hooks over HTTP: `POST /api/v1/hooks/{app}/{hook}`, where another system pushes JSON, authenticated
by the hook's own secret only (an HMAC signature of the raw body, or a bearer token); and, for those who
manage the app, the hooks with their URLs, a hook saved into the definition, its secret rotated (shown once)
and the deliveries log (docs/integrations.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from engine.errors import EngineError, InvalidDefinition, Issue, NotFound, Unauthorized, ValidationFailed
from engine.expr.errors import ExpressionError
from engine.hooks.mapping import check_expression
from engine.hooks.model import InboundHook
from runtime import audit
from runtime.api import flows as flow_routes
from runtime.api.deps import DB, Now, change_for, site_zone
from runtime.api.errors import language, status_of
from runtime.api.guard import SYSTEM_WRITE, Gatekeeper
from runtime.apps import definitions
from runtime.hooks import deliveries, receive, secrets

router = APIRouter(prefix="/api/v1", tags=["hooks"])


def hook_url(request: Request, app: str, hook: str) -> str:
    return str(request.base_url).rstrip("/") + f"/api/v1/hooks/{app}/{hook}"


def _error_json(error: EngineError, lang: str) -> dict[str, Any]:
    message = error.message_en if lang == "en" and error.message_en else error.message
    return {"code": error.code, "message": message, "details": [i.as_dict(lang) for i in error.issues]}


def _log_failure(db: Any, app: str, hook: str, now: Any, error: EngineError, body: bytes, delivery_id: str | None,
                 form: str, lang: str) -> None:
    """A delivery that wrote nothing, logged in a transaction of its own (the write's rolled back)."""
    status = status_of(error)
    with db.write() as conn:
        deliveries.log(conn, app, hook, now, status=status, outcome="invalid" if status == 422 else "failed",
                       answer={}, body=body, delivery_id=delivery_id, error=_error_json(error, lang), form=form)


def _replay(row: Any) -> JSONResponse:
    return JSONResponse(row.answer, status_code=row.status, headers={"X-Tangram-Replayed": "true"})


@router.post("/hooks/{app}/{hook}", status_code=201, dependencies=[SYSTEM_WRITE])
async def deliver(app: str, hook: str, request: Request, db: DB, now: Now, token: str | None = None) -> Any:
    """Receive one delivery. 401 when the secret is not proven (logged as a refusal, without the body); the
    same delivery id again answers the first success and writes nothing; a payload that does not fit
    answers 422 naming its JSON path and writes nothing. An app with no inbound hook of that key falls back
    to the webhook trigger of a flow of that key (docs/flows.md)."""
    body = await request.body()
    headers = request.headers
    with db.read() as conn:
        definition, version = definitions.current(conn, app)
        found = next((h for h in definition.hooks if h.key == hook), None)
        secret = secrets.secret_of(conn, app, hook) if found is not None else None
    if found is None:
        given = headers.get("x-tangram-token") or token or ""
        try:
            data = json.loads(body or b"null")
        except ValueError:
            data = None
        return await _in_thread(flow_routes.start_by_webhook, app, hook, data, request, db, now, given)
    return await _in_thread(_deliver, db, request, now, definition, version, found, secret, body)


async def _in_thread(fn: Any, *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


def _proven(hook: InboundHook, secret: str | None, body: bytes, headers: Any) -> bool:
    if secret is None:
        return False
    if hook.auth == "bearer":
        return secrets.bearer_ok(secret, headers.get("authorization"))
    return secrets.signed(secret, body, headers.get(hook.signature_header))


def _deliver(db: Any, request: Request, now: Any, definition: Any, version: int, hook: InboundHook,
             secret: str | None, body: bytes) -> Any:
    app, lang, headers = definition.key, language(request), request.headers
    if not hook.enabled:
        raise NotFound(f"接收接口 {hook.key} 已停用", f"the hook {hook.key!r} is disabled")
    if not _proven(hook, secret, body, headers):
        with db.write() as conn:  # the refusal only: neither the body nor the delivery id it claims
            deliveries.log(conn, app, hook.key, now, status=401, outcome="refused", answer={},
                           error={"code": "unauthorized", "message": "签名或令牌不对 / signature or token wrong"})
        raise Unauthorized("接收接口的签名或令牌不对", "the hook's signature or token is missing or wrong")
    delivery_id = (headers.get(hook.delivery_header) or "").strip()[:200] or None
    if delivery_id is not None:
        with db.read() as conn:
            earlier = deliveries.answered(conn, app, hook.key, delivery_id)
        if earlier is not None:
            return _replay(earlier)
    try:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as e:  # RecursionError: nested deeper than the parser goes
            why = getattr(e, "msg", "nested too deeply")
            raise ValidationFailed("请求体不是合法的 JSON", "the body is not valid JSON",
                                   issues=[Issue("payload", "not_json", f"不是合法的 JSON：{why}",
                                                 f"not valid JSON: {why}")]) from None
        with db.write() as conn:
            written = receive.write(conn, definition, version, hook, document, now, site_zone(request),
                                    request.app.state.limits)
            answer = written.answer(hook.form) | {"delivery_id": delivery_id}
            status = 201 if written.outcome in ("created", "flow") else 200
            deliveries.log(conn, app, hook.key, now, status=status, outcome=written.outcome,
                                                answer=answer, body=body, delivery_id=delivery_id, form=hook.form,
                                                record_id=written.record_id)
    except IntegrityError:
        # the same delivery id, answered meanwhile by a twin request: its answer, and this one's write undone
        with db.read() as conn:
            earlier = deliveries.answered(conn, app, hook.key, delivery_id or "")
        if earlier is None:
            raise
        return _replay(earlier)
    except EngineError as e:
        _log_failure(db, app, hook.key, now, e, body, delivery_id, hook.form, lang)
        raise
    return JSONResponse(answer, status_code=status)


def _managed(conn: Any, guard: Any, app: str) -> Any:
    guard.require_manage(conn, app)  # 404 for an app they cannot see, 403 for one they do not manage
    return definitions.current(conn, app)


@router.get("/apps/{app}/hooks")
def list_hooks(app: str, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """The app's inbound hooks with their URLs and when their secret was made (never the secret itself)."""
    with db.read() as conn:
        definition, _ = _managed(conn, guard, app)
        made = secrets.made_at(conn, app)
    return {"items": [h.model_dump(mode="json", exclude_none=True) | {
        "url": hook_url(request, app, h.key), "secret_set_at": made[h.key].isoformat() if h.key in made else None}
        for h in definition.hooks]}


def _with_hook(data: dict[str, Any], hook: str, body: dict[str, Any] | None) -> dict[str, Any]:
    """The definition with the hook added or replaced (`body`), or taken out (None), in its place."""
    hooks = list(data.get("hooks", []))
    keys = [h.get("key") for h in hooks]
    if body is None:
        hooks = [h for h in hooks if h.get("key") != hook]
    elif hook in keys:
        hooks[keys.index(hook)] = body | {"key": hook}
    else:
        hooks.append(body | {"key": hook})
    return data | {"hooks": hooks}


def _publish(conn: Any, request: Request, guard: Any, app: str, hook: str, body: dict[str, Any] | None) -> Any:
    """Publish the current definition with the hook changed. A builder's pending draft (forms, flows …
    not yet published) is kept, with the same change made to it — publishing here must not wipe it."""
    definition, _ = definitions.current(conn, app)
    pending = definitions.draft(conn, app)
    has_draft = pending != definition.dump()
    change = change_for(request, guard.actor)
    new, version = definitions.upgrade_app(conn, app, _with_hook(definition.dump(), hook, body), change)
    if has_draft:
        try:
            definitions.save_draft(conn, app, _with_hook(pending, hook, body), change)
        except InvalidDefinition:  # the draft no longer has the hook's form …: it stays as it was
            definitions.save_draft(conn, app, pending, change)
    return new, version


@router.put("/apps/{app}/hooks/{hook}")
def save_hook(app: str, hook: str, body: Annotated[dict[str, Any], Body()], request: Request, db: DB,
              guard: Gatekeeper) -> Any:
    """Add or change one hook in the app's definition and publish it (422 with every issue at its path); a
    hook new to the app gets its first secret, answered this once as `secret`."""
    with db.write() as conn:
        _managed(conn, guard, app)
        new, version = _publish(conn, request, guard, app, hook, body)
        audit.write(conn, "hook.save", guard.actor, guard.now, app=app, detail={"hook": hook, "version": version})
        answer: dict[str, Any] = new.hook(hook).model_dump(mode="json", exclude_none=True) | {
            "url": hook_url(request, app, hook), "version": version}
        if secrets.secret_of(conn, app, hook) is None:
            answer["secret"] = secrets.rotate(conn, app, hook, guard.now, guard.actor.username)
    return answer


@router.delete("/apps/{app}/hooks/{hook}", status_code=204)
def remove_hook(app: str, hook: str, request: Request, db: DB, guard: Gatekeeper) -> None:
    """Take a hook out of the definition (its deliveries log stays; its secret goes)."""
    with db.write() as conn:
        definition, _ = _managed(conn, guard, app)
        definition.hook(hook)
        _publish(conn, request, guard, app, hook, None)
        secrets.forget(conn, app, hook)
        audit.write(conn, "hook.remove", guard.actor, guard.now, app=app, detail={"hook": hook})


@router.post("/apps/{app}/hooks/{hook}/secret")
def rotate_secret(app: str, hook: str, db: DB, guard: Gatekeeper) -> Any:
    """A new secret for the hook, replacing the old at once: answered this once, never shown again."""
    with db.write() as conn:
        definition, _ = _managed(conn, guard, app)
        definition.hook(hook)
        secret = secrets.rotate(conn, app, hook, guard.now, guard.actor.username)
        audit.write(conn, "hook.secret", guard.actor, guard.now, app=app, detail={"hook": hook})
    return {"hook": hook, "secret": secret}


@router.get("/apps/{app}/hook-deliveries")
def list_deliveries(app: str, db: DB, guard: Gatekeeper, hook: str | None = None,
                    status: Annotated[str | None, Query(pattern="^(ok|error)$")] = None,
                    delivery_id: str | None = None, record_id: int | None = None, before: int | None = None,
                    limit: Annotated[int, Query(ge=1, le=deliveries.MAX_LIMIT)] = 50) -> Any:
    """The app's deliveries, newest first (filters: hook, ok / error, delivery id, record; `before` pages)."""
    with db.read() as conn:
        _managed(conn, guard, app)
        rows = deliveries.search(conn, app, hook=hook, status=status, delivery_id=delivery_id, record_id=record_id,
                                 before=before, limit=limit)
    items = [deliveries.delivery_json(r) for r in rows]
    return {"items": items, "next": items[-1]["id"] if len(items) == limit else None}


@router.post("/apps/{app}/hooks/check")
def check_mapping(app: str, body: Annotated[dict[str, Any], Body()], db: DB, guard: Gatekeeper) -> Any:
    """The engine's check of one mapping row (`{"form", "field", "expression"}`): `ok`, or the message with
    the position, as publishing would say it."""
    with db.read() as conn:
        definition, _ = _managed(conn, guard, app)
    form = definition.form(str(body.get("form", "")))
    try:
        check_expression(str(body.get("expression", "")), form)
    except ExpressionError as e:
        return {"ok": False, "message": e.message, "message_en": e.message_en}
    field = form.by_key.get(str(body.get("field", "")))
    if field is None or field.computed:
        return {"ok": False, "message": f"字段 {body.get('field')} 不能写入", "message_en": "the field cannot be written"}
    return {"ok": True}
