"""Charts drawn on the server (engine/reports/svg): every widget type draws a well-formed SVG with its
figures formatted as the dashboard shows them, counts on their own axis beside money, labels escaped,
Chinese in WenQuanYi Zen Hei, and an empty result as 0 / —."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest

from engine.reports.svg import widget_svg
from engine.reports.svg.canvas import DANGER, OK, PALETTE

NS = "{http://www.w3.org/2000/svg}"
REGION = {"key": "region", "label": "地区", "role": "dimension"}
MONEY = {"key": "sum_amount", "label": "成交额", "role": "measure", "format": "money", "axis": 0}
COUNT = {"key": "count", "label": "客户数", "role": "measure", "format": "count", "axis": 1}
CHARTS = ["bar", "stacked_bar", "horizontal_bar", "line", "area", "pie", "donut", "funnel", "table", "pivot", "map",
          "scatter"]


def _result(kind: str, **changes: Any) -> dict[str, Any]:
    result = {"key": "w", "type": kind, "name": "各地区成交额",
              "columns": [REGION, MONEY, COUNT],
              "rows": [["华东", Decimal("1234567.5"), 2], ["华南", Decimal("300.3"), 1], [None, 50, 1]],
              "totals": [Decimal("1234917.8"), 4]}
    return {**result, **changes}


def _kpi(kind: str = "kpi", row: list[Any] | None = None) -> dict[str, Any]:
    money = {"role": "measure", "format": "money"}
    rate = {"role": "measure", "format": "percent", "signed": True}
    columns = [{"key": "sum_amount", "label": "本月成交额", **money}, {"key": "target", "label": "目标", **money},
               {"key": "completion", "label": "完成率", "role": "measure", "format": "percent"},
               {"key": "previous", "label": "上期", **money}, {"key": "previous_growth", "label": "环比", **rate},
               {"key": "last_year", "label": "去年同期", **money}, {"key": "last_year_growth", "label": "同比", **rate}]
    found = [5685000, 8000000, Decimal("0.710625"), 5000000, Decimal("0.137"), 6000000, Decimal("-0.0525")]
    return {"key": "k", "type": kind, "name": "本月成交", "columns": columns, "rows": [found if row is None else row]}


def _texts(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{NS}text"))


def _words(svg: str) -> list[str]:
    return [t.text or "" for t in _texts(svg)]


@pytest.mark.parametrize("kind", CHARTS, ids=CHARTS)
def test_every_type_draws_well_formed_svg_with_its_figures_and_the_chinese_font(kind: str) -> None:
    svg = widget_svg(_result(kind))
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == f"{NS}svg" and "WenQuanYi Zen Hei" in root.attrib["font-family"]
    words = " ".join(_words(svg))
    assert "华东" in words and "（空）" in words  # a blank dimension as the dashboard writes it
    assert "¥1,234,567.50" in words or "¥123.5万" in words  # the value formatted in full or abbreviated


@pytest.mark.parametrize("kind", ["kpi", "gauge"])
def test_a_kpi_shows_value_target_completion_and_growth_with_arrow_and_colour(kind: str) -> None:
    svg = widget_svg(_kpi(kind))
    texts = {t.text: t.attrib for t in _texts(svg)}
    assert "¥568.5万" in texts and "¥8,000,000.00" in texts and "71.1%" in texts
    assert texts["▲ +13.7%"]["fill"] == OK  # 环比 up: green
    assert texts["▼ -5.3%"]["fill"] == DANGER  # 同比 down: red
    assert {"目标", "完成率", "环比", "同比"} <= set(texts)


def test_a_kpi_without_a_target_leaves_target_and_completion_out() -> None:
    words = _words(widget_svg(_kpi(row=[100, None, None, None, None, None, None])))
    assert "目标" not in words and "完成率" not in words and "—" in words  # 环比 of nothing: —


@pytest.mark.parametrize("kind", ["bar", "stacked_bar", "line", "area"])
def test_counts_go_on_their_own_axis_and_are_not_flattened_under_money(kind: str) -> None:
    svg = widget_svg(_result(kind))
    words = _words(svg)
    assert "¥150万" in words or "¥140万" in words  # the money axis, abbreviated
    assert "成交额" in words and "客户数" in words  # each axis named by its measure
    right = [t.text for t in _texts(svg) if t.attrib.get("text-anchor") == "start" and (t.text or "").isdigit()]
    assert "2" in right and not any(w.startswith("¥") for w in right)  # counts 0…2 on the right axis
    if kind in ("bar", "stacked_bar"):
        tallest = max(float(r.attrib["height"]) for r in ET.fromstring(svg).iter(f"{NS}rect")
                      if r.attrib["fill"] == PALETTE[1])
        assert tallest > 100  # two customers reach the top of their own axis (one axis: under a pixel)


def test_a_third_unit_stays_off_the_chart() -> None:
    rate = {"key": "rate", "label": "赢单率", "role": "measure", "format": "percent", "axis": None}
    svg = widget_svg(_result("bar", columns=[REGION, MONEY, COUNT, rate],
                             rows=[["华东", 100, 2, Decimal("0.5")]]))
    assert "赢单率" not in _words(svg) and "50.0%" not in _words(svg)


def test_large_values_abbreviate_with_yi_on_the_axis() -> None:
    svg = widget_svg(_result("bar", columns=[REGION, MONEY], rows=[["华东", 150_000_000], ["华南", 20_000]]))
    assert any(w.endswith("亿") for w in _words(svg))


def test_a_ranking_lists_the_first_category_at_the_top() -> None:
    svg = widget_svg(_result("horizontal_bar"))
    y = {t.text: float(t.attrib["y"]) for t in _texts(svg)}
    assert y["华东"] < y["华南"] < y["（空）"]


HOSTILE = '<script>alert("x")</script>&<img src=x onerror=alert(1)>'


@pytest.mark.parametrize("kind", [*CHARTS, "kpi", "gauge"])
def test_labels_are_escaped_user_data(kind: str) -> None:
    result = _kpi(kind) if kind in ("kpi", "gauge") else _result(kind)
    result["name"] = HOSTILE
    result["columns"] = [{**c, "label": HOSTILE} for c in result["columns"]]
    result["rows"] = [[HOSTILE if isinstance(v, str) else v for v in r] for r in result["rows"]]
    svg = widget_svg(result)
    assert "<script" not in svg and "<img" not in svg
    root = ET.fromstring(svg)  # still well-formed: nothing broke out of its text or attribute
    assert [e.tag for e in root.iter() if e.tag.endswith(("script", "img", "foreignObject"))] == []
    title = root.find(f"{NS}title")
    assert title is not None and title.text == HOSTILE  # shown as the text it is


@pytest.mark.parametrize("kind", CHARTS)
def test_an_empty_result_draws_0_or_a_dash(kind: str) -> None:
    words = _words(widget_svg(_result(kind, rows=[], totals=[0, 0])))
    assert "—" in words or "0" in words
    assert not any("¥1" in w for w in words)  # no made-up scale


@pytest.mark.parametrize("kind", ["kpi", "gauge"])
def test_an_empty_kpi_shows_a_dash(kind: str) -> None:
    assert "—" in _words(widget_svg({**_kpi(kind), "rows": []}))
    assert "—" in _words(widget_svg(_kpi(kind, row=[None, 100, None, None, None, None, None])))


def test_a_bar_with_no_rows_keeps_its_zero_axis() -> None:
    words = _words(widget_svg(_result("bar", rows=[])))
    assert "0" in words and "—" in words


def test_the_api_formatted_text_is_what_the_chart_shows() -> None:
    svg = widget_svg(_result("pie", columns=[REGION, MONEY], rows=[["华东", 5]],
                             formatted=[[None, "¥5.00（已审）"]]))
    assert any("¥5.00（已审）" in w for w in _words(svg))


def test_a_gauge_dial_ends_at_the_target() -> None:
    words = _words(widget_svg(_kpi("gauge")))
    assert "¥800万" in words and "¥400万" in words and "0" in words  # 0 … target in the value's unit


def test_a_bar_compared_with_the_previous_period_puts_its_growth_on_a_percent_axis() -> None:
    previous = {**MONEY, "key": "sum_amount_previous", "label": "成交额（上期）", "compare": "previous"}
    growth = {"key": "sum_amount_previous_growth", "label": "成交额环比", "role": "measure", "format": "percent",
              "signed": True, "axis": 1, "compare": "previous"}
    svg = widget_svg(_result("bar", columns=[REGION, MONEY, previous, growth],
                             rows=[["华东", 300, 50, Decimal(5)], ["华北", 0, 150, Decimal(-1)], ["华南", 300, None, None]],
                             totals=[600, 200, 2]))
    texts = [t.text or "" for t in ET.fromstring(svg).iter(f"{NS}text")]
    assert "成交额环比" in " ".join(texts) and "+500.0%" in texts and "-100.0%" in texts
