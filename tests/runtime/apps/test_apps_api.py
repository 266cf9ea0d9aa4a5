"""Apps over HTTP: import, read, upgrade against stored data, versions, and the builder endpoints."""

from __future__ import annotations

import copy
from typing import Any

from tests.factories import shop


def test_import_returns_201_and_get_returns_the_definition(make: Any) -> None:
    created = make.app_def()
    assert created["version"] == 1 and created["key"] == "shop"
    got = make.client.get("/api/v1/apps/shop", headers=make.admin).json()
    assert got["definition"]["forms"][0]["fields"][0]["label"] == "客户名称"
    assert make.client.get("/api/v1/apps", headers=make.admin).json()["items"][0]["key"] == "shop"


def test_import_of_an_existing_key_is_409(make: Any) -> None:
    make.app_def()
    r = make.client.post("/api/v1/apps", json=shop(), headers=make.admin)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_exists"


def test_broken_definition_is_422_with_every_path(make: Any) -> None:
    broken = shop()
    broken["forms"][0]["title_field"] = "nope"
    broken["forms"][1]["fields"].append({"key": "title", "type": "text", "label": "重复"})
    r = make.client.post("/api/v1/apps", json=broken, headers=make.admin)
    assert r.status_code == 422
    paths = {d["path"] for d in r.json()["error"]["details"]}
    assert paths == {"forms[0].title_field", "forms[1].fields[2].key"}
    assert make.client.get("/api/v1/apps", headers=make.admin).json()["items"] == []


def test_removing_a_field_hides_its_data_and_adding_it_back_shows_it(make: Any) -> None:
    make.app_def()
    rec = make.record("customer", {"name": "甲", "note": "重要客户"})
    smaller = shop()
    note = smaller["forms"][0]["fields"].pop(4)
    r = make.client.put("/api/v1/apps/shop", json=smaller, headers=make.admin)
    assert r.status_code == 200 and r.json()["version"] == 2
    url = f"{make.url()}/{rec['id']}"
    assert "note" not in make.client.get(url, headers=make.admin).json()["data"]
    make.client.put("/api/v1/apps/shop", json=shop(), headers=make.admin)
    assert make.client.get(url, headers=make.admin).json()["data"]["note"] == "重要客户"
    assert note["key"] == "note"


def test_type_change_that_stored_values_cannot_take_is_refused_with_the_count(make: Any) -> None:
    make.app_def()
    make.record("customer", {"name": "甲", "note": "123"})
    make.record("customer", {"name": "乙", "note": "很多"})
    make.record("customer", {"name": "丙", "note": "一百"})
    changed = shop()
    changed["forms"][0]["fields"][4] = {"key": "note", "type": "money", "label": "备注金额"}
    r = make.client.put("/api/v1/apps/shop", json=changed, headers=make.admin)
    assert r.status_code == 409
    detail = r.json()["error"]["details"][0]
    assert detail["path"] == "forms[0].fields[4]" and "2 " in detail["message"]
    assert make.client.get("/api/v1/apps/shop", headers=make.admin).json()["version"] == 1


def test_type_change_that_values_can_take_converts_them(make: Any) -> None:
    make.app_def()
    rec = make.record("customer", {"name": "甲", "note": "1,234.5"})
    changed = shop()
    changed["forms"][0]["fields"][4] = {"key": "note", "type": "money", "label": "备注金额"}
    assert make.client.put("/api/v1/apps/shop", json=changed, headers=make.admin).status_code == 200
    got = make.client.get(f"{make.url()}/{rec['id']}", headers=make.admin).json()
    assert got["data"]["note"] == "1234.50"
    found = make.client.get(make.url(), params={"filter[note][gt]": "1000"}, headers=make.admin).json()["items"]
    assert [i["id"] for i in found] == [rec["id"]]


def test_making_a_field_unique_over_duplicates_is_refused(make: Any) -> None:
    make.app_def()
    make.record("customer", {"name": "甲", "note": "同"})
    make.record("customer", {"name": "乙", "note": "同"})
    changed = shop()
    changed["forms"][0]["fields"][4]["unique"] = True
    r = make.client.put("/api/v1/apps/shop", json=changed, headers=make.admin)
    assert r.status_code == 409
    assert r.json()["error"]["details"][0]["path"] == "forms[0].fields[4].unique"  # the whole JSON path
    assert make.client.get("/api/v1/apps/shop", headers=make.admin).json()["version"] == 1


