"""The messages a user receives (抄送, notices, reminders): listed with the record they concern, counted unread
in the top bar, marked read one by one or all at once — through the API and on the 消息 page."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from runtime.accounts import user_search
from runtime.db.tables import users
from tests.factories import Maker
from tests.flows import FlowWorld, approval, approval_flow, tickets


def world(make: Maker) -> FlowWorld:
    make.user("cai", admin=False)  # with a password: cai signs in to the pages
    flow = approval_flow(
        approval({"users": ["li"]}, name="主管审批"),
        {"type": "cc", "to": {"users": ["cai"]}, "title": "报修抄送", "message": "报修单 {summary} 已审批"},
    )
    w = FlowWorld(make, tickets(flow))
    w.users("wang", "li")
    return w


def approved(w: FlowWorld, *summaries: str) -> list[int]:
    ids = []
    for summary in summaries:
        record = w.record({"summary": summary}, user="wang")["id"]
        w.submit(record, user="wang")
        w.decide("li")
        ids.append(record)
    return ids


def test_messages_name_their_record_and_form_and_count_what_is_unread(make: Maker) -> None:
    w = world(make)
    first, second = approved(w, "漏油", "异响")
    listed = w.client.get("/api/v1/messages", headers=w.h("cai")).json()
    assert [(m["title"], m["body"], m["form"], m["record_id"]) for m in listed["items"]] == [
        ("报修抄送", "报修单 异响 已审批", "ticket", second),
        ("报修抄送", "报修单 漏油 已审批", "ticket", first),
    ]
    assert listed["unread_count"] == 2
    assert w.client.get("/api/v1/messages/count", headers=w.h("cai")).json() == {"unread": 2}
    newest = listed["items"][0]["id"]
    assert w.client.post(f"/api/v1/messages/{newest}/read", headers=w.h("cai")).status_code == 200
    assert w.client.get("/api/v1/messages/count", headers=w.h("cai")).json() == {"unread": 1}
    assert [m["id"] for m in w.client.get("/api/v1/messages?unread=true", headers=w.h("cai")).json()["items"]] == [
        listed["items"][1]["id"]
    ]
    # someone else's message is not mine to read
    assert w.client.post(f"/api/v1/messages/{newest}/read", headers=w.h("wang")).status_code == 404


def test_read_all_marks_every_unread_message_up_to_the_one_seen(make: Maker) -> None:
    w = world(make)
    approved(w, "漏油", "异响", "跳闸")
    items = w.client.get("/api/v1/messages", headers=w.h("cai")).json()["items"]
    r = w.client.post(f"/api/v1/messages/read-all?up_to={items[1]['id']}", headers=w.h("cai"))
    assert r.json() == {"read": 2, "unread": 1}  # the newest one came after what was seen
    assert w.client.post("/api/v1/messages/read-all", headers=w.h("cai")).json() == {"read": 1, "unread": 0}
    assert w.client.post("/api/v1/messages/read-all?up_to=0", headers=w.h("cai")).status_code == 422


def test_messages_page_by_keyset_and_a_full_last_page_has_no_next(make: Maker) -> None:
    w = world(make)
    approved(w, "一", "二", "三", "四")
    page = w.client.get("/api/v1/messages?limit=2", headers=w.h("cai")).json()
    assert len(page["items"]) == 2 and page["next_before"] == page["items"][1]["id"]
    rest = w.client.get(f"/api/v1/messages?limit=2&before={page['next_before']}", headers=w.h("cai")).json()
    assert len(rest["items"]) == 2 and rest["next_before"] is None  # not a link to an empty page


def test_the_messages_page_lists_them_with_record_links_and_the_top_bar_counts_them(make: Maker, app: Any) -> None:
    w = world(make)
    first, second = approved(w, "漏油", "异响")
    with TestClient(app) as browser:
        assert (
            browser.post(
                "/login", data={"username": "cai", "password": "password-123"}, follow_redirects=False
            ).status_code
            == 303
        )
        home = browser.get("/").text
        assert re.search(r'id="messages-count"[^>]*>2<', home)
        page = browser.get("/messages").text
        assert "报修单 异响 已审批" in page and page.count('class="message unread"') == 2
        # cai may not read the records: they are named by number
        assert f'href="/apps/tickets/forms/ticket/records/{second}"' in page
        assert 'id="read-all"' in page
        message = re.search(r'data-message="(\d+)"', page).group(1)  # type: ignore[union-attr]
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        assert browser.post(f"/api/v1/messages/{message}/read", headers={"X-CSRF-Token": csrf}).status_code == 200
        again = browser.get("/messages").text
        assert again.count('class="message unread"') == 1 and re.search(r'id="messages-count"[^>]*>1<', again)
        unread = browser.get("/messages?unread=true").text
        assert unread.count('class="message unread"') == 1 and "报修单 漏油 已审批" in unread


def test_the_flows_own_notices_name_people_by_display_name(make: Maker) -> None:
    w = world(make)
    with make.app.state.db.write() as conn:
        conn.execute(update(users).where(users.c.username == "wang").values(display_name="王小明"))
        conn.execute(update(users).where(users.c.username == "li").values(display_name="李主管"))
        user_search.refresh_all(conn)  # the names changed behind the API's back
    record = w.record({"summary": "漏油"}, user="wang")["id"]
    w.submit(record, user="wang")
    assert [m["body"] for m in w.messages("li") if m["title"] == "待审批"] == [
        "王小明 提交的“费用审批”等待你审批（主管审批）"
    ]
    w.decide("li", "return", {"comment": "请补充照片"})
    assert [m["body"] for m in w.messages("wang") if m["title"] == "已退回"] == ["“费用审批”被 李主管 退回：请补充照片"]
