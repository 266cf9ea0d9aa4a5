"""Test data: small app definitions and a Maker that creates users, apps and records via the API."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from runtime.storage.users import create_user

SHOP = {
    "format": "tangram/app@1",
    "key": "shop",
    "name": "小店",
    "version": "1.0.0",
    "forms": [
        {
            "key": "customer",
            "name": "客户",
            "title_field": "name",
            "indexes": [["region", "-amount"]],
            "fields": [
                {"key": "name", "type": "text", "label": "客户名称", "required": True, "unique": True, "max_length": 100},
                {"key": "region", "type": "select", "label": "地区", "options": ["华东", "华南", "华北"]},
                {"key": "level", "type": "select", "label": "等级", "options": ["A", "B", "C"], "default": "C"},
                {"key": "amount", "type": "money", "label": "成交金额", "min": 0},
                {"key": "note", "type": "text", "label": "备注"},
            ],
        },
        {
            "key": "product",
            "name": "产品",
            "title_field": "title",
            "fields": [
                {"key": "title", "type": "text", "label": "产品名称", "required": True},
                {"key": "price", "type": "money", "label": "价格"},
            ],
        },
    ],
}


def shop(**changes: Any) -> dict[str, Any]:
    """A copy of the SHOP definition, with top-level keys replaced."""
    definition = copy.deepcopy(SHOP)
    definition.update(changes)
    return definition


class Maker:
    """Creates what a test needs; each test has its own database, so nothing is shared."""

    def __init__(self, app: Any, client: TestClient) -> None:
        self.app = app
        self.client = client
        self._headers: dict[str, dict[str, str]] = {}

    def user(self, username: str = "admin", *, admin: bool = True, password: str = "password-123") -> dict[str, str]:
        """Bearer headers for a user, created on first use."""
        if username not in self._headers:
            with self.app.state.db.write() as conn:
                create_user(conn, username, password, datetime.now(UTC), is_admin=admin)
            r = self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
            assert r.status_code == 200, r.text
            self._headers[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self._headers[username]

    @property
    def admin(self) -> dict[str, str]:
        return self.user("admin")

    def app_def(self, definition: dict[str, Any] | None = None) -> dict[str, Any]:
        r = self.client.post("/api/v1/apps", json=definition or shop(), headers=self.admin)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def record(self, form: str, data: dict[str, Any], app: str = "shop") -> dict[str, Any]:
        r = self.client.post(f"/api/v1/apps/{app}/forms/{form}/records", json={"data": data}, headers=self.admin)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def url(self, form: str = "customer", app: str = "shop") -> str:
        return f"/api/v1/apps/{app}/forms/{form}/records"
