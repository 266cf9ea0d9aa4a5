"""An add-on template is a unit of the app it joins (issue 29): its new version is merged three ways like an
app template's — what only the add-on changed comes in, local changes to its parts are kept, both changing
one part is a conflict to choose — and it can be taken out again: its forms, flows, dashboards, the fields it
appended and the roles it brought, confirmed when its forms hold records (kept, visible again after a new
install), refused at the path of a part of the app's own that still names it."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from engine.addons import merge_addon, new_roles, remove_addon
from runtime.apps.addons import bundled
from runtime.cli import CRM_TEMPLATE
from tests.errors import shown
from tests.factories import Maker
from tests.flows import FlowWorld

SUPPLIER_NAME = "forms[supplier].fields[name].label"


def _crm() -> dict[str, Any]:
    return json.loads(CRM_TEMPLATE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("key", ["inventory", "projects"])
def test_removing_an_addon_gives_back_the_app_it_was_installed_into(key: str) -> None:
    crm, addon = _crm(), bundled()[key]
    merged = merge_addon(crm, addon)
    assert remove_addon(merged, addon, new_roles(crm, addon)) == crm
    both = merge_addon(merged, bundled()["projects" if key == "inventory" else "inventory"])
    other = bundled()["projects" if key == "inventory" else "inventory"]
    assert remove_addon(both, addon, new_roles(crm, addon)) == merge_addon(crm, other)


def test_a_role_of_the_app_keeps_its_own_rights_and_a_role_the_addon_brought_goes() -> None:
    crm, addon = _crm(), bundled()["inventory"]
    brought = new_roles(crm, addon)
    assert "warehouse_keeper" in brought and "purchasing" not in brought
    removed = remove_addon(merge_addon(crm, addon), addon, brought)
    roles = {r["key"]: r for r in removed["roles"]}
    assert "warehouse_keeper" not in roles
    assert roles["purchasing"] == {r["key"]: r for r in crm["roles"]}["purchasing"]


@pytest.fixture
def crm(make: Maker) -> FlowWorld:
    w = FlowWorld(make, _crm())
    r = w.client.post("/api/v1/templates/inventory/install", json={}, headers=w.h("admin"))
    assert r.status_code == 201, r.text
    return w


def _definition(w: FlowWorld) -> dict[str, Any]:
    return w.client.get("/api/v1/apps/crm", headers=w.h("admin")).json()["definition"]  # type: ignore[no-any-return]


def _fields(definition: dict[str, Any], form: str) -> dict[str, Any]:
    return {f["key"]: f for f in next(x for x in definition["forms"] if x["key"] == form)["fields"]}


def _relabel(w: FlowWorld, form: str, field: str, label: str) -> None:
    r = w.client.patch(f"/api/v1/apps/crm/forms/{form}/fields/{field}", json={"label": label}, headers=w.h("admin"))
    assert r.status_code == 200, r.text
    assert w.client.post("/api/v1/apps/crm/publish", headers=w.h("admin")).status_code == 200


def _next_version(addon: dict[str, Any], version: str, supplier_name: str | None = None,
                  tax_label: str = "税号") -> dict[str, Any]:
    """The add-on's next version: a 税号 field on 供应商, 采购数量 relabelled, and (optionally) 供应商名称 too."""
    doc = copy.deepcopy(addon)
    doc["version"] = version
    fields = _fields(doc, "supplier")
    if supplier_name:
        fields["name"]["label"] = supplier_name
    next(x for x in doc["forms"] if x["key"] == "supplier")["fields"].append(
        {"key": "tax_no", "type": "text", "label": tax_label})
    _fields(doc, "purchase_order")["qty"]["label"] = "采购数量（件）"
    return doc


