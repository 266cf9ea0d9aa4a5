"""Browser tests: a real uvicorn on a loopback port, Debian's chromium driven by Playwright.

They run on SQLite only: what they test is the pages and their scripts over the public API, which
the HTTP tests already run on every backend; one server per module keeps them quick. Without
/usr/bin/chromium they skip, saying so, except under CI, where they fail."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.accounts.users import create_user
from runtime.db.db import Database, open_database
from runtime.db.tables import metadata
from runtime.main import create_app
from runtime.settings import Settings
from tests.browser.showcase import SHOWCASE
from tests.live import serve

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PASSWORD = "browser-Pass-7"  # the password policy refuses one containing the username
CRM = Path(__file__).resolve().parents[2] / "apps" / "crm_template.json"


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


class Site:
    """The live server: its URL and an API client logged in as admin (to arrange and check data)."""

    def __init__(self, url: str, db: Database | None = None, app: Any = None) -> None:
        self.url, self.db = url, db  # db: to load demo data straight into the site's database
        self.app = app  # the FastAPI app behind the server (its database and settings: a test may run the job worker)
        token = httpx.post(f"{url}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}).json()
        self.api = httpx.Client(base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {token['access_token']}"})

    def record(self, app: str, form: str, data: dict[str, Any]) -> dict[str, Any]:
        r = self.api.post(f"/apps/{app}/forms/{form}/records", json={"data": data})
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with serve_site(tmp_path_factory) as s:
        yield s


@contextmanager
def serve_site(tmp_path_factory: pytest.TempPathFactory, **settings: Any) -> Iterator[Site]:
    """The live server with the CRM and the showcase app; `settings` (e.g. the embedded job worker) on top."""
    _need_chromium()
    tmp = tmp_path_factory.mktemp("site")
    db = open_database(f"sqlite:///{tmp}/tangram.db")
    metadata.create_all(db.engine)
    with db.write() as conn:
        create_user(conn, "admin", PASSWORD, datetime.now(UTC), display_name="管理员", is_admin=True)
        create_user(conn, "zhang.wei", PASSWORD, datetime.now(UTC), display_name="张伟")
    app = create_app(Settings(data_dir=tmp, database_url="unused://", **settings), db)
    with serve(app) as url:
        s = Site(url, db, app)
        for definition in (json.loads(CRM.read_text(encoding="utf-8")), SHOWCASE):
            r = s.api.post("/apps", json=definition)
            assert r.status_code == 201, r.text
        yield s
        s.api.close()
    db.engine.dispose()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser
        browser.close()


def log_in(browser: Any, site: Site, viewport: dict[str, int] | None = None, timezone_id: str = "Asia/Shanghai") -> Any:
    """A new browser context (its own cookies, the browser's time zone), logged in as admin; the page."""
    context = browser.new_context(locale="zh-CN", timezone_id=timezone_id,
                                  viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site.url}/login")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{site.url}/")
    return page


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    page = log_in(browser, site)
    yield page
    page.context.close()


@pytest.fixture
def faults(page: Any) -> Iterator[list[str]]:
    """Script errors and CSP violations of the pages a test opens: a test that asks for it ends without one."""
    seen: list[str] = []
    page.on("pageerror", lambda e: seen.append(str(e)))
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    yield seen
    assert seen == []
