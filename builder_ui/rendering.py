"""The Jinja2 environment of the pages (autoescape, StrictUndefined) and `render()`.

The ChoiceLoader is where a site's own templates would go first; `{% extends "default:base.html" %}`
then still reaches the built-in ones (as in Datasette)."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from builder_ui import i18n
from builder_ui.cells import cell_text, local_time
from runtime.accounts.people import display_names
from runtime.api.deps import site_zone
from runtime.auth import csrf, sessions
from runtime.flows import flows, messages
from runtime.system_settings import store as system_settings

TEMPLATES = Path(__file__).parent / "templates"
_default = FileSystemLoader(TEMPLATES)


def _json_script(value: Any) -> Markup:
    """JSON for `<script type="application/json">`: `<`, `>` and `&` escaped so it cannot close the tag."""
    text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


env = Environment(
    loader=ChoiceLoader([_default, PrefixLoader({"default": _default})]),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["json_script"] = _json_script


def display_name(thing: Any, lang: str = "zh") -> str:
    """A field's label or a form's / app's name, in English when asked and the definition has one."""
    own = "label" if hasattr(thing, "label") and not callable(thing.label) else "name"
    english = getattr(thing, f"{own}_en", None)
    return str(english if lang == "en" and english else getattr(thing, own))


def _inbox_count(request: Request, user: Any) -> int:
    """The top bar's 待办 count on every page: one indexed count of the user's open tasks."""
    if user is None or not getattr(user, "username", None):
        return 0
    with request.app.state.db.read() as conn:
        return flows.open_task_count(conn, user.username)


def _top_bar(request: Request, user: Any) -> dict[str, Any]:
    """The top bar's 消息 count (the user's unread in-app messages) and the user's display name."""
    if user is None or not getattr(user, "username", None):
        return {"messages_count": 0, "my_name": None}
    with request.app.state.db.read() as conn:
        return {"messages_count": messages.unread_count(conn, user.username),
                "my_name": display_names(conn, [user.username]).get(user.username)}


def _brand(request: Request) -> dict[str, Any]:
    """系统设置 → 品牌: the name the top bar shows (None: 七巧板 / Tangram) and whether it shows a logo."""
    with request.app.state.db.read() as conn:
        settings = system_settings.effective(conn, request.app.state.settings, secrets=False)
    return {"brand_name": settings.brand_name, "brand_logo": settings.brand_logo is not None}


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page with what every template needs: words, language, user, CSRF token."""
    lang = i18n.language(request)
    zone = site_zone(request)
    token = sessions.session_token(request)
    user = context.pop("user", None)
    html = env.get_template(template).render(
        request=request, t=i18n.translator(lang), lang=lang, user=user, inbox_count=_inbox_count(request, user),
        **_top_bar(request, user), **_brand(request),
        csrf_token=csrf.token_for(request, token) if token else "",
        when=lambda text: local_time(text, zone), cell=partial(cell_text, zone=zone),
        label=partial(display_name, lang=lang), **context)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, request.query_params["lang"], max_age=365 * 86400, samesite="lax")
    return response