def test_an_addon_upgrade_keeps_local_changes_adds_its_parts_and_offers_the_conflict(crm: FlowWorld) -> None:
    w, admin = crm, crm.h("admin")
    _relabel(w, "supplier", "name", "供应商全称")  # a local change to the add-on's own form
    _relabel(w, "customer", "name", "客户全称")  # and to the CRM's
    v11 = _next_version(bundled()["inventory"], "1.1.0", supplier_name="供应商名称（全称）")

    preview = w.client.post("/api/v1/apps/crm/upgrade/preview", json={"template": v11}, headers=admin).json()
    assert "forms[supplier].fields[tax_no]" in {p["path"] for p in preview["added"]}
    assert "forms[purchase_order].fields[qty].label" in {p["path"] for p in preview["updated"]}
    assert [c["path"] for c in preview["conflicts"]] == [SUPPLIER_NAME]
    assert {"forms[customer].fields[name].label", SUPPLIER_NAME} - {p["path"] for p in preview["kept"]} == {SUPPLIER_NAME}

    r = w.client.post("/api/v1/apps/crm/upgrade", json={"template": v11}, headers=admin)
    assert r.status_code == 409 and r.json()["error"]["code"] == "upgrade_conflicts"
    r = w.client.post("/api/v1/apps/crm/upgrade", json={"template": v11, "choices": {SUPPLIER_NAME: "ours"}},
                      headers=admin)
    assert r.status_code == 200, r.text
    definition = _definition(w)
    assert _fields(definition, "supplier")["name"]["label"] == "供应商全称"
    assert _fields(definition, "supplier")["tax_no"]["label"] == "税号"
    assert _fields(definition, "purchase_order")["qty"]["label"] == "采购数量（件）"
    assert _fields(definition, "customer")["name"]["label"] == "客户全称"
    [item] = w.client.get("/api/v1/apps/crm/addons", headers=admin).json()["items"]
    assert (item["key"], item["version"]) == ("inventory", "1.1.0")

    # The add-on's base moved on: its next version changes 税号 alone, with nothing to choose.
    v12 = _next_version(bundled()["inventory"], "1.2.0", supplier_name="供应商名称（全称）", tax_label="纳税人识别号")
    preview = w.client.post("/api/v1/apps/crm/upgrade/preview", json={"template": v12}, headers=admin).json()
    assert preview["conflicts"] == [] and [p["path"] for p in preview["updated"]] == ["forms[supplier].fields[tax_no].label"]
    assert w.client.post("/api/v1/apps/crm/upgrade", json={"template": v12}, headers=admin).status_code == 200
    assert _fields(_definition(w), "supplier")["tax_no"]["label"] == "纳税人识别号"


def test_an_addon_version_for_another_app_or_not_installed_is_refused(crm: FlowWorld) -> None:
    admin = crm.h("admin")
    other = bundled()["inventory"] | {"app": "hr"}
    r = crm.client.post("/api/v1/apps/crm/upgrade/preview", json={"template": other}, headers=admin)
    assert r.status_code == 409 and "hr" in shown(r)
    r = crm.client.post("/api/v1/apps/crm/upgrade/preview", json={"template": bundled()["projects"]}, headers=admin)
    assert r.status_code == 404 and "projects" in shown(r)


def test_removing_an_addon_takes_out_its_parts_and_keeps_the_apps_own(crm: FlowWorld) -> None:
    w, admin = crm, crm.h("admin")
    before = _definition(w)
    preview = w.client.get("/api/v1/apps/crm/addons/inventory/removal", headers=admin).json()
    assert preview["records"] == {} and "warehouse_keeper" in preview["parts"]["roles"]
    assert "product.stock_qty" in preview["parts"]["fields"]
    r = w.client.delete("/api/v1/apps/crm/addons/inventory", headers=admin)
    assert r.status_code == 200, r.text
    after = _definition(w)
    forms = {f["key"] for f in after["forms"]}
    assert not forms & {"supplier", "warehouse", "purchase_order", "stock_move"}
    assert {"customer", "product", "opportunity"} <= forms
    assert set(_fields(after, "product")) == set(_fields(before, "product")) - {
        "reorder_level", "stock_in", "stock_out", "stock_qty"}
    roles = {r["key"]: r for r in after["roles"]}
    assert "warehouse_keeper" not in roles and "purchase_order" not in roles["purchasing"].get("permissions", {})
    assert w.client.get("/api/v1/apps/crm/addons", headers=admin).json()["items"] == []
    states = {t["key"]: t["state"] for t in w.client.get("/api/v1/templates", headers=admin).json()["items"]}
    assert states["inventory"] == "available"
    entries = w.client.get("/api/v1/audit", params={"action": "app.addon_remove"}, headers=admin).json()["items"]
    assert entries[0]["detail"]["addon"] == "inventory"


