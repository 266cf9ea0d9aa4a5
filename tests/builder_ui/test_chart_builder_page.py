"""The chart builder's page: linked from the app and from a dashboard (新建图表, 编辑图表 per widget),
opened on a new chart or on a widget of the draft, only for those who manage the app."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Maker, shop

WIDGET = {
    "key": "levels",
    "type": "pie",
    "form": "customer",
    "name": "等级分布",
    "dimensions": [{"field": "level"}],
    "measures": [{"agg": "count"}],
}


def _login(client: TestClient, username: str) -> None:
    r = client.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303, r.text


def _data(html: str) -> dict[str, Any]:
    start = html.index('id="cb-data">') + len('id="cb-data">')
    return json.loads(html[start : html.index("</script>", start)])  # type: ignore[no-any-return]


def test_the_builder_is_linked_and_opens_a_widget_of_the_draft(make: Maker, app: Any) -> None:
    make.app_def(shop(reports=[{"key": "board", "name": "看板", "widgets": [WIDGET]}]))
    make.admin  # noqa: B018 — the admin exists before logging in
    with TestClient(app) as browser:
        _login(browser, "admin")
        assert 'href="/apps/shop/builder/charts/new"' in browser.get("/apps/shop").text
        form_builder = browser.get("/apps/shop/builder/forms/customer").text
        assert 'href="/apps/shop/builder/charts/new?form=customer"' in form_builder
        board = browser.get("/apps/shop/dashboards/board").text
        assert 'href="/apps/shop/builder/charts/new?report=board"' in board
        assert 'href="/apps/shop/builder/charts/board/levels"' in board
        page = browser.get("/apps/shop/builder/charts/board/levels")
        assert page.status_code == 200 and "编辑图表" in page.text
        data = _data(page.text)
        assert data["widget"] == WIDGET and data["report"] == "board"
        assert data["reports"] == [{"key": "board", "name": "看板"}]
        new = browser.get("/apps/shop/builder/charts/new", params={"report": "board", "form": "product"})
        assert new.status_code == 200 and _data(new.text)["widget"] is None and _data(new.text)["form"] == "product"
        assert browser.get("/apps/shop/builder/charts/board/nope").status_code == 404
        assert browser.get("/apps/nope/builder/charts/new").status_code == 404


def test_only_a_manager_opens_the_builder(make: Maker, app: Any) -> None:
    make.app_def(shop(reports=[{"key": "board", "name": "看板", "widgets": [WIDGET]}]))
    make.user("clerk", admin=False)
    with TestClient(app) as browser:
        _login(browser, "clerk")
        assert browser.get("/apps/shop/builder/charts/new").status_code in (403, 404)
        assert browser.get("/apps/shop/builder/charts/board/levels").status_code in (403, 404)
