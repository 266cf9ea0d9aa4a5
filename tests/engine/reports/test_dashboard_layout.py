"""The dashboard editor's parts of a report definition: grid places, filters naming the widgets they
apply to, the roles that may see it — each checked at its JSON path."""

from __future__ import annotations

from typing import Any

import pytest

from engine.app_check import parse_app, validate_app
from engine.reports.layout import placements
from tests.factories import shop


def _bar(key: str, **changes: Any) -> dict[str, Any]:
    return {
        "key": key,
        "type": "bar",
        "form": "customer",
        "dimensions": [{"field": "region"}],
        "measures": [{"agg": "count"}],
    } | changes


def _board(widgets: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    return shop(
        reports=[{"key": "board", "name": "看板", "widgets": widgets} | changes],
        roles=[{"key": "sales", "name": "销售", "permissions": {"*": {"read": "all"}}}],
    )


def _paths(definition: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i.path, i.code) for i in validate_app(definition)]


@pytest.mark.parametrize(
    ("layout", "path"),
    [
        ({"x": 8, "y": 0, "w": 6, "h": 4}, "reports[0].widgets[0].layout"),  # past the 12th column
        ({"x": 0, "y": 0, "w": 0, "h": 4}, "reports[0].widgets[0].layout.w"),
        ({"x": -1, "y": 0, "w": 3, "h": 4}, "reports[0].widgets[0].layout.x"),
        ({"x": 0, "y": 0, "w": 3}, "reports[0].widgets[0].layout.h"),
    ],
    ids=["too_wide", "no_width", "negative_x", "no_height"],
)
def test_a_layout_outside_the_grid_is_refused_at_its_path(layout: dict[str, Any], path: str) -> None:
    assert path in [p for p, _ in _paths(_board([_bar("a", layout=layout)]))]


def test_overlapping_widgets_are_refused_naming_the_later_one() -> None:
    board = _board(
        [_bar("a", layout={"x": 0, "y": 0, "w": 6, "h": 4}), _bar("b", layout={"x": 5, "y": 3, "w": 6, "h": 4})]
    )
    assert ("reports[0].widgets[1].layout", "overlap") in _paths(board)
    side_by_side = _board(
        [_bar("a", layout={"x": 0, "y": 0, "w": 6, "h": 4}), _bar("b", layout={"x": 6, "y": 0, "w": 6, "h": 4})]
    )
    assert _paths(side_by_side) == []


def test_a_filter_names_widgets_of_the_report_whose_form_has_the_field() -> None:
    product = {
        "key": "p",
        "type": "bar",
        "form": "product",
        "dimensions": [{"field": "title"}],
        "measures": [{"agg": "count"}],
    }
    board = _board([_bar("a"), product], filters=[{"field": "region", "widgets": ["a", "gone", "p"]}])
    assert _paths(board) == [
        ("reports[0].filters[0].widgets[1]", "unknown_widget"),
        ("reports[0].filters[0].widgets[2]", "unknown_field"),
    ]


def test_roles_of_a_dashboard_are_roles_of_the_app() -> None:
    assert _paths(_board([_bar("a")], roles=["sales", "boss"])) == [("reports[0].roles[1]", "unknown_role")]


def test_a_filter_applies_to_the_widgets_it_names_else_to_every_widget() -> None:
    app = parse_app(_board([_bar("a"), _bar("b")], filters=[{"field": "region", "widgets": ["a"]}, {"field": "level"}]))
    report = app.report("board")
    values = {"region": "华东", "level": "A"}
    assert report.filters_for("a", values) == values
    assert report.filters_for("b", values) == {"level": "A"}


def test_widgets_without_a_layout_flow_below_the_placed_ones() -> None:
    app = parse_app(
        _board(
            [
                _bar("a", layout={"x": 0, "y": 0, "w": 12, "h": 3}),
                _bar("b"),
                _bar("k", type="kpi", dimensions=[]),
                _bar("c"),
            ]
        )
    )
    places = {k: (p.x, p.y, p.w, p.h) for k, p in placements(app.report("board").widgets).items()}
    assert places == {"a": (0, 0, 12, 3), "b": (0, 3, 6, 5), "k": (6, 3, 3, 3), "c": (0, 8, 6, 5)}


def test_a_layout_round_trips_through_the_definition() -> None:
    board = _board(
        [_bar("a", layout={"x": 2, "y": 1, "w": 4, "h": 3})],
        filters=[{"field": "region", "widgets": ["a"]}],
        roles=["sales"],
    )
    assert parse_app(board).dump()["reports"] == board["reports"]
