"""A password an administrator set or reset must be replaced by the user at their next login: until then a
login or session token opens only the pages and routes needed to change it (or to leave). API tokens
are not affected: an integration is not the person who must choose a password."""

from __future__ import annotations

from typing import Any

from engine.errors import Forbidden

CHANGE_PAGE = "/account/password"
ALLOWED = frozenset({"/api/v1/me/password", "/api/v1/me", "/api/v1/auth/logout", CHANGE_PAGE, "/logout"})


class PasswordChangeRequired(Forbidden):
    """403 on the API; the pages answer it with a redirect to the change page."""


def require_changed(path: str, row: Any) -> None:
    """Refuse the request when the user of this user_for_token row must first change their password."""
    if row.must_change_password and row.kind != "api" and path not in ALLOWED:
        raise PasswordChangeRequired(
            "请先修改密码（管理员要求下次登录时修改）",
            "change your password first (an administrator requires it)",
            reason="password_change_required",
        )


__all__ = ["ALLOWED", "CHANGE_PAGE", "PasswordChangeRequired", "require_changed"]
