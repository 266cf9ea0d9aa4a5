"""In a real browser, in Chinese: the people picker in the flow designer (search as you type, a department
narrows the search, chips removed with ×, the record owner's department head offered) and in the inbox's
转交; the inbox's pages (共 N 条, 下一页, a whole page approved at once brings the rest); the 消息 page with
its unread count in the top bar, read one by one and all at once; 抄送我 shows what a cc said."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PASSWORD, Site
from tests.browser.people import chosen, set_people
from tests.browser.signed_in import signed_in_page
from tests.browser.wait import wait_until
from tests.factories import repair

FLOWS = [
    {
        "key": "cost_approval",
        "name": "费用审批",
        "form": "ticket",
        "trigger": {"on": "submit"},
        "steps": [{"type": "approval", "key": "lead", "name": "班组长审批", "approvers": {"users": ["admin"]}}],
    },
    {
        "key": "notice",
        "name": "报修通知",
        "form": "ticket",
        "trigger": {"on": "submit"},
        "steps": [
            {
                "type": "cc",
                "name": "抄送设备科",
                "to": {"users": ["zhang.wei"]},
                "title": "新报修",
                "message": "报修单 {summary} 已提交",
            }
        ],
    },
]


def _arrange(site: Site) -> int:
    """The repair app with its flows (once per module), and a 维修车间 that 张伟 works in; an equipment id."""
    if site.api.get("/apps/repair/flows").status_code != 200:
        definition = repair()
        definition["flows"] = FLOWS
        assert site.api.post("/apps", json=definition).status_code == 201
        assert (
            site.api.post("/departments", json={"key": "workshop", "name": "维修车间", "head": "admin"}).status_code
            == 201
        )
        assert site.api.patch("/users/zhang.wei", json={"departments": ["workshop"]}).status_code == 200
    return int(site.record("repair", "equipment", {"name": "冲床"})["id"])


def _tickets(site: Site, flow: str, n: int) -> list[int]:
    equipment = _arrange(site)
    ids = []
    for i in range(n):
        ticket = site.record("repair", "ticket", {"summary": f"报修 {i + 1}", "equipment": equipment})["id"]
        r = site.api.post(f"/apps/repair/flows/{flow}/instances", json={"record_id": ticket})
        assert r.status_code == 201, r.text
        ids.append(ticket)
    return ids


def test_messages_page_counts_unread_and_marks_them_read(browser: Any, site: Site) -> None:
    _tickets(site, "notice", 3)
    faults: list[str] = []
    page = signed_in_page(browser, site.url, "zhang.wei", faults)
    assert page.locator("#messages-count").inner_text() == "3"  # 顶栏的未读消息数
    page.get_by_role("link", name="消息").first.click()
    page.wait_for_url(f"{site.url}/messages")
    assert page.locator("li.message.unread").count() == 3
    first = page.locator("li.message").first
    assert "报修单 报修 3 已提交" in first.inner_text()
    assert "/apps/repair/forms/ticket/records/" in first.locator("a.message-record").get_attribute("href")
    first.get_by_role("button", name="标为已读").click()
    wait_until(page, "document.querySelectorAll('li.message.unread').length === 2")
    assert page.locator("#messages-count").inner_text() == "2"
    page.get_by_role("button", name="全部标为已读").click()
    wait_until(page, "document.querySelectorAll('li.message.unread').length === 0")
    assert page.locator("#messages-count").count() == 0
    page.get_by_role("link", name="未读").click()
    page.wait_for_url(f"{site.url}/messages?unread=true")
    assert page.locator("#messages-empty").inner_text() == "没有消息"
    assert faults == []
    page.context.close()


def test_the_cc_tab_shows_what_the_cc_said(browser: Any, site: Site) -> None:
    equipment = _arrange(site)
    ticket = site.record("repair", "ticket", {"summary": "液压站漏油", "equipment": equipment})["id"]
    r = site.api.post("/apps/repair/flows/notice/instances", json={"record_id": ticket})
    assert r.status_code == 201, r.text
    faults: list[str] = []
    page = signed_in_page(browser, site.url, "zhang.wei", faults)
    page.goto(f"{site.url}/inbox?tab=cc")
    row = page.locator("li.cc-row", has=page.locator(f'a[href$="/ticket/records/{ticket}"]'))
    assert "抄送设备科" in row.inner_text()
    assert row.locator(".cc-title").inner_text() == "新报修"  # the cc's own title and text, as sent
    assert row.locator(".cc-body").inner_text() == "报修单 液压站漏油 已提交"
    assert faults == []
    page.context.close()


def test_the_designer_picks_approvers_from_the_directory_as_chips(page: Any, site: Site) -> None:
    _arrange(site)
    page.goto(f"{site.url}/apps/repair/builder/flows/cost_approval")
    page.locator('.node[data-path="steps[0]"] > .card').click()
    panel = page.locator("#step-fields")
    assert chosen(panel, "指定成员") == ["admin"]
    wait_until(
        page, "document.querySelector('#step-fields li.chip').textContent.startsWith('管理员')"
    )  # its display name
    search = panel.get_by_role("combobox", name="指定成员", exact=True)
    search.fill("车间")  # a department among the matches narrows the search to its people
    panel.locator('[role=option][data-department="workshop"]').click()
    assert "维修车间" in panel.locator(".narrowed").inner_text()
    option = panel.locator('[role=option][data-username="zhang.wei"]')
    assert "张伟（zhang.wei）" in option.inner_text() and "维修车间" in option.inner_text()
    assert panel.locator('[role=option][data-username="admin"]').count() == 0  # not in 维修车间
    option.click()
    assert chosen(panel, "指定成员") == ["admin", "zhang.wei"]
    panel.get_by_role("button", name="移除 管理员").click()
    assert chosen(panel, "指定成员") == ["zhang.wei"]
    panel.get_by_label("记录负责人的部门负责人", exact=True).select_option("1")
    with page.expect_response(lambda r: "/steps" in r.url and r.request.method == "PATCH") as answer:
        page.get_by_role("button", name="保存").click()
    assert answer.value.ok, answer.value.text()
    items = site.api.get("/apps/repair/draft/flows").json()["items"]
    step = next(i["flow"] for i in items if i["flow"]["key"] == "cost_approval")["steps"][0]
    assert step["approvers"] == {"users": ["zhang.wei"], "owner_department_head": {"levels_up": 1}}
    page.reload()  # chosen again, by display name
    page.locator('.node[data-path="steps[0]"] > .card').click()
    wait_until(
        page,
        "(document.querySelector('#step-fields li.chip[data-username=\"zhang.wei\"]') || "
        "{textContent: ''}).textContent.startsWith('张伟')",
    )


def test_a_pick_made_before_the_typed_search_answers_leaves_the_list_closed(page: Any, site: Site) -> None:
    """A user types and clicks a match still shown from before within the 150 ms the picker waits: the
    search typed is not asked afterwards, so no list of everyone opens over the page (it covered 提交审批)."""
    _arrange(site)
    page.goto(f"{site.url}/apps/repair/builder/flows/cost_approval")
    page.locator('.node[data-path="steps[0]"] > .card').click()
    panel = page.locator("#step-fields")
    search = panel.get_by_role("combobox", name="指定成员", exact=True)
    before = chosen(panel, "指定成员")
    search.focus()  # everyone not chosen yet, before anything is typed
    first = panel.locator(".people-results [role=option][data-username]").first
    first.wait_for()
    username = first.get_attribute("data-username")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/people" in r.url else None)
    page.evaluate("""(username) => {  // one task: a keystroke, then the click on a match of the list shown
      const search = document.querySelector('#step-fields .people-search');
      search.value = 'z';
      search.dispatchEvent(new Event('input', {bubbles: true}));
      document.querySelector(`#step-fields [role=option][data-username="${username}"]`)
        .dispatchEvent(new MouseEvent('mousedown', {bubbles: true, cancelable: true}));
    }""", username)
    assert chosen(panel, "指定成员") == [*before, username]
    page.wait_for_timeout(600)  # past the picker's 150 ms and a search's answer
    assert asked == [] and panel.locator(".people-results").is_hidden()


def test_inbox_pages_transfer_by_picker_and_a_whole_page_approved_brings_the_rest(page: Any, site: Site) -> None:
    _tickets(site, "cost_approval", 53)
    page.goto(f"{site.url}/inbox")
    assert page.locator("li.task").count() == 50
    assert page.locator("#inbox-total").inner_text() == "共 53 条"
    assert page.locator("#inbox-next").is_visible()
    task = page.locator("li.task").first
    task.locator(".more-actions summary").click()
    set_people(task, "转交给", ["zhang.wei"], query={"zhang.wei": "张"})
    task.get_by_role("button", name="转交").click()
    wait_until(page, "document.querySelectorAll('li.task').length === 49")
    assert page.locator("#inbox-total").inner_text() == "共 52 条"
    assert page.locator("#todo-tab-count").inner_text() == "52"  # the tab's count follows too
    page.locator("#select-all").check()
    page.locator("#batch-comment").fill("同意")
    with page.expect_navigation():  # the page emptied: the first page again, with what is left
        page.locator("#batch-approve").click()
    page.locator("li.task").first.wait_for()
    assert page.locator("li.task").count() == 3
    assert page.locator("#inbox-total").inner_text() == "共 3 条"
    assert page.locator("#inbox-next").count() == 0
    transferred = site.api.get("/tasks/open?limit=5", headers={"Authorization": _bearer(site, "zhang.wei")}).json()
    assert [t["assignee_name"] for t in transferred["items"]] == ["张伟"]


def _bearer(site: Site, user: str) -> str:
    import httpx

    token = httpx.post(f"{site.url}/api/v1/auth/login", json={"username": user, "password": PASSWORD}).json()
    return f"Bearer {token['access_token']}"
