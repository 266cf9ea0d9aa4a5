"""An app with a field of every registered type (the browser showcase's, plus those it leaves out):
the typed API tests build and check their documents over it."""

from __future__ import annotations

import copy
from typing import Any

from tests.browser.showcase import SHOWCASE


def every_type_app() -> dict[str, Any]:
    """The showcase app, with rating, lookup, rollup and a multiple relation added."""
    app = copy.deepcopy(SHOWCASE)
    industry, customer = app["forms"]
    industry["fields"] += [
        {"key": "customers", "type": "rollup", "label": "客户数", "source": {"form": "customer", "field": "sector"},
         "agg": "count"},
    ]
    customer["fields"] += [
        {"key": "stars", "type": "rating", "label": "满意度", "max": 5},
        {"key": "sector_name", "type": "lookup", "label": "行业名称", "relation": "sector", "field": "name"},
        {"key": "peers", "type": "relation", "label": "同行", "target": "industry", "multiple": True},
    ]
    return app


def full_customer(industry_id: int, file: dict[str, Any]) -> dict[str, Any]:
    """A customer with every writable field filled, as a client of the typed API would send it."""
    return {
        "name": "苏州恒瑞精密机械有限公司", "intro": "汽车零配件", "staff": 120, "revenue": "1200000.00",
        "discount": "0.05", "since": "2024-03-01", "visited_at": "2026-12-01T02:30:00Z", "vip": True,
        "level": "C", "risk": "回款慢", "tags": ["华东", "制造"], "trade": ["制造业", "汽车零配件"],
        "address": {"province": "江苏省", "city": "苏州市", "district": "工业园区", "detail": "星湖街 328 号"},
        "phone": "13800138000", "email": "buyer@example.com", "website": "https://example.com/",
        "manager": "admin", "team": ["admin"], "dept": "sales", "sector": industry_id, "files": [file],
        "lines": [{"item": "主轴", "qty": 2, "price": "1500.00"}, {"item": "导轨"}],
        "stars": 4, "peers": [industry_id],
    }
