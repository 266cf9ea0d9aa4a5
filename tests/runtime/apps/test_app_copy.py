"""An app exported whole and imported as a copy under another key (issue 29): the CRM with its records
becomes `crm2`, every relation pointing at the copy's own records; the original is untouched."""

from __future__ import annotations

import copy
from typing import Any

from tests.factories import Maker
from tests.template_versions import V1, customised, template_v2


def _records(make: Maker, app: str, form: str) -> list[dict[str, Any]]:
    r = make.client.get(f"/api/v1/apps/{app}/forms/{form}/records", params={"sort": "id"}, headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def _crm_with_records(make: Maker) -> dict[str, int]:
    make.app_def(copy.deepcopy(V1))
    a = make.record("customer", {"name": "杭州甲公司", "industry": ["制造业"]}, app="crm")
    b = make.record("customer", {"name": "苏州乙公司"}, app="crm")
    c1 = make.record("contact", {"name": "张伟", "customer": b["id"], "mobile": "13800138000"}, app="crm")
    p = make.record("product", {"sku": "P-1", "name": "标准版", "list_price": "100.00"}, app="crm")
    opp = make.record("opportunity", {"name": "乙公司续约", "customer": b["id"], "contact": c1["id"],
                                      "amount": "5000.00"}, app="crm")
    return {"a": a["id"], "b": b["id"], "contact": c1["id"], "product": p["id"], "opportunity": opp["id"]}


def test_export_holds_definition_template_and_only_asked_records(make: Maker) -> None:
    _crm_with_records(make)
    bare = make.client.get("/api/v1/apps/crm/export", headers=make.admin)
    assert bare.status_code == 200 and "attachment" in bare.headers["content-disposition"]
    body = bare.json()
    assert body["format"] == "tangram/app-export@1" and "records" not in body
    assert {r["key"] for r in body["definition"]["roles"]} >= {"sales_rep", "finance"}
    assert {r["key"] for r in body["definition"]["reports"]} >= {"sales_cockpit"}
    assert any(f.get("print_templates") for f in body["definition"]["forms"])
    full = make.client.get("/api/v1/apps/crm/export", params={"records": "true"}, headers=make.admin).json()
    assert [r["data"]["name"] for r in full["records"]["customer"]] == ["杭州甲公司", "苏州乙公司"]
    assert "code" not in full["records"]["customer"][0]["data"]  # an auto number: the copy numbers its own
    entries = make.client.get("/api/v1/audit", params={"action": "app.export"}, headers=make.admin).json()["items"]
    assert [(e["app"], e["detail"]["records"]["customer"]) for e in entries] == [("crm", 2)]


def test_import_as_crm2_copies_records_with_relations_inside_the_copy(make: Maker) -> None:
    ids = _crm_with_records(make)
    bundle = make.client.get("/api/v1/apps/crm/export", params={"records": "true"}, headers=make.admin).json()
    r = make.client.post("/api/v1/apps/import", params={"key": "crm2"}, json=bundle, headers=make.admin)
    assert r.status_code == 201, r.text
    assert r.json()["key"] == "crm2" and r.json()["records"]["customer"] == 2
    customers = {c["data"]["name"]: c["id"] for c in _records(make, "crm2", "customer")}
    assert set(customers) == {"杭州甲公司", "苏州乙公司"} and not set(customers.values()) & {ids["a"], ids["b"]}
    [contact] = _records(make, "crm2", "contact")
    assert contact["data"]["customer"] == {"id": customers["苏州乙公司"], "title": "苏州乙公司"}
    [opp] = _records(make, "crm2", "opportunity")
    assert opp["data"]["customer"]["id"] == customers["苏州乙公司"] and opp["data"]["contact"]["id"] == contact["id"]
    assert contact["id"] != ids["contact"]
    definition = make.client.get("/api/v1/apps/crm2", headers=make.admin).json()["definition"]
    assert definition["key"] == "crm2" and len(definition["forms"]) == len(V1["forms"])
    assert [c["data"]["customer"]["id"] for c in _records(make, "crm", "contact")] == [ids["b"]]  # the original as it was


def test_a_copy_upgrades_from_the_template_it_was_copied_with(make: Maker) -> None:
    make.app_def(customised(V1))
    bundle = make.client.get("/api/v1/apps/crm/export", headers=make.admin).json()
    assert make.client.post("/api/v1/apps/import", params={"key": "crm2"}, json=bundle,
                            headers=make.admin).status_code == 201
    preview = make.client.post("/api/v1/apps/crm2/upgrade/preview", json={"template": template_v2(V1)},
                               headers=make.admin).json()
    assert "forms[customer].fields[credit_code]" in {p["path"] for p in preview["added"]}


def test_bad_imports_are_4xx_and_write_nothing(make: Maker) -> None:
    _crm_with_records(make)
    c, admin = make.client, make.admin
    bundle = c.get("/api/v1/apps/crm/export", params={"records": "true"}, headers=admin).json()
    assert c.post("/api/v1/apps/import", json=bundle, headers=admin).status_code == 409  # crm exists
    assert c.post("/api/v1/apps/import", params={"key": "Bad-Key"}, json=bundle, headers=admin).status_code == 400
    broken = copy.deepcopy(bundle)
    broken["records"]["nosuch"] = []
    assert c.post("/api/v1/apps/import", params={"key": "crm3"}, json=broken, headers=admin).status_code == 400
    invalid = copy.deepcopy(bundle)
    invalid["records"]["customer"].append({"id": 999, "data": {"name": None}})
    r = c.post("/api/v1/apps/import", params={"key": "crm4"}, json=invalid, headers=admin)
    assert r.status_code == 422
    assert [a["key"] for a in c.get("/api/v1/apps", headers=admin).json()["items"]] == ["crm"]
    clerk = make.user("clerk", admin=False)
    assert c.post("/api/v1/apps/import", params={"key": "crm5"}, json=bundle, headers=clerk).status_code == 403
    assert c.get("/api/v1/apps/crm/export", headers=clerk).status_code == 403
