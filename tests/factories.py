"""Test data: small app definitions and a Maker that creates users, apps and records via the API."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from runtime.accounts.users import create_user

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
                {"key": "since", "type": "date", "label": "合作开始"},
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


CHINESE_ORDER = ["(备用)", "１号", "阿里巴巴", "北京华信有限公司", "重庆火锅", "李四", "吕布", "绿地", "欧阳",
                 "沈阳机床", "王五", "张三", "赵六", "重量级", "apple", "Banana", "Ｚ字"]
"""Names as PostgreSQL's ICU sorts them: punctuation, digits (full-width too), Han by pinyin (重庆 as
chóng, 重量 as zhòng; lǚ before lǜ), then Latin letters whatever their case or width."""


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

    def every_record(self, form: str, app: str = "shop") -> list[dict[str, Any]]:
        """Every record of a form through the records API (cursor pages), numbers as exact decimals."""
        out: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 500} | ({"cursor": cursor} if cursor else {})
            r = self.client.get(self.url(form, app), params=params, headers=self.admin)
            assert r.status_code == 200, r.text
            body = json.loads(r.text, parse_float=Decimal)
            out += body["items"]
            cursor = body.get("next_cursor")
            if not cursor:
                return out

    def url(self, form: str = "customer", app: str = "shop") -> str:
        return f"/api/v1/apps/{app}/forms/{form}/records"


REPAIR = {
    "format": "tangram/app@1",
    "key": "repair",
    "name": "设备报修",
    "version": "1.0.0",
    "forms": [
        {"key": "equipment", "name": "设备", "title_field": "name", "fields": [
            {"key": "code", "type": "auto_number", "label": "设备编号", "pattern": "EQ-{YYYY}-{seq:4}"},
            {"key": "name", "type": "text", "label": "设备名称", "required": True, "max_length": 100},
            {"key": "workshop", "type": "select", "label": "所在车间", "options": ["一车间", "二车间"]},
            {"key": "price", "type": "money", "label": "价格", "min": 0},
            {"key": "keeper", "type": "user", "label": "负责人"},
            {"key": "phone", "type": "phone", "label": "联系电话", "unique": True},
        ]},
        {"key": "ticket", "name": "报修单", "title_field": "summary", "fields": [
            {"key": "summary", "type": "text", "label": "故障概述", "required": True},
            {"key": "equipment", "type": "relation", "label": "设备", "target": "equipment", "required": True},
            {"key": "related", "type": "relation", "label": "相关设备", "target": "equipment", "multiple": True},
            {"key": "urgency", "type": "select", "label": "紧急程度", "options": ["一般", "紧急", "特急"],
             "default": "一般"},
            {"key": "watchers", "type": "users", "label": "关注人"},
            {"key": "reported_at", "type": "datetime", "label": "报修时间"},
            {"key": "due", "type": "date", "label": "期望完成"},
            {"key": "photos", "type": "attachment", "label": "照片", "accept": ["image/*"]},
            {"key": "parts", "type": "sub_table", "label": "配件", "fields": [
                {"key": "part", "type": "text", "label": "配件名称", "required": True},
                {"key": "qty", "type": "number", "label": "数量", "min": 1},
                {"key": "unit_price", "type": "money", "label": "单价"},
            ]},
        ]},
    ],
}


def repair() -> dict[str, Any]:
    return copy.deepcopy(REPAIR)
