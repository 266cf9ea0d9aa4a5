"""接收接口 page: for those who manage the app only; it lists each hook's URL and never its secret, and shows the
deliveries log filtered as asked."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Maker, shop

LEADS = {"key": "web_leads", "name": "官网线索", "form": "customer", "auth": "bearer",
         "mapping": {"name": "payload.company"}}
SALES = {"key": "sales", "name": "销售", "permissions": {"customer": {"create": True, "read": "all", "update": "all"}}}


def _login(client: TestClient, username: str) -> None:
    r = client.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303, r.text


def test_the_hooks_page_is_for_managers_and_never_shows_the_secret(make: Maker, app: Any) -> None:
    make.app_def(shop(roles=[SALES]))
    secret = make.client.put("/api/v1/apps/shop/hooks/web_leads", json=LEADS, headers=make.admin).json()["secret"]
    make.client.post("/api/v1/hooks/shop/web_leads", json={"company": "甲公司"}, headers={"Authorization": f"Bearer {secret}"})
    make.client.post("/api/v1/hooks/shop/web_leads", json={"company": ["不是文本"]},
                     headers={"Authorization": f"Bearer {secret}", "X-Tangram-Delivery": "bad-7"})
    make.client.post("/api/v1/hooks/shop/web_leads", json={"company": "乙"}, headers={"Authorization": "Bearer wrong"})
    make.user("clerk", admin=False)
    make.client.put("/api/v1/apps/shop/roles/sales/members", json={"users": ["clerk"]}, headers=make.admin)
    with TestClient(app) as browser:
        _login(browser, "clerk")
        assert browser.get("/apps/shop/hooks").status_code == 403
        assert "/apps/shop/hooks" not in browser.get("/apps/shop").text
    with TestClient(app) as browser:
        make.user("admin")
        _login(browser, "admin")
        page = browser.get("/apps/shop/hooks")
        assert page.status_code == 200, page.text
        assert "/api/v1/hooks/shop/web_leads" in page.text and secret not in page.text
        assert page.text.count("data-delivery=") == 3
        failed = browser.get("/apps/shop/hooks", params={"status": "error"}).text
        assert failed.count("data-delivery=") == 2 and "bad-7" in failed and "payload.company" in failed
        assert "已拒绝" in failed
        assert browser.get("/apps/shop/hooks", params={"status": "nope"}).status_code in (400, 422)
