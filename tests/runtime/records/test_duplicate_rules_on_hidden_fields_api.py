"""A duplicate rule reading a field hidden from the writer tells them nothing: a `warn` rule does not warn,
a `block` rule refuses without naming a record or a value (docs/permissions.md, 查重)."""

from __future__ import annotations

from typing import Any

from tests.factories import Maker, shop

HENGRUI = "苏州恒瑞精密机械有限公司"
CODE = "91320594MA1XXXXX0P"
CLERK = {
    "key": "clerk",
    "name": "客服",
    "permissions": {"customer": {"create": True, "read": "all", "update": "all", "fields": {"credit_code": "hidden"}}},
}


def _setup(make: Maker, action: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    definition = shop(roles=[CLERK])
    customer = definition["forms"][0]
    customer["fields"][0].pop("unique")
    customer["fields"].append({"key": "credit_code", "type": "text", "label": "统一社会信用代码"})
    customer["duplicate_rules"] = [
        {
            "key": "name_and_code",
            "name": "名称与信用代码相同",
            "fields": [{"field": "name", "match": "company"}, {"field": "credit_code"}],
            "action": action,
        }
    ]
    make.app_def(definition)
    stored = make.record("customer", {"name": HENGRUI, "credit_code": CODE})
    other = make.record("customer", {"name": "无锡新华机床有限公司", "credit_code": CODE})
    clerk = make.user("clerk", admin=False)
    make.client.put("/api/v1/apps/shop/roles/clerk/members", json={"users": ["clerk"]}, headers=make.admin)
    return stored, other, clerk


def _rename(make: Maker, record: dict[str, Any], headers: dict[str, str]) -> Any:
    url = f"{make.url()}/{record['id']}"
    return make.client.patch(url, json={"data": {"name": "恒瑞精密机械(苏州)有限公司"}}, headers=headers)


def test_a_warn_rule_on_a_hidden_field_does_not_warn_the_writer(make: Maker) -> None:
    stored, other, clerk = _setup(make, "warn")
    r = _rename(make, other, clerk)
    assert r.status_code == 200, r.text
    assert CODE not in r.text and HENGRUI not in r.text


def test_a_warn_rule_on_a_hidden_field_still_warns_who_sees_it(make: Maker) -> None:
    stored, other, _ = _setup(make, "warn")
    r = _rename(make, other, make.admin)
    assert r.status_code == 409 and [d["id"] for d in r.json()["error"]["duplicates"]] == [stored["id"]]


def test_a_block_rule_on_a_hidden_field_blocks_without_naming_a_record_or_value(make: Maker) -> None:
    stored, other, clerk = _setup(make, "block")
    r = _rename(make, other, clerk)
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "duplicate_blocked" and error["duplicates"] == []
    assert CODE not in r.text and HENGRUI not in r.text and f"{stored['id']}" not in error["message"]
    got = make.client.get(f"{make.url()}/{other['id']}", headers=make.admin).json()["data"]
    assert got["name"] == "无锡新华机床有限公司"  # nothing written


def test_the_check_of_a_stored_record_lists_no_match_under_a_hidden_field(make: Maker) -> None:
    stored, other, clerk = _setup(make, "warn")
    make.client.patch(
        f"{make.url()}/{other['id']}", params={"allow_duplicates": "true"}, json={"data": {"name": HENGRUI + " "}},
        headers=make.admin,
    )
    url = "/api/v1/apps/shop/forms/customer/duplicates"
    body = make.client.get(url, params={"record_id": other["id"]}, headers=clerk).json()
    assert body["duplicates"] == [] and body["blocked"] is False
    seen = make.client.get(url, params={"record_id": other["id"]}, headers=make.admin).json()
    assert [d["id"] for d in seen["duplicates"]] == [stored["id"]]
