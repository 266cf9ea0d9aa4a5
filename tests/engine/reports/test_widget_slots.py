"""Every widget type declares what it takes (its slots), and the checks hold a definition to exactly that:
the fewest slots pass, one dimension or measure too many is refused at its path. The chart builder reads
the same declaration."""

from __future__ import annotations

from typing import Any

import pytest

from engine.app_check import validate_app
from engine.reports.widgets import MANY, WidgetType, widget_types
from tests.factories import shop

FIELDS = {"select": "level", "province": "addr", None: "region"}  # what a funnel's and a map's first dimension must be


def _widget(kind: WidgetType, dims: int, measures: int) -> dict[str, Any]:
    dimension = FIELDS.get(kind.slots.first_dimension, "region")
    widget: dict[str, Any] = {"key": "w", "type": kind.type, "form": "customer",
                              "dimensions": [{"field": dimension}, {"field": "name"}, {"field": "level"},
                                             {"field": "since"}, {"field": "region"}][:dims],
                              "measures": [{"agg": "sum", "field": "amount", "key": f"m{i}"} for i in range(measures)]}
    if kind.type == "gauge":
        widget["target"] = "100"
    if kind.type == "funnel" and dims == 0:
        widget["steps"] = [{"label": "全部"}, {"label": "A 类", "filter": 'level = "A"'}]
    return widget


def _codes(widget: dict[str, Any]) -> set[str]:
    definition = shop(reports=[{"key": "r", "name": "看板", "widgets": [widget]}])
    definition["forms"][0]["fields"].append({"key": "addr", "type": "address", "label": "地址"})
    return {i.code for i in validate_app(definition)}


@pytest.mark.parametrize("kind", widget_types.all(), ids=lambda k: k.type)
def test_every_widget_type_declares_its_slots_and_takes_the_fewest(kind: WidgetType) -> None:
    slots = kind.slots.as_json()
    assert kind.label and kind.label_en and set(slots) == {"dimensions", "measures", "first_dimension", "axes"}
    (low_d, high_d), (low_m, high_m) = slots["dimensions"], slots["measures"]
    assert 0 <= low_d <= high_d and 1 <= low_m <= high_m <= MANY
    assert _codes(_widget(kind, low_d, low_m)) == set()


@pytest.mark.parametrize("kind", widget_types.all(), ids=lambda k: k.type)
def test_one_dimension_or_measure_too_many_is_refused(kind: WidgetType) -> None:
    (low_d, high_d), (low_m, high_m) = kind.slots.dimensions, kind.slots.measures
    if high_d < 4:
        assert "dimension_count" in _codes(_widget(kind, high_d + 1, low_m))
    if high_m < MANY:
        assert "measure_count" in _codes(_widget(kind, low_d, high_m + 1))
