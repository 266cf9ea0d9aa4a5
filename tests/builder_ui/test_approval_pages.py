"""Approvals on the pages: the record page offers 提交审批 and shows the status, progress and the reader's
own decision; the edit form of a record under approval is read-only; the new-record form offers 保存并提交;
lists and kanban cards carry the status badge; the inbox has its four tabs and filters; the top bar counts
my open tasks on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from runtime.accounts.org import set_role_members
from tests.factories import Maker
from tests.flows import MEMBER, Clock, approval, approval_flow, tickets, with_member_role

DUE = approval({"users": ["li"]}, name="班组长审批", due="P1D")
CC = {"type": "cc", "to": {"users": ["cai"]}, "title": "抄送", "message": "已审批"}
SECOND = {"key": "big", "name": "大额审批", "form": "ticket", "trigger": {"on": "submit"},
          "steps": [approval({"users": ["zhang"]}, name="厂长审批")]}
AUTOMATION = {"key": "stamp", "name": "自动登记", "form": "ticket", "trigger": {"on": "create"},
              "steps": [{"type": "action", "action": "update_record", "set": {"note": '"已登记"'}}]}
PEOPLE = ("wang", "li", "zhang", "cai")


def setup(make: Maker, *flows: dict[str, Any]) -> None:
    make.app_def(with_member_role(tickets(*(flows or (approval_flow(DUE, CC),)))))
    for name in PEOPLE:
        make.user(name, admin=False)
    with make.app.state.db.write() as conn:
        set_role_members(conn, "tickets", MEMBER["key"], list(PEOPLE))


@contextmanager
def session(app: Any, username: str) -> Iterator[TestClient]:
    with TestClient(app) as browser:
        r = browser.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
        assert r.status_code == 303
        yield browser


def record(make: Maker, summary: str, user: str = "wang") -> int:
    r = make.client.post("/api/v1/apps/tickets/forms/ticket/records", json={"data": {"summary": summary}},
                         headers=make.user(user))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def submit(make: Maker, record_id: int, flow: str = "approve", user: str = "wang") -> dict[str, Any]:
    r = make.client.post(f"/api/v1/apps/tickets/flows/{flow}/instances", json={"record_id": record_id},
                         headers=make.user(user))
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def page_of(browser: TestClient, record_id: int, suffix: str = "") -> str:
    r = browser.get(f"/apps/tickets/forms/ticket/records/{record_id}{suffix}")
    assert r.status_code == 200, r.text
    return r.text


def test_a_record_offers_submit_and_after_submitting_shows_status_progress_and_withdraw(make: Maker, app: Any) -> None:
    setup(make)
    Clock(app)
    rid = record(make, "漏油")
    with session(app, "wang") as wang:
        page = page_of(wang, rid)
        assert 'data-start-flow="approve"' in page and ">提交审批<" in page
        assert 'data-approval=' not in page  # not submitted: no badge
        submit(make, rid)
        page = page_of(wang, rid)
        assert 'data-start-flow="approve"' not in page  # running: not again
        assert 'data-approval="running"' in page and "审批中" in page
        assert 'data-pending="li"' in page and "班组长审批" in page and "截止 2026-11-24 10:00" in page
        assert 'data-instance-action="cancel"' in page and 'data-task-actions' not in page  # wang decides nothing
        english = page_of(wang, rid, "?lang=en")
        assert ">In approval<" in english and "Withdraw" in english and "Approval progress" in english
    with session(app, "li") as li:
        page = page_of(li, rid)
        assert re.search(r'data-task-actions="\d+"', page) and 'data-action="approve"' in page
        assert 'data-action="transfer"' in page and 'data-action="add-approvers"' in page
        assert 'data-instance-action="cancel"' not in page  # only the submitter withdraws


def test_several_submit_flows_get_one_button_each_named_after_the_flow(make: Maker, app: Any) -> None:
    setup(make, approval_flow(DUE), SECOND)
    rid = record(make, "漏油")
    with session(app, "wang") as wang:
        page = page_of(wang, rid)
        assert "提交审批 · 费用审批" in page and "提交审批 · 大额审批" in page
        assert "保存并提交 · 费用审批" in wang.get("/apps/tickets/forms/ticket/records/new").text


def test_the_timeline_shows_who_rejected_with_the_comment_and_the_submitter_may_resubmit_a_returned_one(
        make: Maker, app: Any) -> None:
    setup(make)
    rejected, returned = record(make, "漏油"), record(make, "异响")
    for rid in (rejected, returned):
        submit(make, rid)
    tasks = {t["record_id"]: t["id"] for t in make.client.get("/api/v1/tasks", headers=make.user("li")).json()["items"]}
    make.client.post(f"/api/v1/tasks/{tasks[rejected]}/reject", json={"comment": "费用太高"}, headers=make.user("li"))
    make.client.post(f"/api/v1/tasks/{tasks[returned]}/return", json={"comment": "补充照片"}, headers=make.user("li"))
    with session(app, "wang") as wang:
        page = page_of(wang, rejected)
        assert 'data-approval="rejected"' in page and "已驳回" in page and "“费用太高”" in page
        assert 'data-start-flow="approve"' in page  # a rejected record may be submitted again
        page = page_of(wang, returned)
        assert 'data-approval="returned"' in page and 'data-instance-action="resubmit"' in page and "“补充照片”" in page
        form = page_of(wang, returned, "/edit")
        assert 'id="under-approval"' not in form  # returned: editable again


def test_the_edit_form_of_a_record_under_approval_is_read_only(make: Maker, app: Any) -> None:
    setup(make)
    rid = record(make, "漏油")
    with session(app, "wang") as wang:
        assert "fieldset class=\"plain\" disabled" not in page_of(wang, rid, "/edit")
        submit(make, rid)
        form = page_of(wang, rid, "/edit")
    assert 'id="under-approval"' in form and "审批结束前不能修改" in form
    assert form.count('fieldset class="plain" disabled') == len(tickets()["forms"][0]["fields"])
    assert re.search(r'<button type="submit" class="primary" disabled>', form)


def test_lists_and_kanban_cards_carry_the_approval_badge(make: Maker, app: Any) -> None:
    setup(make)
    running, plain = record(make, "漏油"), record(make, "异响")
    submit(make, running)
    with session(app, "wang") as wang:
        page = wang.get("/apps/tickets/forms/ticket").text
        board = wang.get("/apps/tickets/forms/ticket/kanban/urgency").text
    for html in (page, board):
        row = html[html.index(f"/records/{running}\""):]
        assert row[:400].count('data-approval="running"') == 1
        other = html[html.index(f"/records/{plain}\""):]
        assert 'data-approval' not in other[:200]


def test_the_top_bar_counts_my_open_tasks_on_every_page(make: Maker, app: Any) -> None:
    setup(make)
    for s in ("漏油", "异响"):
        submit(make, record(make, s))
    with session(app, "li") as li:
        for path in ("/", "/apps/tickets/forms/ticket", "/inbox?tab=cc"):
            assert re.search(r'id="inbox-count"[^>]*>2<', li.get(path).text), path
    with session(app, "wang") as wang:
        assert 'id="inbox-count"' not in wang.get("/").text


def test_the_inbox_tabs_show_todo_done_mine_and_cc_filtered_by_flow(make: Maker, app: Any) -> None:
    setup(make, approval_flow(DUE, CC), SECOND, AUTOMATION)
    first, second = record(make, "漏油"), record(make, "异响")
    submit(make, first)
    submit(make, second, "big")
    with session(app, "li") as li:
        todo = li.get("/inbox").text
        assert todo.count('class="task"') == 1 and 'id="batch-approve"' in todo and 'class="pick-task"' in todo
        task = re.search(r'data-task="(\d+)"', todo).group(1)  # type: ignore[union-attr]
        assert 'aria-current="page">待我处理' in todo
        assert make.client.post(f"/api/v1/tasks/{task}/approve", json={"comment": "同意"},
                                headers=make.user("li")).status_code == 200
        done = li.get("/inbox?tab=done").text
        assert f'records/{first}">漏油</a>' in done and "已同意" in done and "“同意”" in done
        assert f"records/{first}\"" not in li.get("/inbox?tab=done&flow=big").text
    with session(app, "wang") as wang:
        mine = wang.get("/inbox?tab=mine").text
        assert 'data-approval="approved"' in mine and 'data-approval="running"' in mine
        assert "自动登记" not in mine  # an automation wang's create set off is not a submission
        assert "自动登记" not in page_of(wang, first)
        only_big = wang.get("/inbox?tab=mine&flow=big").text
        assert f'records/{second}">异响</a>' in only_big and f"records/{first}\"" not in only_big
    with session(app, "cai") as cai:
        cc = cai.get("/inbox?tab=cc").text
        assert f'records/{first}">' in cc and "抄送时间" in cc
    with session(app, "zhang") as zhang:
        assert zhang.get("/inbox?tab=nonsense").status_code == 200  # an unknown tab is 待我处理


ESCALATE = {"key": "escalate", "name": "升级处理", "form": "ticket",
            "trigger": {"on": "button", "label": "升级为特急", "when": 'urgency = "紧急"'},
            "steps": [{"type": "action", "action": "update_record", "set": {"urgency": '"特急"'}}]}


def test_a_button_flow_shows_its_label_only_where_its_condition_holds_and_pressing_it_runs_the_flow(
        make: Maker, app: Any) -> None:
    setup(make, approval_flow(DUE), ESCALATE)
    headers = make.user("wang")
    urgent = make.client.post("/api/v1/apps/tickets/forms/ticket/records",
                              json={"data": {"summary": "停电", "urgency": "紧急"}}, headers=headers).json()["id"]
    ordinary = record(make, "漏油")
    with session(app, "wang") as wang:
        assert 'data-start-flow="escalate"' in page_of(wang, urgent) and ">升级为特急<" in page_of(wang, urgent)
        assert 'data-start-flow="escalate"' not in page_of(wang, ordinary)  # `when` does not hold
        assert "升级为特急" not in wang.get("/apps/tickets/forms/ticket/records/new").text  # 保存并提交 is for submits
    submit(make, urgent, flow="escalate")
    r = make.client.get(f"/api/v1/apps/tickets/forms/ticket/records/{urgent}", headers=headers)
    assert r.json()["data"]["urgency"] == "特急"
    with session(app, "wang") as wang:
        assert 'data-start-flow="escalate"' not in page_of(wang, urgent)  # 特急 now: the condition no longer holds


def test_an_approver_gets_only_the_actions_the_step_allows_on_the_record_page_and_in_the_inbox(
        make: Maker, app: Any) -> None:
    strict = approval({"users": ["li"]}, name="班组长审批", allow_transfer=False, allow_return=False)
    setup(make, approval_flow(strict))
    rid = record(make, "漏油")
    submit(make, rid)
    with session(app, "li") as li:
        for page in (page_of(li, rid), li.get("/inbox").text):
            assert 'data-action="approve"' in page and 'data-action="reject"' in page
            assert 'data-action="add-approvers"' in page  # still allowed
            assert 'data-action="transfer"' not in page and 'data-action="return"' not in page


def test_the_current_approver_edits_exactly_the_fields_the_step_lets_them(make: Maker, app: Any) -> None:
    setup(make, approval_flow(approval({"users": ["li"]}, name="班组长审批", editable_fields=["cost", "note"])))
    rid = record(make, "漏油")
    submit(make, rid)
    with session(app, "li") as li:
        form = page_of(li, rid, "/edit")
    boxes = form.split('<fieldset class="plain"')[1:]
    editable = {re.search(r'name="(\w+)"', box).group(1) for box in boxes if not box.lstrip().startswith("disabled")}
    assert editable == {"cost", "note"}
    assert "你可以修改未锁定的字段" in form and not re.search(r'<button type="submit" class="primary" disabled>', form)
    with session(app, "wang") as wang:  # the submitter is no approver: everything stays read-only
        form = page_of(wang, rid, "/edit")
    assert form.count('fieldset class="plain" disabled') == len(tickets()["forms"][0]["fields"])
