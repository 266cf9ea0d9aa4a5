"""The 商机 kanban in a real browser: a drag across columns saves the stage (with the version
check); a move the server refuses puts the card back and says why."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site
from tests.browser.drag import drag
from tests.browser.wait import wait_until

KANBAN = "/apps/crm/forms/opportunity/kanban/stage"


def _opportunity(site: Site, name: str) -> dict[str, Any]:
    customer = site.record("crm", "customer", {"name": f"{name}的客户"})
    return site.record("crm", "opportunity", {"name": name, "customer": customer["id"], "stage": "初步接洽",
                                              "amount": "300000"})


def _column(page: Any, label: str) -> Any:
    return page.locator(f'section.column[aria-label="{label}"] .cards')


def test_dragging_a_card_to_another_column_changes_its_stage(page: Any, site: Site) -> None:
    opp = _opportunity(site, "华东区 CRM 采购项目")
    page.goto(site.url + KANBAN)
    card = page.locator(f'.kcard[data-id="{opp["id"]}"]')
    assert card.locator("xpath=..").get_attribute("data-value") == "初步接洽"
    drag(page, card, _column(page, "方案报价"))
    wait_until(page, f"document.querySelector('.kcard[data-id=\"{opp['id']}\"]').dataset.version === '3'")
    saved = site.api.get(f"/apps/crm/forms/opportunity/records/{opp['id']}").json()
    # version 3: the CRM's stage_clock flow stamps stage_changed_at in the same write, and the PATCH
    # answers with the record as committed, so the card knows the version a next move must name
    assert saved["data"]["stage"] == "方案报价" and saved["version"] == 3 and saved["data"]["stage_changed_at"]
    assert _column(page, "方案报价").locator(f'.kcard[data-id="{opp["id"]}"]').count() == 1


def test_a_refused_move_puts_the_card_back_and_says_why(page: Any, site: Site) -> None:
    opp = _opportunity(site, "华南区 ERP 集成项目")
    page.goto(site.url + KANBAN)
    # Someone else changes the record after the board was drawn: the card's version is stale.
    r = site.api.patch(f"/apps/crm/forms/opportunity/records/{opp['id']}", json={"data": {"amount": "310000"}})
    assert r.status_code == 200
    card = page.locator(f'.kcard[data-id="{opp["id"]}"]')
    drag(page, card, _column(page, "商务谈判"))
    toast = page.locator("#toast.show")
    toast.wait_for()
    assert toast.inner_text().startswith("无法移动：") and "已被" in toast.inner_text()
    assert _column(page, "初步接洽").locator(f'.kcard[data-id="{opp["id"]}"]').count() == 1
    assert site.api.get(f"/apps/crm/forms/opportunity/records/{opp['id']}").json()["data"]["stage"] == "初步接洽"


def test_a_focused_card_moves_with_the_arrow_keys(page: Any, site: Site) -> None:
    opp = _opportunity(site, "西南区 键盘移动项目")
    page.goto(site.url + KANBAN)
    card = page.locator(f'.kcard[data-id="{opp["id"]}"]')
    card.focus()
    page.keyboard.press("ArrowRight")
    wait_until(page, f"document.querySelector('.kcard[data-id=\"{opp['id']}\"]').dataset.version === '3'")
    assert site.api.get(f"/apps/crm/forms/opportunity/records/{opp['id']}").json()["data"]["stage"] == "需求确认"
