"""Dependency aliases for the routes: the database, the clock, the current user.

Dependencies without I/O are `async def` so FastAPI does not hop to a worker thread for them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Header, Path, Query, Request
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from engine.errors import Unauthorized
from engine.forms.fields.relation import MAX_ID
from runtime.accounts.users import actor_of, expired, user_for_token
from runtime.analytics.mirror import Mirror
from runtime.analytics.published import PublishedMirror
from runtime.auth import csrf, sessions, view_as
from runtime.auth.forced_change import require_changed
from runtime.auth.token_cache import TokenCache
from runtime.auth.tokens import refuse_read_only_writes
from runtime.db.db import Database
from runtime.records.context import Actor, Change
from runtime.settings import Settings
from runtime.system_settings import store as system_settings


async def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def clock(request: Request) -> datetime:
    """The clock; tests replace app.state.clock to move time."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock else datetime.now(UTC)


def site_zone(request: Request) -> ZoneInfo:
    """The site's time zone as 系统设置 has it now (TANGRAM_TIMEZONE unless changed there): no restart needed."""
    return system_settings.site_zone(request.app.state.db, request.app.state.settings)


async def site_zone_async(request: Request) -> ZoneInfo:
    """site_zone for async code: it hops to a thread only when the cache must ask the database."""
    if system_settings.stale(request.app.state.db):
        return await run_in_threadpool(site_zone, request)
    return site_zone(request)


async def current_user(request: Request, db: Annotated[Database, Depends(get_db)],
                       authorization: Annotated[str | None, Header()] = None) -> Actor:
    """The user of the bearer token, else of the session cookie (whose changes need the CSRF token); 401 without."""
    scheme, _, token = (authorization or "").partition(" ")
    from_session = False
    if scheme.lower() == "bearer" and token:
        token = token.strip()
    elif authorization is None and (token := sessions.session_token(request) or ""):
        await csrf.verify(request, token)
        from_session = True
    else:
        raise Unauthorized("请先登录", "a bearer token or a session is required")
    now = clock(request)

    def lookup() -> Any:
        with db.read() as conn:
            return user_for_token(conn, token, now)

    cache: TokenCache = request.app.state.token_cache
    user = cache.get(token)
    if user is None:
        generation = cache.generation
        user = await run_in_threadpool(lookup)
        if user is not None:
            cache.put(token, user, generation)
    elif expired(user, now):
        user = None  # expired since it was cached
    if user is None:
        raise Unauthorized("登录已失效，请重新登录", "the token is invalid, expired or revoked")
    request.state.token = token  # logout revokes exactly this one
    require_changed(request.url.path, user)
    actor = actor_of(user, request.client.host if request.client else None)
    request.state.username = actor.username  # for the access line (api/request_log.py)
    viewed = view_as.viewed_user(request, token) if from_session and actor.is_admin else None
    if viewed is not None:  # 查看为: the administrator sees what this user sees, read-only
        admin = actor

        def as_viewed() -> Actor | None:
            with db.read() as conn:
                return view_as.viewing_actor(conn, admin, viewed)

        actor = await run_in_threadpool(as_viewed) or actor
    refuse_read_only_writes(request.method, actor)
    return actor


def change_for(request: Request, actor: Actor) -> Change:
    return Change(actor, clock(request), site_zone(request), limits=request.app.state.limits)


async def now(request: Request) -> datetime:
    return clock(request)


async def get_mirror(request: Request) -> Mirror | PublishedMirror:
    """The analytics mirror: the one `tangram serve` chose (its own, or the owner's published copy:
    runtime/analytics/owner.py), else `<data_dir>/analytics.duckdb` opened on first use (an app made
    by create_app alone, as in tests, is its own owner)."""
    state = request.app.state
    if getattr(state, "mirror", None) is None:
        state.mirror = Mirror(state.settings.data_dir / "analytics.duckdb", state.settings.mirror_memory_limit)
    return state.mirror  # type: ignore[no-any-return]


DB = Annotated[Database, Depends(get_db)]
MirrorDB = Annotated[Mirror | PublishedMirror, Depends(get_mirror)]
CurrentUser = Annotated[Actor, Depends(current_user)]
Now = Annotated[datetime, Depends(now)]
AppSettings = Annotated[Settings, Depends(get_settings)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row id in a URL. Ids are 64-bit on both databases: a larger number is a 422 naming the
parameter, not an overflow in the database driver."""
Version = Annotated[int, Path(ge=1, le=2**31 - 1)]
"""An app's version number in a URL: a 32-bit integer in the database."""
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
"""A row id in a query string (a filter, a `before` cursor), bounded as `Id`."""
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row id in a request body, bounded as `Id`."""
Body = dict[str, Any]
