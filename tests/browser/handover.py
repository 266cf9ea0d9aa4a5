"""离职交接 driven as an administrator does on /admin/handover: choose who leaves and who takes over, preview
the counts, confirm; the page then says to whom it went."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def hand_over(page: Any, leaver: str, to: str, *, records: int, tasks: int) -> None:
    """On the handover page (already open): preview `leaver` → `to`, check the counts shown, hand over."""
    page.get_by_label("离职人员").select_option(leaver)
    page.get_by_label("交接给").select_option(to)
    page.get_by_role("button", name="预览").click()
    table = page.locator("#ho-table")
    expect(table.locator("tr[data-kind=records] td").last).to_have_text(str(records))
    expect(table.locator("tr[data-kind=tasks] td").last).to_have_text(str(tasks))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="交接", exact=True).click()
    expect(page.locator("#ho-result-title")).to_contain_text(f"已交接给 {to}")
