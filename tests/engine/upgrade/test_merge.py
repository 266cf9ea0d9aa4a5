"""The three-way merge of definitions (engine/upgrade/merge.py) and the upgrade plan over it (plan.py)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.app_check import parse_app
from engine.errors import BadQuery, InvalidDefinition
from engine.upgrade.merge import merge
from engine.upgrade.plan import UpgradeConflicts, plan_upgrade
from tests.template_versions import CREDIT_CODE, SERVICE_DASHBOARD, THRESHOLD, V1, customised, template_v2, threshold

BASE = parse_app(V1).dump()
LEAVES = [(f["key"], field["key"]) for f in BASE["forms"] for field in f["fields"]]


def _label(data: dict[str, Any], form: str, field: str) -> str:
    return str(next(x for x in next(f for f in data["forms"] if f["key"] == form)["fields"]
                    if x["key"] == field)["label"])


def _relabel(data: dict[str, Any], edits: dict[tuple[str, str], str]) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    for form in changed["forms"]:
        for field in form["fields"]:
            if (form["key"], field["key"]) in edits:
                field["label"] = edits[(form["key"], field["key"])]
    return changed


edits = st.dictionaries(st.sampled_from(LEAVES), st.text("甲乙丙丁abc", min_size=1, max_size=4), max_size=6)


@settings(max_examples=40, deadline=None)
@given(edits)
def test_merging_an_unchanged_template_keeps_ours(edit: dict[tuple[str, str], str]) -> None:
    ours = _relabel(BASE, edit)
    assert merge(BASE, BASE, ours).merged == ours


@settings(max_examples=40, deadline=None)
@given(edits)
def test_merging_into_an_unchanged_app_takes_theirs(edit: dict[tuple[str, str], str]) -> None:
    theirs = _relabel(BASE, edit)
    assert merge(BASE, theirs, BASE).merged == theirs


@settings(max_examples=40, deadline=None)
@given(edits, edits)
def test_disjoint_changes_commute_and_are_both_kept(one: dict[tuple[str, str], str],
                                                    other: dict[tuple[str, str], str]) -> None:
    other = {k: v for k, v in other.items() if k not in one}
    a, b = _relabel(BASE, one), _relabel(BASE, other)
    ab, ba = merge(BASE, a, b), merge(BASE, b, a)
    assert ab.merged == ba.merged == _relabel(BASE, one | other)
    assert ab.conflicts == ba.conflicts == []


def test_both_changing_the_same_label_is_a_conflict_with_its_three_values() -> None:
    ours = _relabel(BASE, {("customer", "name"): "客户全称"})
    theirs = _relabel(BASE, {("customer", "name"): "公司名称"})
    result = merge(BASE, theirs, ours)
    [conflict] = result.conflicts
    assert (conflict.path, conflict.base, conflict.ours, conflict.theirs) == (
        "forms[customer].fields[name].label", "客户名称", "客户全称", "公司名称")
    assert _label(result.merged, "customer", "name") == "客户全称"  # until chosen: ours
    chosen = merge(BASE, theirs, ours, {conflict.path: "theirs"})
    assert _label(chosen.merged, "customer", "name") == "公司名称" and chosen.unresolved == []


def test_options_match_by_value_both_additions_kept_template_removal_applied() -> None:
    ours, theirs = copy.deepcopy(BASE), copy.deepcopy(BASE)
    ours["forms"][0]["fields"][3]["options"].append({"value": "抖音"})
    theirs["forms"][0]["fields"][3]["options"].remove({"value": "广告"})
    theirs["forms"][0]["fields"][3]["options"].append({"value": "小红书"})
    result = merge(BASE, theirs, ours)
    assert [o["value"] for o in result.merged["forms"][0]["fields"][3]["options"]] == [
        "官网", "展会", "电话营销", "老客户介绍", "合作伙伴", "其他", "小红书", "抖音"]  # after what it follows
    assert result.conflicts == []
    assert [p.path for p in result.removed] == ["forms[customer].fields[source].options[广告]"]


def test_template_removal_of_an_untouched_part_removes_it_of_a_changed_one_is_a_conflict() -> None:
    theirs = copy.deepcopy(BASE)
    theirs["forms"] = [f for f in theirs["forms"] if f["key"] != "article"]
    theirs["reports"] = [r for r in theirs["reports"] if r["key"] != "churn"]
    ours = copy.deepcopy(BASE)
    next(f for f in ours["forms"] if f["key"] == "article")["name"] = "知识文章"
    result = merge(BASE, theirs, ours)
    assert [p.path for p in result.removed] == ["reports[churn]"]
    [conflict] = result.conflicts
    assert conflict.path == "forms[article]" and conflict.theirs is not None and conflict.as_dict()["theirs_removed"]
    assert "article" not in {f["key"] for f in merge(BASE, theirs, ours, {"forms[article]": "theirs"}).merged["forms"]}


def test_local_removal_stays_removed_unless_the_template_changed_the_part() -> None:
    ours = copy.deepcopy(BASE)
    ours["reports"] = [r for r in ours["reports"] if r["key"] != "churn"]
    assert "churn" not in {r["key"] for r in merge(BASE, BASE, ours).merged["reports"]}
    theirs = copy.deepcopy(BASE)
    next(r for r in theirs["reports"] if r["key"] == "churn")["name"] = "流失预警"
    [conflict] = merge(BASE, theirs, ours).conflicts
    assert conflict.path == "reports[churn]" and conflict.as_dict()["ours_removed"]


def test_new_template_items_go_after_the_item_they_follow() -> None:
    theirs = template_v2(V1)
    fields = [f["key"] for f in next(f for f in theirs["forms"] if f["key"] == "customer")["fields"]]
    ours = customised(V1)
    merged = merge(BASE, parse_app(theirs).dump(), parse_app(ours).dump()).merged
    customer = next(f for f in merged["forms"] if f["key"] == "customer")
    assert [f["key"] for f in customer["fields"]] == fields
    assert [f["key"] for f in merged["forms"]][-1] == "visit"


def test_crm_upgrade_plan_keeps_local_changes_adds_new_parts_and_offers_the_threshold() -> None:
    base, ours, theirs = parse_app(V1), parse_app(customised(V1)), parse_app(template_v2(V1))
    plan = plan_upgrade(base, theirs, ours)
    assert [c.path for c in plan.merge.conflicts] == [THRESHOLD]
    assert {p.path for p in plan.merge.added} >= {"forms[customer].fields[credit_code]", "reports[service_quality]"}
    assert {p.path for p in plan.merge.kept} >= {"forms[customer].fields[name].label", "forms[visit]",
                                                  "forms[customer].fields[source].options[抖音]"}
    with pytest.raises(UpgradeConflicts) as refused:
        plan.ready()
    assert [i.path for i in refused.value.issues] == [THRESHOLD]
    for side, expected in (("ours", "amount > 300000"), ("theirs", "amount > 1000000")):
        merged = plan_upgrade(base, theirs, ours, {THRESHOLD: side}).ready().dump()
        assert threshold(merged) == expected
        assert _label(merged, "customer", "name") == "客户全称"
        assert {"value": "抖音"} in next(f for f in merged["forms"] if f["key"] == "customer")["fields"][3]["options"]
        assert "visit" in {f["key"] for f in merged["forms"]}
        assert CREDIT_CODE["key"] in {f["key"] for f in merged["forms"][0]["fields"]}
        assert SERVICE_DASHBOARD["key"] in {r["key"] for r in merged["reports"]}
        assert merged["version"] == "2.0.0"


def test_a_choice_naming_no_conflict_is_refused() -> None:
    base = parse_app(V1)
    with pytest.raises(BadQuery):
        plan_upgrade(base, base, base, {"forms[customer].name": "ours"})


def test_a_merge_that_breaks_the_definition_lists_the_issues() -> None:
    """The template removes a field the site just made searchable: each side is valid, the merge is not."""
    ours, theirs = copy.deepcopy(BASE), copy.deepcopy(BASE)
    article = next(f for f in ours["forms"] if f["key"] == "article")
    article["search_fields"] = ["title", "body"]
    theirs_article = next(f for f in theirs["forms"] if f["key"] == "article")
    theirs_article["fields"] = [f for f in theirs_article["fields"] if f["key"] != "body"]
    plan = plan_upgrade(parse_app(V1), parse_app(theirs), parse_app(ours), {})
    assert plan.definition is None and any("article" in str(i) or "search" in i.path for i in plan.issues)
    with pytest.raises(InvalidDefinition):
        plan.ready()


def test_a_copy_upgrades_from_the_template_under_its_own_key() -> None:
    base, theirs = parse_app(V1), parse_app(template_v2(V1))
    ours = parse_app(customised(V1) | {"key": "crm2"})
    plan = plan_upgrade(base, theirs, ours, {THRESHOLD: "theirs"})
    assert plan.ready().key == "crm2" and [c.path for c in plan.merge.conflicts] == [THRESHOLD]


def test_a_step_added_locally_and_a_threshold_changed_by_the_template_are_both_kept() -> None:
    """Approval steps are matched by key, the unkeyed actions and conditions by their order among the
    unkeyed: a local approval step does not turn the template's new threshold into a conflict."""
    ours, theirs = copy.deepcopy(BASE), parse_app(template_v2(V1)).dump()
    flow = next(f for f in ours["flows"] if f["key"] == "quote_approval")
    legal = {"type": "approval", "key": "legal", "name": "法务审批", "approvers": {"role": "finance"}}
    flow["steps"].insert(3, legal)
    result = merge(BASE, theirs, ours)
    assert result.conflicts == []
    merged = next(f for f in result.merged["flows"] if f["key"] == "quote_approval")
    assert merged["steps"][3] == legal and merged["steps"][4]["branches"][0]["when"] == "amount > 1000000"
    assert "flows[quote_approval].steps[legal]" in {p.path for p in result.kept}
    parse_app(result.merged)  # and the result is a valid definition


def test_an_unkeyed_step_added_locally_makes_the_steps_one_conflict_when_the_template_changed_them() -> None:
    ours, theirs = copy.deepcopy(BASE), parse_app(template_v2(V1)).dump()
    flow = next(f for f in ours["flows"] if f["key"] == "quote_approval")
    flow["steps"].insert(0, {"type": "action", "action": "update_record", "set": {"note": "\"审批开始\""}})
    [conflict] = merge(BASE, theirs, ours).conflicts
    assert conflict.path == "flows[quote_approval].steps"
