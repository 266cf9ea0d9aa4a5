"""The flow's run log (运行记录) in a real browser: from the flow list to an instance whose webhook failed,
重试 in its drawer, and the drawer follows the job until the worker has delivered it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from runtime.accounts.users import create_user
from runtime.db.db import open_database
from runtime.db.tables import metadata
from runtime.jobs.worker import EmbeddedWorker
from runtime.main import create_app
from runtime.settings import Settings
from tests.browser.conftest import PASSWORD, Site, _need_chromium
from tests.fakes import http_fake
from tests.live import serve


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The live server with a job worker polling beside it (the shared site has none: its server runs
    without the lifespan that would start one)."""
    _need_chromium()
    tmp = tmp_path_factory.mktemp("site")
    db = open_database(f"sqlite:///{tmp}/tangram.db")
    metadata.create_all(db.engine)
    with db.write() as conn:
        create_user(conn, "admin", PASSWORD, datetime.now(UTC), display_name="管理员", is_admin=True)
    settings = Settings(data_dir=tmp, database_url="unused://", worker_poll_seconds=0.2)
    worker = EmbeddedWorker(db, settings)
    worker.start()
    try:
        with serve(create_app(settings, db)) as url:
            s = Site(url)
            yield s
            s.api.close()
    finally:
        worker.close()
        db.engine.dispose()


def until(condition: Callable[[], Any]) -> Any:
    """Poll the API until `condition()` is truthy (the worker runs on its own thread)."""
    deadline = time.monotonic() + 30
    while not (value := condition()):
        assert time.monotonic() < deadline, "waited 30 s in vain"
        time.sleep(0.1)
    return value


def definition(url: str) -> dict[str, Any]:
    return {"format": "tangram/app@1", "key": "orders", "name": "订单", "forms": [
        {"key": "order", "name": "订单", "title_field": "title", "fields": [
            {"key": "title", "type": "text", "label": "标题", "required": True}]}],
        "flows": [{"key": "sync", "name": "同步到 ERP", "form": "order", "trigger": {"on": "submit"}, "steps": [
            {"type": "approval", "name": "经理审批", "approvers": {"users": ["admin"]}},
            {"type": "action", "action": "webhook", "url": f"{url}/erp", "attempts": 1, "body": {"t": "title"}}]}]}


def test_a_failed_webhook_is_retried_from_the_run_log_and_succeeds(page: Any, site: Site) -> None:
    with http_fake(statuses=[500]) as fake:
        assert site.api.post("/apps", json=definition(fake.url)).status_code == 201
        record = site.record("orders", "order", {"title": "订单 A-1001"})
        instance = site.api.post("/apps/orders/flows/sync/instances", json={"record_id": record["id"]}).json()
        [task] = site.api.get("/tasks?status=open").json()["items"]
        assert site.api.post(f"/tasks/{task['id']}/approve", json={}).status_code == 200
        until(lambda: site.api.get("/jobs?status=dead").json()["items"])  # the worker met the 500

        problems: list[str] = []  # the page runs under the strict CSP: no violation, no script error
        page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
        page.goto(f"{site.url}/apps/orders/builder/flows")
        page.locator("tr[data-flow='sync']").get_by_role("link", name="运行记录").click()
        row = page.locator(f"tr[data-instance='{instance['id']}']")
        assert "1 个任务失败" in row.inner_text() and "订单 A-1001" in row.inner_text()
        row.get_by_role("button", name="详情").click()
        drawer = page.locator("#fi-drawer")
        job = drawer.locator("li.fi-job")
        assert job.locator(".job-status").inner_text() == "失败"
        assert "500" in job.inner_text()
        assert "null" not in drawer.inner_text() and "undefined" not in drawer.inner_text()
        job.get_by_role("button", name="重试").click()
        expect(job.locator(".job-status")).to_have_text("成功", timeout=30_000)  # the drawer follows the job
        assert job.get_by_role("button", name="重试").count() == 0
        assert len(fake.received) == 2
        assert "第 2 次" in job.inner_text()
        drawer.get_by_role("button", name="关闭").click()
        expect(page.locator(f"tr[data-instance='{instance['id']}']")).not_to_contain_text("任务失败")
        assert problems == []
