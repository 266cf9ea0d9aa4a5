"""Screenshots of the main pages for docs/screenshots/: `.venv/bin/python -m tests.browser.screenshots`.

A fresh SQLite database with the CRM template and 300 demo customers (and their contacts,
opportunities …), three saved views, a real server on a loopback port and Debian's chromium."""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runtime.accounts.users import create_user
from runtime.db import schema
from runtime.db.db import open_database
from runtime.demo.load import load_demo
from runtime.main import create_app
from runtime.settings import Settings
from tests.browser.conftest import ARGS, CHROMIUM, CRM, PASSWORD, Site, log_in
from tests.browser.showcase import SHOWCASE
from tests.live import serve

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWS = [("我的客户", {"expression": "owner = CURRENT_USER()"}),
         ("本月新增", {"expression": "YEAR(created_at) = YEAR(TODAY()) AND MONTH(created_at) = MONTH(TODAY())"}),
         ("A类客户", {"filters": [{"field": "level", "op": "eq", "value": "A"}], "sort": "-annual_revenue"})]


def chart_builder(page: Any, url: str) -> None:
    """The chart builder with a chart built by clicks: 各区域成交额 on 合同 through 客户.所属区域."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(url + "/apps/crm/builder/charts/new?form=contract")
    page.wait_for_function("document.body.dataset.chartBuilder === 'ready'")
    page.get_by_role("button", name="添加为维度：客户.所属区域").click()
    page.get_by_role("button", name="添加为指标：合同金额").click()
    page.get_by_label("图表名称").fill("各区域成交额")
    page.wait_for_selector("#cb-preview[data-state='ok'] .chart[data-drawn]")
    page.evaluate("document.activeElement.blur(); document.querySelector('.cb-fields').scrollTop = 0")
    page.screenshot(path=str(OUT / "chart-builder.png"))
    print(f"wrote {OUT / 'chart-builder.png'}")
    page.set_viewport_size({"width": 1366, "height": 860})


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/tangram.db")
        schema.upgrade(db)
        with db.write() as conn:
            create_user(conn, "admin", PASSWORD, datetime.now(UTC), display_name="管理员", is_admin=True)
        app = create_app(Settings(data_dir=Path(tmp), database_url="unused://"), db)
        with serve(app) as url:
            site = Site(url)
            site.api.post("/apps", json=json.loads(CRM.read_text(encoding="utf-8")))
            site.api.post("/apps", json=SHOWCASE)
            load_demo(db, "crm", 300, seed=7, progress=False)
            for name, spec in VIEWS:
                site.api.post("/apps/crm/forms/customer/views", json={"name": name, "spec": spec})
            site.api.put("/apps/crm/forms/customer/layout", json={"columns": [
                "name", "level", "status", "region", "industry", "annual_revenue", "manager", "next_followup_on"]})
            site.api.post("/templates/projects/install", json={"demo": True})  # 项目管理, for its timeline
            customer = site.api.get("/apps/crm/forms/customer/records?limit=1&sort=-followup_count").json()["items"][0]
            with sync_playwright() as p:
                # Date inputs follow the browser's own language: Debian's chromium without chromium-l10n shows
                # them as mm/dd/yyyy; users' browsers show their locale.
                browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
                page = log_in(browser, site, {"width": 1366, "height": 860})
                shots = {
                    "list": "/apps/crm/forms/customer",
                    "record": f"/apps/crm/forms/customer/records/{customer['id']}",
                    "kanban": "/apps/crm/forms/opportunity/kanban/stage",
                    "record-form": "/apps/showcase/forms/customer/records/new",
                    "form-builder": "/apps/crm/builder/forms/customer",
                    "dashboard": "/apps/crm/dashboards/sales_funnel",
                    "timeline": "/apps/crm/forms/task/timeline/schedule",
                }
                for name, path in shots.items():
                    page.goto(url + path)
                    page.wait_for_load_state("networkidle")
                    if name == "form-builder":
                        page.locator("#canvas li[data-key='industry']").click()  # the cascade tree editor
                    if name == "dashboard":
                        page.wait_for_selector("#widgets[aria-busy='false'] .chart[data-drawn]")
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=name in ("record", "record-form", "dashboard"))
                    print(f"wrote {OUT / (name + '.png')}")
                chart_builder(page, url)
                phone = log_in(browser, site, {"width": 390, "height": 844})
                phone.goto(url + "/apps/crm/forms/opportunity/records/new")
                phone.wait_for_load_state("networkidle")
                phone.screenshot(path=str(OUT / "phone.png"))
                print(f"wrote {OUT / 'phone.png'}")
                browser.close()
            site.api.close()
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
