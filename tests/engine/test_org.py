"""The organisation snapshot: ancestors, subtrees, heads N levels up, role members."""

from __future__ import annotations

from engine.org import Department, Org

ORG = Org(
    departments={
        "hq": Department("hq", "总部", None, "ceo"),
        "sales": Department("sales", "销售部", "hq", "zhang.wei"),
        "east": Department("east", "华东大区", "sales", "li.na"),
        "shanghai": Department("shanghai", "上海分公司", "east", None),
        "finance": Department("finance", "财务部", "hq", "wang.fang"),
    },
    memberships={"chen.rep": ("shanghai", "east"), "li.na": ("east",)},
    roles={"sales_rep": frozenset({"chen.rep"}), "manager": frozenset({"li.na", "zhang.wei"})},
)


def test_ancestors_run_from_the_department_up_to_the_root() -> None:
    assert ORG.ancestors("shanghai") == ["shanghai", "east", "sales", "hq"]
    assert ORG.ancestors("missing") == []


def test_head_of_counts_levels_up_and_is_none_past_the_root_or_for_a_headless_department() -> None:
    assert ORG.head_of("shanghai") is None  # no head of its own
    assert ORG.head_of("shanghai", 1) == "li.na"
    assert ORG.head_of("shanghai", 3) == "ceo"
    assert ORG.head_of("shanghai", 4) is None


def test_subtree_holds_the_department_and_everything_below_it() -> None:
    assert ORG.subtree("sales") == {"sales", "east", "shanghai"}
    assert ORG.subtree("finance") == {"finance"}
    assert ORG.subtree("missing") == set()


def test_a_cycle_in_stored_data_does_not_loop_forever() -> None:
    org = Org({"a": Department("a", "A", "b"), "b": Department("b", "B", "a")})
    assert org.ancestors("a") == ["a", "b"]
    assert org.subtree("a") == {"a", "b"}


def test_memberships_list_the_primary_department_first_and_roles_map_both_ways() -> None:
    assert ORG.primary_department("chen.rep") == "shanghai"
    assert ORG.primary_department("nobody") is None
    assert ORG.members_of(ORG.subtree("east")) == {"chen.rep", "li.na"}
    assert ORG.roles_of("li.na") == {"manager"}
    assert ORG.role_members("nobody") == frozenset()