def test_every_version_is_kept(make: Any) -> None:
    make.app_def()
    v2 = shop(version="1.1.0")
    make.client.put("/api/v1/apps/shop", json=v2, headers=make.admin)
    versions = make.client.get("/api/v1/apps/shop/versions", headers=make.admin).json()["items"]
    assert [(v["version"], v["label"]) for v in versions] == [(1, "1.0.0"), (2, "1.1.0")]
    old = make.client.get("/api/v1/apps/shop/versions/1", headers=make.admin).json()
    assert old["label"] == "1.0.0"


def test_upgrade_cannot_change_the_app_key(make: Any) -> None:
    make.app_def()
    r = make.client.put("/api/v1/apps/shop", json=shop(key="other"), headers=make.admin)
    assert r.status_code == 409


def test_builder_add_move_update_remove_then_publish(make: Any) -> None:
    make.app_def()
    base = "/api/v1/apps/shop/forms/product/fields"
    r = make.client.post(base, params={"position": 1}, json={"key": "sku", "type": "text", "label": "编码"},
                         headers=make.admin)
    assert r.status_code == 201
    assert [f["key"] for f in r.json()["fields"]] == ["title", "sku", "price"]
    r = make.client.post(f"{base}/sku/move", json={"position": 0}, headers=make.admin)
    assert [f["key"] for f in r.json()["fields"]] == ["sku", "title", "price"]
    r = make.client.patch(f"{base}/sku", json={"label": "产品编码", "required": True}, headers=make.admin)
    assert r.json()["fields"][0] == {"key": "sku", "type": "text", "label": "产品编码", "required": True}
    r = make.client.delete(f"{base}/price", headers=make.admin)
    assert [f["key"] for f in r.json()["fields"]] == ["sku", "title"]
    # Nothing is live until publish.
    live = make.client.get("/api/v1/apps/shop", headers=make.admin).json()
    assert live["version"] == 1 and len(live["definition"]["forms"][1]["fields"]) == 2
    r = make.client.post("/api/v1/apps/shop/publish", headers=make.admin)
    assert r.status_code == 200 and r.json()["version"] == 2
    r = make.client.post(make.url("product"), json={"data": {"title": "扳手"}}, headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "sku"


def test_builder_refuses_an_invalid_change_with_its_path(make: Any) -> None:
    make.app_def()
    base = "/api/v1/apps/shop/forms/customer/fields"
    r = make.client.patch(f"{base}/region", json={"options": []}, headers=make.admin)
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["path"] == "forms[0].fields[1].options"
    r = make.client.post(base, json={"key": "name", "type": "text", "label": "又一个"}, headers=make.admin)
    assert r.status_code == 409
    r = make.client.post(f"{base}/nope/move", json={"position": 0}, headers=make.admin)
    assert r.status_code == 404
    r = make.client.post(f"{base}/name/move", json={"position": 99}, headers=make.admin)
    assert r.status_code == 400


def test_builder_adds_a_form(make: Any) -> None:
    make.app_def()
    r = make.client.post("/api/v1/apps/shop/forms", json={"key": "supplier", "name": "供应商"}, headers=make.admin)
    assert r.status_code == 201 and r.json() == {"key": "supplier", "name": "供应商"}
    make.client.post("/api/v1/apps/shop/forms/supplier/fields", json={"key": "name", "type": "text", "label": "名称"},
                     headers=make.admin)
    make.client.post("/api/v1/apps/shop/publish", headers=make.admin)
    make.record("supplier", {"name": "华强"})


def test_only_administrators_and_managers_change_definitions(make: Any) -> None:
    definition = shop(roles=[{"key": "clerk", "name": "店员", "permissions": {"*": {"read": "all"}}}])
    make.app_def(definition)
    rep = make.user("rep", admin=False)
    # Without a role in the app the user sees nothing of it (404), with one but no `manage` right: 403.
    assert make.client.put("/api/v1/apps/shop", json=definition, headers=rep).status_code == 404
    assert make.client.get("/api/v1/apps/shop", headers=rep).status_code == 404
    make.client.put("/api/v1/apps/shop/roles/clerk/members", json={"users": ["rep"]}, headers=make.admin)
    assert make.client.put("/api/v1/apps/shop", json=definition, headers=rep).status_code == 403
    assert make.client.get("/api/v1/apps/shop", headers=rep).status_code == 200


def test_records_remember_the_definition_they_were_written_under(make: Any) -> None:
    make.app_def()
    first = make.record("customer", {"name": "甲"})
    v2 = copy.deepcopy(shop(version="2.0.0"))
    make.client.put("/api/v1/apps/shop", json=v2, headers=make.admin)
    second = make.record("customer", {"name": "乙"})
    with make.app.state.db.read() as conn:
        from runtime.db.tables import records

        rows = dict(conn.execute(records.select().with_only_columns(records.c.id, records.c.def_version)).all())
    assert rows == {first["id"]: 1, second["id"]: 2}
