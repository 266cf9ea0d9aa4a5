"""Add-on templates merged into their app (engine/addons.py): appended parts, extended forms, roles that
gain forms, every clash named at its path in the add-on, and problems of the merged app mapped back."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from engine.addons import addon_path, installed, merge_addon
from engine.app_check import parse_app, validate_app
from engine.errors import InvalidDefinition

APPS = Path(__file__).resolve().parents[2] / "apps"
CRM = json.loads((APPS / "crm_template.json").read_text("utf-8"))


def _addon(**parts: Any) -> dict[str, Any]:
    return {"format": "tangram/addon@1", "key": "extra", "name": "扩展", "app": "crm", **parts}


WAREHOUSE = {"key": "warehouse", "name": "仓库", "title_field": "name", "fields": [{"key": "name", "type": "text", "label": "名称"}]}


@pytest.mark.parametrize("name", ["inventory_template.json", "projects_template.json"])
def test_each_bundled_addon_merges_into_the_crm_as_a_valid_app(name: str) -> None:
    addon = json.loads((APPS / name).read_text("utf-8"))
    merged = parse_app(merge_addon(CRM, addon))
    assert {f["key"] for f in addon["forms"]} <= set(merged.forms_by_key)
    assert len(merged.forms) == len(CRM["forms"]) + len(addon["forms"])
    assert installed(merged.dump(), addon) and not installed(CRM, addon)


def test_both_addons_merge_together_and_share_the_crms_product() -> None:
    both = CRM
    for name in ("inventory_template.json", "projects_template.json"):
        both = merge_addon(both, json.loads((APPS / name).read_text("utf-8")))
    app = parse_app(both)
    assert app.forms_by_key["stock_move"].by_key["product"].target == "product"  # type: ignore[attr-defined]
    assert app.forms_by_key["project"].by_key["opportunity"].target == "opportunity"  # type: ignore[attr-defined]
    assert "stock_qty" in app.forms_by_key["product"].by_key


def test_a_merge_leaves_the_app_it_reads_unchanged_and_adds_fields_and_role_rights() -> None:
    before = copy.deepcopy(CRM)
    addon = _addon(forms=[WAREHOUSE], extend=[{"form": "product", "fields": [{"key": "bin", "type": "text", "label": "库位"}]}],
                   roles=[{"key": "purchasing", "name": "采购", "permissions": {"warehouse": {"read": "all"}}},
                          {"key": "keeper", "name": "仓管", "permissions": {"warehouse": {"read": "all", "create": True}}}])
    merged = merge_addon(CRM, addon)
    assert CRM == before
    assert merged["forms"][-1]["key"] == "warehouse"
    product = next(f for f in merged["forms"] if f["key"] == "product")
    assert product["fields"][-1]["key"] == "bin"
    purchasing = next(r for r in merged["roles"] if r["key"] == "purchasing")
    assert purchasing["permissions"]["warehouse"] == {"read": "all"}
    assert purchasing["permissions"]["product"] == before["roles"][8]["permissions"]["product"]  # its own rights kept
    assert merged["roles"][-1]["key"] == "keeper"
    assert validate_app(merged) == []


def test_every_clash_is_named_at_its_path_in_the_addon() -> None:
    addon = _addon(forms=[WAREHOUSE, {**WAREHOUSE, "key": "product"}], flows=[{"key": "won_to_order"}],
                   reports=[{"key": "churn"}], extend=[{"form": "product", "fields": [{"key": "sku"}]}, {"form": "nope"}],
                   roles=[{"key": "purchasing", "permissions": {"product": {"read": "all"}}}])
    with pytest.raises(InvalidDefinition) as e:
        merge_addon(CRM, addon)
    assert {i.path: i.code for i in e.value.issues} == {
        "forms[1].key": "exists", "flows[0].key": "exists", "reports[0].key": "exists",
        "extend[0].fields[0].key": "exists", "extend[1].form": "unknown_form", "roles[0].permissions.product": "exists"}


def test_an_addon_for_another_app_or_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(InvalidDefinition) as e:
        merge_addon(CRM, _addon(app="hr"))
    assert [i.code for i in e.value.issues] == ["wrong_app"]
    with pytest.raises(InvalidDefinition) as e:
        merge_addon(CRM, _addon(form=[], forms={}))
    assert {i.path for i in e.value.issues} == {"form", "forms"}


def test_problems_of_the_merged_app_point_into_the_addon() -> None:
    def paths(addon: dict[str, Any]) -> set[str]:
        return {addon_path(CRM, addon, i.path) for i in validate_app(merge_addon(CRM, addon))}

    typo = _addon(extend=[{"form": "product", "fields": [{"key": "bin", "type": "txt", "label": "库位"}]}])
    assert paths(typo) == {"extend[0].fields[0]"}
    broken = _addon(forms=[{**WAREHOUSE, "title_field": "nme"}],
                    roles=[{"key": "purchasing", "permissions": {}}, {"key": "keeper", "name": "仓管", "permissions": {"nope": {"read": "all"}}}])
    found = paths(broken)
    assert "forms[0].title_field" in found
    assert any(p.startswith("roles[1].permissions.nope") for p in found), found
    assert addon_path(CRM, broken, "forms[0].key") == "forms[0].key"  # the app's own customer
