"""Derived values carry the rights of what they derive from: the pure decision (engine.permissions.derived),
without a database. The runtime side is tests/runtime/records/test_derived_rights.py."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.app import AppDefinition
from engine.app_check import parse_app
from engine.errors import InvalidDefinition
from engine.permissions.derived import (
    dependency_forms,
    field_sources,
    hidden_derived,
    shows_full_value,
)
from tests.factories import repair

FORMS = ("a", "b", "c")
NEXT = {"a": "b", "b": "c"}  # a → b → c by relation `to_<next>`
PREVIOUS = {"b": "a", "c": "b"}


def _app(forms: list[dict[str, Any]]) -> AppDefinition:
    return parse_app({"format": "tangram/app@1", "key": "t", "name": "t", "version": "1.0.0", "forms": forms})


def _chain() -> AppDefinition:
    """vendor.rating → rating_x2 (formula) → order.vendor_x2 (lookup) → vendor.sum_x2 (rollup of the lookup)."""
    return _app([
        {"key": "vendor", "name": "供应商", "fields": [
            {"key": "name", "type": "text", "label": "名称"},
            {"key": "rating", "type": "number", "label": "评分"},
            {"key": "rating_x2", "type": "formula", "label": "双倍", "formula": "rating * 2"},
            {"key": "sum_x2", "type": "rollup", "label": "合计", "source": {"form": "order", "field": "vendor"},
             "agg": "sum", "of": "vendor_x2"},
            {"key": "orders", "type": "rollup", "label": "订单数", "source": {"form": "order", "field": "vendor"},
             "agg": "count"}]},
        {"key": "order", "name": "订单", "fields": [
            {"key": "vendor", "type": "relation", "label": "供应商", "target": "vendor"},
            {"key": "vendor_x2", "type": "lookup", "label": "双倍", "relation": "vendor", "field": "rating_x2",
             "result": "number"},
            {"key": "vendor_name", "type": "lookup", "label": "名称", "relation": "vendor", "field": "name"},
            {"key": "through", "type": "formula", "label": "经由", "formula": "vendor.rating + 1"},
            {"key": "note", "type": "text", "label": "备注", "default_formula": 'vendor.name & ""'}]},
    ])


def _all_but(app: AppDefinition, *hidden: tuple[str, str]) -> dict[str, set[str]]:
    return {f.key: {k for k in f.field_keys if (f.key, k) not in hidden} for f in app.forms}


def test_only_read_and_edit_show_a_full_value() -> None:
    assert shows_full_value("read") and shows_full_value("edit")
    assert not any(shows_full_value(a) for a in ("hidden", "masked", "some_level_added_later"))


def test_sources_of_formulas_lookups_rollups_and_default_formulas() -> None:
    app = _chain()
    order, vendor = app.form("order"), app.form("vendor")
    assert field_sources(app, order) == {
        "vendor_x2": {("order", "vendor"), ("vendor", "rating_x2")},
        "vendor_name": {("order", "vendor"), ("vendor", "name")},
        "through": {("order", "vendor"), ("vendor", "rating")},
        "note": {("order", "vendor"), ("vendor", "name")}}
    assert field_sources(app, vendor) == {
        "rating_x2": {("vendor", "rating")},
        "sum_x2": {("order", "vendor"), ("order", "vendor_x2")},
        "orders": {("order", "vendor")}}
    assert dependency_forms(app, "vendor") == {"vendor", "order"}


def test_a_hidden_source_hides_the_whole_chain_across_forms() -> None:
    app = _chain()
    shown = _all_but(app, ("vendor", "rating"))
    assert hidden_derived(app, "vendor", shown) == {"rating_x2", "sum_x2"}
    assert hidden_derived(app, "order", shown) == {"vendor_x2", "through"}
    assert hidden_derived(app, "order", _all_but(app)) == set()


def test_a_hidden_relation_hides_every_value_read_through_it() -> None:
    app = _chain()
    shown = _all_but(app, ("order", "vendor"))
    assert hidden_derived(app, "order", shown) == {"vendor_x2", "vendor_name", "through", "note"}
    assert hidden_derived(app, "vendor", shown) == {"sum_x2", "orders"}


def test_a_form_the_reader_cannot_see_at_all_hides_what_derives_from_it() -> None:
    app = _chain()
    shown = _all_but(app)
    del shown["vendor"]
    assert hidden_derived(app, "order", shown) == {"vendor_x2", "vendor_name", "through", "note"}


def test_a_masked_source_hides_what_derives_from_it() -> None:
    # the reader sees the rating masked (not in full): the formula over it would show it in full
    app = _chain()
    accesses = {"rating": "masked", "name": "read"}
    shown = _all_but(app)
    shown["vendor"] = {k for k in shown["vendor"] if shows_full_value(accesses.get(k, "edit"))}
    assert hidden_derived(app, "vendor", shown) == {"rating_x2", "sum_x2"}


def _repair_with_total() -> AppDefinition:
    definition = repair()
    definition["forms"][1]["fields"].append({"key": "parts_total", "type": "formula", "label": "配件合计",
                                             "formula": "SUM(parts.unit_price)"})
    return parse_app(definition)


def test_sub_table_columns_count_as_their_sub_table() -> None:
    app = _repair_with_total()
    assert field_sources(app, app.form("ticket"))["parts_total"] == {("ticket", "parts")}
    shown = _all_but(app, ("ticket", "parts"))
    assert hidden_derived(app, "ticket", shown) == {"parts_total"}


# -- property: the decision equals a brute-force closure over random dependency chains ------------------

def _numbers(form: str, count: int) -> list[str]:
    return [f"n{i}" for i in range(count)]


@st.composite
def apps(draw: st.DrawFn) -> AppDefinition:
    """Three forms a → b → c; each has numbers, its relation, and derived numbers (formulas, lookups,
    rollups) over its own earlier fields and the related forms' fields."""
    bases = {f: _numbers(f, draw(st.integers(1, 3))) for f in FORMS}
    derived_counts = {f: draw(st.integers(0, 4)) for f in FORMS}
    names = {f: bases[f] + [f"d{i}" for i in range(derived_counts[f])] for f in FORMS}
    forms = []
    for f in FORMS:
        fields: list[dict[str, Any]] = [{"key": k, "type": "number", "label": k} for k in bases[f]]
        if f in NEXT:
            fields.append({"key": f"to_{NEXT[f]}", "type": "relation", "label": "rel", "target": NEXT[f]})
        for i in range(derived_counts[f]):
            earlier = bases[f] + [f"d{j}" for j in range(i)]
            kinds = ["formula"] + (["lookup", "path"] if f in NEXT else []) + (["rollup"] if f in PREVIOUS else [])
            kind = draw(st.sampled_from(kinds))
            key = f"d{i}"
            if kind == "formula":
                used = draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=3))
                fields.append({"key": key, "type": "formula", "label": key, "formula": " + ".join(used)})
            elif kind == "path":
                there = draw(st.sampled_from(names[NEXT[f]]))
                mine = draw(st.sampled_from(earlier))
                fields.append({"key": key, "type": "formula", "label": key,
                               "formula": f"{mine} + to_{NEXT[f]}.{there}"})
            elif kind == "lookup":
                fields.append({"key": key, "type": "lookup", "label": key, "relation": f"to_{NEXT[f]}",
                               "field": draw(st.sampled_from(names[NEXT[f]])), "result": "number"})
            else:
                child = PREVIOUS[f]
                fields.append({"key": key, "type": "rollup", "label": key, "agg": "sum",
                               "source": {"form": child, "field": f"to_{f}"},
                               "of": draw(st.sampled_from(names[child]))})
        forms.append({"key": f, "name": f, "fields": fields})
    try:
        return _app(forms)
    except InvalidDefinition:
        assume(False)
        raise


def _brute_force(app: AppDefinition, form: str, shown: dict[str, set[str]]) -> set[str]:
    """Derived fields of `form` from which some field not shown in full is reachable."""
    edges = {(f.key, k): set(s) for f in app.forms for k, s in field_sources(app, f).items()}
    hidden = set()
    for (f, key), direct in edges.items():
        if f != form:
            continue
        seen, todo = set(), list(direct)
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            todo.extend(edges.get(node, ()))
        if any(k not in shown.get(g, set()) for g, k in seen):
            hidden.add(key)
    return hidden


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(app=apps(), data=st.data())
def test_hidden_derived_equals_a_brute_force_closure(app: AppDefinition, data: st.DataObject) -> None:
    everything = [(f.key, k) for f in app.forms for k in f.field_keys]
    hidden = set(data.draw(st.lists(st.sampled_from(everything), max_size=4)))
    shown = _all_but(app, *hidden)
    for form in FORMS:
        assert hidden_derived(app, form, shown) == _brute_force(app, form, shown)


def test_nothing_is_hidden_when_everything_is_shown() -> None:
    for app in (_chain(), _repair_with_total()):
        for f in app.forms:
            assert hidden_derived(app, f.key, _all_but(app)) == set()
