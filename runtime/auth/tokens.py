"""What an API token allows: its apps and its scope. A "read" token changes nothing, anywhere."""

from __future__ import annotations

from engine.errors import Forbidden
from runtime.records.context import Actor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def refuse_read_only_writes(method: str, actor: Actor) -> None:
    """403 for an unsafe request made with a read-only token (checked once, for every route)."""
    if actor.scope == "read" and method.upper() not in SAFE_METHODS and actor.viewed_by is not None:
        raise Forbidden(f"正在以 {actor.username} 的身份查看（只读），不能修改数据",
                        f"viewing as {actor.username} (read-only): nothing can be changed", reason="view_as")
    if actor.scope == "read" and method.upper() not in SAFE_METHODS:
        raise Forbidden("此令牌为只读，不能修改数据", "this token is read-only", reason="token_scope")


def token_allows_app(actor: Actor, app: str) -> bool:
    """Whether the token the request came with reaches this app (login tokens reach every app)."""
    return actor.apps is None or app in actor.apps


__all__ = ["SAFE_METHODS", "refuse_read_only_writes", "token_allows_app"]
