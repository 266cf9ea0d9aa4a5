"""The shop app with duplicate rules on its customers (a company-name rule and a 统一社会信用代码 rule), and the
roles the duplicate tests read it as."""

from __future__ import annotations

from typing import Any

from tests.factories import shop

RULES = [
    {"key": "similar_name", "name": "客户名称相近", "fields": [{"field": "name", "match": "company"}], "threshold": 85},
    {"key": "same_code", "name": "信用代码相同", "fields": [{"field": "credit_code"}]},
]
OWN = {"key": "rep", "name": "销售", "permissions": {"customer": {"create": True, "read": "own", "update": "own"}}}
BLIND = {"key": "clerk", "name": "客服", "permissions": {"customer": {"read": "all", "fields": {"credit_code": "hidden"}}}}


def shop_with_rules(roles: list[dict[str, Any]], rules: list[dict[str, Any]] = RULES) -> dict[str, Any]:
    """The shop app whose customers' names are not unique (duplicates are the point) and carry a 信用代码."""
    definition = shop(roles=roles)
    customer = definition["forms"][0]
    customer["fields"][0].pop("unique")
    customer["fields"].append({"key": "credit_code", "type": "text", "label": "统一社会信用代码"})
    customer["duplicate_rules"] = rules
    return definition
