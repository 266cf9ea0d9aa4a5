"""The messages page (消息): the in-app messages the user received — 抄送 copies, notices, reminders, new
to-dos — newest first, each with its text, time and the record it concerns (named by its title as the reader
may see it), unread ones marked; 全部 / 未读 tabs, keyset pages. Marking read (one, or all) is the browser
calling the messages API (static/js/messages.js); the top bar's count follows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui.inbox import titled
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from runtime.api.deps import DB, IdQuery
from runtime.flows import messages
from runtime.schemas.flows import message_json

router = APIRouter(include_in_schema=False)
SHOWN = 50
"""Messages per page (下一页 carries the last one's id)."""


@router.get("/messages")
def messages_page(
    request: Request, user: Viewer, guard: PageGuard, db: DB, unread: bool = False, before: IdQuery = None
) -> Response:
    with db.read() as conn:
        rows = messages.inbox(conn, user.username or "", unread=unread, limit=SHOWN + 1, before=before)
        items = [message_json(r) for r in rows[:SHOWN]]
        titled(conn, guard, items)
    return render(
        request,
        "messages/messages.html",
        user=user,
        items=items,
        unread=unread,
        before=before,
        next_before=rows[SHOWN - 1].id if len(rows) > SHOWN else None,
    )