def test_removing_an_addon_whose_forms_hold_records_needs_a_confirmation_and_keeps_them(crm: FlowWorld) -> None:
    w, admin = crm, crm.h("admin")
    r = w.client.post("/api/v1/apps/crm/forms/supplier/records", json={"data": {"name": "宁波甬达五金"}},
                      headers=admin)
    assert r.status_code == 201, r.text
    version = w.client.get("/api/v1/apps/crm", headers=admin).json()["version"]
    r = w.client.delete("/api/v1/apps/crm/addons/inventory", headers=admin)
    assert r.status_code == 409 and r.json()["error"]["code"] == "addon_has_records"
    assert r.json()["error"]["records_total"] == 1
    assert [(d["path"], d["code"]) for d in r.json()["error"]["details"]] == [("forms[supplier]", "has_records")]
    assert w.client.get("/api/v1/apps/crm", headers=admin).json()["version"] == version  # nothing written
    r = w.client.delete("/api/v1/apps/crm/addons/inventory", params={"confirm": "true"}, headers=admin)
    assert r.status_code == 200 and r.json()["records_kept"] == {"supplier": 1}
    assert w.client.get("/api/v1/apps/crm/forms/supplier/records", headers=admin).status_code == 404
    assert w.client.post("/api/v1/templates/inventory/install", json={}, headers=admin).status_code == 201
    [supplier] = w.client.get("/api/v1/apps/crm/forms/supplier/records", headers=admin).json()["items"]
    assert supplier["data"]["name"] == "宁波甬达五金"


def test_removal_is_refused_where_the_apps_own_parts_still_name_the_addon(crm: FlowWorld) -> None:
    w, admin = crm, crm.h("admin")
    field = {"key": "main_supplier", "type": "relation", "label": "主供应商", "target": "supplier"}
    assert w.client.post("/api/v1/apps/crm/forms/customer/fields", json=field, headers=admin).status_code == 201
    assert w.client.post("/api/v1/apps/crm/publish", headers=admin).status_code == 200
    version = w.client.get("/api/v1/apps/crm", headers=admin).json()["version"]
    r = w.client.delete("/api/v1/apps/crm/addons/inventory", headers=admin)
    assert r.status_code == 422, r.text
    [detail] = r.json()["error"]["details"]  # the customer form's own relation to 供应商
    assert detail["path"].startswith("forms[0].fields[") and detail["path"].endswith("].target")
    assert detail["code"] == "unknown_form" and "supplier" in detail["message"]
    assert w.client.get("/api/v1/apps/crm", headers=admin).json()["version"] == version


def test_only_administrators_remove_an_addon_and_never_over_a_draft(crm: FlowWorld) -> None:
    w = crm
    w.org([], {}, {"purchasing": ["buyer"]})
    assert w.client.delete("/api/v1/apps/crm/addons/inventory", headers=w.h("buyer")).status_code in (403, 404)
    r = w.client.patch("/api/v1/apps/crm/forms/customer/fields/name", json={"label": "客户全称"}, headers=w.h("admin"))
    assert r.status_code == 200
    r = w.client.delete("/api/v1/apps/crm/addons/inventory", headers=w.h("admin"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "draft_pending"


def test_a_malformed_addon_version_is_a_422_naming_where_and_changes_nothing(crm: FlowWorld) -> None:
    admin = crm.h("admin")
    version = crm.client.get("/api/v1/apps/crm", headers=admin).json()["version"]
    broken = bundled()["inventory"] | {"version": "9.9.9", "forms": "不是列表", "colour": "red"}
    for url in ("/api/v1/apps/crm/upgrade/preview", "/api/v1/apps/crm/upgrade"):
        r = crm.client.post(url, json={"template": broken}, headers=admin)
        assert r.status_code == 422, r.text
        assert {"forms", "colour"} <= {d["path"] for d in r.json()["error"]["details"]}
    assert crm.client.get("/api/v1/apps/crm", headers=admin).json()["version"] == version
    [item] = crm.client.get("/api/v1/apps/crm/addons", headers=admin).json()["items"]
    assert item["version"] == "1.0.0"
