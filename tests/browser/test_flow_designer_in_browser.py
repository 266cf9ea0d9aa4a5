"""The flow designer in a real browser, in Chinese: create an approval flow from the app page, add an approval
step (会签 of named users), a condition with a step in one branch, see a refused condition shown on its step
and undo it, publish, submit a record through the API and see the new flow ask the right people; a trial run
on a record marks the path; the CRM's quote approval opens drawn as a tree."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site
from tests.browser.people import set_people
from tests.browser.wait import wait_until


def _flow(site: Site, key: str) -> dict[str, Any]:
    items = site.api.get("/apps/showcase/draft/flows").json()["items"]
    return next(i["flow"] for i in items if i["flow"]["key"] == key)


def _add(page: Any, at: str, label: str) -> None:
    page.locator(f'button.add[data-at="{at}"]').click()
    page.locator(".step-menu button", has_text=label).first.click()


def test_build_an_approval_flow_publish_it_and_it_asks_the_right_people(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/apps/showcase")
    page.locator("#flows-link").click()
    page.wait_for_url(f"{site.url}/apps/showcase/builder/flows")
    page.get_by_label("流程名称").fill("大客户审批")
    page.get_by_label("流程标识（英文）").fill("big_customer")
    page.get_by_label("表单", exact=True).select_option("customer")
    page.get_by_label("触发方式").select_option("submit")
    page.get_by_role("button", name="创建").click()
    page.wait_for_url(f"{site.url}/apps/showcase/builder/flows/big_customer#trigger")  # opens on its trigger

    _add(page, "steps[0]", "审批")
    page.locator('.node[data-path="steps[0]"]').wait_for()
    page.locator('.node[data-path="steps[0]"] > .card').click()
    page.get_by_label("名称", exact=True).fill("销售总监会签")
    set_people(page.locator("#step-fields"), "指定成员", ["admin", "zhang.wei"])
    page.get_by_label("审批方式").select_option("all")
    page.get_by_role("button", name="保存").click()
    wait_until(page, "document.querySelector('.node[data-path=\"steps[0]\"]').textContent.includes('销售总监会签')")
    step = _flow(site, "big_customer")["steps"][0]
    assert step["approvers"]["users"] == ["admin", "zhang.wei"] and step["mode"] == "all"

    _add(page, "steps[1]", "条件分支")
    page.locator('.branch-head[data-path="steps[1]"]').first.wait_for()
    _add(page, "steps[1].branches[0].steps[0]", "抄送")
    page.locator('.node[data-path="steps[1].branches[0].steps[0]"]').wait_for()

    # A condition naming a field the form lacks is refused: the message shows on the step, nothing is saved.
    page.locator('.branch-head[data-path="steps[1]"][data-branch="0"]').click()
    page.get_by_label("条件（表达式）").fill("nosuch > 1")
    page.get_by_role("button", name="保存").click()
    page.locator('.node[data-path="steps[1]"] .problem').wait_for()
    assert "nosuch" in page.locator('.node[data-path="steps[1]"] .problem').first.inner_text()
    assert _flow(site, "big_customer")["steps"][1]["branches"][0]["when"] == "TRUE"
    page.get_by_label("条件（表达式）").fill("staff > 1000")
    page.get_by_role("button", name="保存").click()
    wait_until(page, "document.querySelector('.branch-head').textContent.includes('staff > 1000')")

    # Undo takes the last change back.
    page.locator("#undo").click()
    wait_until(page, "document.querySelector('.branch-head').textContent.includes('TRUE')")
    assert _flow(site, "big_customer")["steps"][1]["branches"][0]["when"] == "TRUE"
    page.locator('.branch-head[data-path="steps[1]"][data-branch="0"]').click()
    page.get_by_label("条件（表达式）").fill("staff > 1000")
    page.get_by_role("button", name="保存").click()
    wait_until(page, "document.querySelector('.branch-head').textContent.includes('staff > 1000')")

    page.locator("#publish").click()
    wait_until(page, "document.getElementById('toast').textContent.includes('已发布')")
    customer = site.record("showcase", "customer", {"name": "浙江大客户有限公司", "staff": 5000})
    r = site.api.post("/apps/showcase/flows/big_customer/instances", json={"record_id": customer["id"]})
    assert r.status_code == 201, r.text
    assert sorted(t["assignee"] for t in r.json()["tasks"]) == ["admin", "zhang.wei"]

    # The trial run on the same record marks the path and names who would be asked.
    page.get_by_label("用哪条记录试运行（记录 ID）").fill(str(customer["id"]))
    page.get_by_role("button", name="试运行").last.click()
    page.locator("#trial-result .asked").first.wait_for()
    assert "张伟" in page.locator("#trial-result").inner_text()  # by display name
    assert page.locator('.node.on-path[data-path="steps[0]"]').count() == 1


def test_the_crm_quote_approval_opens_as_a_tree(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/apps/crm/builder/flows")
    assert page.locator('tr[data-flow="quote_approval"]').count() == 1
    page.locator('tr[data-flow="quote_approval"] a').first.click()
    page.wait_for_url(f"{site.url}/apps/crm/builder/flows/quote_approval")
    definition = site.api.get("/apps/crm/draft/flows").json()["items"]
    quote = next(i["flow"] for i in definition if i["flow"]["key"] == "quote_approval")
    from engine.flows.tree import walk_steps

    paths = [p for p, _ in walk_steps(_Steps(quote["steps"]).items)]
    drawn = page.eval_on_selector_all(".node[data-path]", "nodes => nodes.map(n => n.dataset.path)")
    assert drawn == paths


class _Steps:
    """JSON steps as walk_steps walks them (objects with `branches` of objects with `steps`)."""

    def __init__(self, steps: list[dict[str, Any]]) -> None:
        self.items = [_Node(s) for s in steps]


class _Node:
    def __init__(self, step: dict[str, Any]) -> None:
        self.branches = [_Steps(b.get("steps", [])) for b in step.get("branches", [])]
        for branch in self.branches:
            branch.steps = branch.items  # type: ignore[attr-defined]


def test_zoomed_in_every_node_of_a_wide_flow_can_be_scrolled_to(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/apps/crm/builder/flows/lead_nurture")
    page.locator(".node.end").wait_for()
    for _ in range(5):
        page.locator("#zoom-in").click()
    page.evaluate("document.getElementById('flow-canvas').scrollLeft = 0")
    left_of = ("[...document.querySelectorAll('.flow-zoom .node > .card, .flow-zoom .branch-head')]"
               ".map((n) => n.getBoundingClientRect().left)")
    canvas = page.evaluate("document.getElementById('flow-canvas').getBoundingClientRect().left")
    assert min(page.evaluate(left_of)) >= canvas  # nothing lies left of where the scroll bar can reach
