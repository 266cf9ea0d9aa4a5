"""Upgrading an installed CRM to a new template version (升级模板, issue 29): local changes kept, the
template's new parts added, the conflict offered and applied either way, stored data checked like any publish."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.errors import without_request_id
from tests.factories import Maker
from tests.template_versions import CREDIT_CODE, THRESHOLD, V1, customised, set_threshold, template_v2, threshold

UPGRADE = "/api/v1/apps/crm/upgrade"


def _installed_and_customised(make: Maker) -> None:
    """CRM v1 installed, customised through the builder's API (a label, an option, a form) and a new
    version (the flow threshold), with a customer stored."""
    make.app_def(copy.deepcopy(V1))
    c, admin = make.client, make.admin
    base = "/api/v1/apps/crm/forms/customer/fields"
    assert c.patch(f"{base}/name", json={"label": "客户全称"}, headers=admin).status_code == 200
    source = c.get("/api/v1/apps/crm/draft", headers=admin).json()["forms"][0]["fields"][3]["options"]
    assert c.patch(f"{base}/source", json={"options": [*source, {"value": "抖音"}]}, headers=admin).status_code == 200
    assert c.post("/api/v1/apps/crm/forms", json=customised(V1)["forms"][-1], headers=admin).status_code == 201
    assert c.post("/api/v1/apps/crm/publish", headers=admin).status_code == 200, "publish"
    current = c.get("/api/v1/apps/crm", headers=admin).json()["definition"]
    set_threshold(current, "amount > 300000")
    assert c.put("/api/v1/apps/crm", json=current, headers=admin).status_code == 200
    make.record("customer", {"name": "杭州甲公司", "source": "抖音"}, app="crm")


def _definition(make: Maker) -> dict[str, Any]:
    return make.client.get("/api/v1/apps/crm", headers=make.admin).json()["definition"]  # type: ignore[no-any-return]


def _customer_fields(definition: dict[str, Any]) -> dict[str, Any]:
    return {f["key"]: f for f in definition["forms"][0]["fields"]}


def test_preview_lists_additions_kept_changes_and_the_threshold_conflict(make: Maker) -> None:
    _installed_and_customised(make)
    before = _definition(make)
    r = make.client.post(f"{UPGRADE}/preview", json={"template": template_v2(V1)}, headers=make.admin)
    assert r.status_code == 200, r.text
    preview = r.json()
    added = {p["path"] for p in preview["added"]}
    assert {"forms[customer].fields[credit_code]", "reports[service_quality]"} <= added
    kept = {p["path"] for p in preview["kept"]}
    assert {"forms[customer].fields[name].label", "forms[customer].fields[source].options[抖音]", "forms[visit]"} <= kept
    [conflict] = preview["conflicts"]
    assert conflict == {"path": THRESHOLD, "base": "amount > 500000", "ours": "amount > 300000",
                        "theirs": "amount > 1000000", "ours_removed": False, "theirs_removed": False, "choice": None}
    assert preview["unresolved"] == [THRESHOLD] and preview["issues"] == [] and preview["problems"] == []
    assert _definition(make) == before  # a preview writes nothing


def test_applying_before_every_conflict_is_chosen_is_409_naming_it_and_changes_nothing(make: Maker) -> None:
    _installed_and_customised(make)
    before = _definition(make)
    r = make.client.post(UPGRADE, json={"template": template_v2(V1)}, headers=make.admin)
    assert r.status_code == 409
    error = without_request_id(r.json())["error"]
    assert error["code"] == "upgrade_conflicts" and [d["path"] for d in error["details"]] == [THRESHOLD]
    assert _definition(make) == before
    assert make.client.get("/api/v1/apps/crm/template", headers=make.admin).json()["label"] == "1.0.0"


@pytest.mark.parametrize(("side", "expected"), [("ours", "amount > 300000"), ("theirs", "amount > 1000000")],
                         ids=["keep-local", "take-template"])
def test_upgrade_keeps_local_changes_adds_new_parts_and_applies_the_choice(make: Maker, side: str,
                                                                          expected: str) -> None:
    _installed_and_customised(make)
    r = make.client.post(UPGRADE, json={"template": template_v2(V1), "choices": {THRESHOLD: side}},
                         headers=make.admin)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 4 and r.json()["label"] == "2.0.0"
    after = _definition(make)
    fields = _customer_fields(after)
    assert fields["name"]["label"] == "客户全称"
    assert {"value": "抖音"} in fields["source"]["options"]
    assert fields[CREDIT_CODE["key"]]["label"] == "统一社会信用代码"
    assert {"visit", "customer"} <= {f["key"] for f in after["forms"]}
    assert "service_quality" in {r["key"] for r in after["reports"]}
    assert threshold(after) == expected
    assert make.client.get("/api/v1/apps/crm/template", headers=make.admin).json()["label"] == "2.0.0"
    stored = make.client.get("/api/v1/apps/crm/forms/customer/records", headers=make.admin).json()["items"]
    assert [(x["data"]["name"], x["data"]["source"]) for x in stored] == [("杭州甲公司", "抖音")]
    # the next preview against the same version has nothing left to do
    again = make.client.post(f"{UPGRADE}/preview", json={"template": template_v2(V1)}, headers=make.admin).json()
    assert again["added"] == again["conflicts"] == []


def test_stored_records_breaking_the_merge_go_through_the_publish_report(make: Maker) -> None:
    """v2 also makes 行业 required: the stored customer has none, so the publish report asks for a decision."""
    _installed_and_customised(make)
    v2 = template_v2(V1)
    v2["forms"][0]["fields"][4]["required"] = True
    assert v2["forms"][0]["fields"][4]["key"] == "industry"
    body: dict[str, Any] = {"template": v2, "choices": {THRESHOLD: "theirs"}}
    preview = make.client.post(f"{UPGRADE}/preview", json=body, headers=make.admin).json()
    [problem] = preview["problems"]
    assert (problem["form"], problem["field"], problem["constraint"], problem["count"]) == (
        "customer", "industry", "required", 1)
    r = make.client.post(UPGRADE, json=body, headers=make.admin)
    assert r.status_code == 409 and r.json()["error"]["code"] == "incompatible_change"
    assert r.json()["error"]["report"][0]["field"] == "industry"
    assert threshold(_definition(make)) == "amount > 300000"  # nothing applied
    body["decisions"] = [{"form": "customer", "field": "industry", "constraint": "required", "action": "fill",
                          "value": "制造业"}]
    r = make.client.post(UPGRADE, json=body, headers=make.admin)
    assert r.status_code == 200, r.text
    stored = make.client.get("/api/v1/apps/crm/forms/customer/records", headers=make.admin).json()["items"]
    assert stored[0]["data"]["industry"] == ["制造业"]  # a multi-select


def test_bad_choices_and_foreign_templates_are_4xx_and_change_nothing(make: Maker) -> None:
    _installed_and_customised(make)
    c, admin = make.client, make.admin
    before = _definition(make)
    r = c.post(UPGRADE, json={"template": template_v2(V1), "choices": {THRESHOLD: "mine"}}, headers=admin)
    assert r.status_code == 400 and THRESHOLD in r.json()["error"]["message"]
    r = c.post(UPGRADE, json={"template": template_v2(V1), "choices": {"forms[nosuch]": "ours"}}, headers=admin)
    assert r.status_code == 400 and "forms[nosuch]" in r.json()["error"]["message"]
    r = c.post(UPGRADE, json={"template": template_v2(V1) | {"key": "erp"}}, headers=admin)
    assert r.status_code == 409
    r = c.post(UPGRADE, json={"template": {"key": "crm", "name": 3}}, headers=admin)
    assert r.status_code == 422
    r = c.post(UPGRADE, json={}, headers=admin)
    assert r.status_code == 400
    assert _definition(make) == before


def test_only_managers_may_upgrade(make: Maker) -> None:
    _installed_and_customised(make)
    clerk = make.user("clerk", admin=False)
    r = make.client.post(f"{UPGRADE}/preview", json={"template": template_v2(V1)}, headers=clerk)
    assert r.status_code in (403, 404)
