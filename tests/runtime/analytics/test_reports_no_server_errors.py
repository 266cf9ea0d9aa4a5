"""Bad report input never gets a 500: random ad-hoc widgets, dashboard filter values and drill points
get a 200 or a 4xx that names the problem, on either engine."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import repair

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELDS = st.sampled_from(["summary", "equipment", "urgency", "watchers", "reported_at", "due", "photos", "parts",
                          "related", "owner", "created_at", "id", "bogus", "", "equipment.price"])
TEXT = st.text(alphabet='abcAZ_ ()"=<>.,0123456789加急', max_size=20)
WIDGETS = st.fixed_dictionaries({}, optional={
    "type": st.sampled_from(["table", "pivot", "bar", "line", "pie", "funnel", "kpi", "gauge", ""]),
    "form": st.sampled_from(["ticket", "equipment", "nope"]),
    "dimensions": st.lists(st.fixed_dictionaries({"field": FIELDS}, optional={
        "bucket": st.sampled_from(["day", "week", "month", "quarter", "year", "hour"])}), max_size=3),
    "measures": st.lists(st.one_of(
        st.fixed_dictionaries({"agg": st.sampled_from(["count", "count_distinct", "sum", "avg", "min", "max", "median"])},
                              optional={"field": FIELDS}),
        st.fixed_dictionaries({"expr": st.one_of(TEXT, st.sampled_from([
            "COUNT()", 'COUNTIF(urgency = "紧急") / COUNT()', "SUM(equipment.price)", "AVERAGE(parts.qty)",
            "COUNT_DISTINCT(watchers)", "MAX(due) + 1", "SUM(due)", "COUNT(1, 2)"]))})), max_size=3),
    "filter": st.one_of(TEXT, st.sampled_from(['urgency = "紧急"', "due > TODAY()", "equipment.price / 3 > 1"])),
    "sort": TEXT, "limit": st.integers(-1, 5), "target": st.one_of(st.integers(), TEXT),
    "period": st.fixed_dictionaries({"field": FIELDS}), "stages": st.lists(TEXT, max_size=2),
    "filters": st.dictionaries(FIELDS, TEXT, max_size=2),
})


GOOD_FIELDS = st.sampled_from(["urgency", "equipment", "due", "reported_at", "owner", "created_at", "summary"])
NEARLY_VALID = st.fixed_dictionaries({
    "type": st.sampled_from(["table", "pivot", "bar", "line", "pie", "funnel", "kpi"]),
    "form": st.just("ticket"),
    "dimensions": st.lists(st.fixed_dictionaries({"field": GOOD_FIELDS}, optional={
        "bucket": st.sampled_from(["day", "week", "month", "quarter", "year"])}), max_size=2),
    "measures": st.lists(st.sampled_from([{"agg": "count"}, {"agg": "max", "field": "due"},
                                          {"agg": "count_distinct", "field": "equipment"},
                                          {"expr": 'COUNTIF(urgency = "紧急") / COUNT()'},
                                          {"expr": "SUM(equipment.price)"}]), min_size=1, max_size=2,
                         unique_by=str),
}, optional={"filter": st.sampled_from(['urgency = "紧急"', "due > TODAY()", "equipment.price / 3 > 1", "x >"]),
             "sort": st.sampled_from(["-count", "urgency", "nope"]), "limit": st.integers(1, 3),
             "period": st.fixed_dictionaries({"field": st.sampled_from(["due", "reported_at", "summary"])}),
             "filters": st.dictionaries(st.sampled_from(["urgency", "due", "created_at"]),
                                        st.sampled_from(["紧急", "2026-01-01..2026-02-01", "..", "x", ""]), max_size=2)})


@FUZZ
@given(widget=st.one_of(NEARLY_VALID, WIDGETS), engine=st.sampled_from(["", "?engine=primary", "?engine=mirror", "?engine=x"]))
def test_random_ad_hoc_widgets_get_200_or_a_named_4xx(make: Any, widget: dict[str, Any], engine: str) -> None:
    if not make.client.get("/api/v1/apps", headers=make.admin).json()["items"]:
        make.app_def(repair())
        make.record("equipment", {"name": "车床", "price": "100.00"}, app="repair")
    r = make.client.post(f"/api/v1/apps/repair/query{engine}", json=widget, headers=make.admin)
    assert r.status_code in (200, 400, 404, 422), r.text
    if r.status_code != 200:
        assert r.json()["error"]["code"], r.text


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["urgency", "due", "created_at", "engine", "point", "bogus", "format"]),
                              TEXT, max_size=3),
       path=st.sampled_from(["", "/widgets/by_urgency/drill", "/widgets/monthly/drill", "/widgets/by_urgency/export"]))
def test_random_report_parameters_get_200_or_400(make: Any, params: dict[str, str], path: str) -> None:
    if not make.client.get("/api/v1/apps", headers=make.admin).json()["items"]:
        definition = repair()
        definition["reports"] = [{"key": "board", "name": "报修看板", "filters": [{"field": "urgency"}, {"field": "due"},
                                                                              {"field": "created_at"}], "widgets": [
            {"key": "by_urgency", "type": "bar", "form": "ticket", "dimensions": [{"field": "urgency"}],
             "measures": [{"agg": "count"}]},
            {"key": "monthly", "type": "line", "form": "ticket", "dimensions": [{"field": "due", "bucket": "month"}],
             "measures": [{"agg": "count"}]}]}]
        make.app_def(definition)
    r = make.client.get(f"/api/v1/apps/repair/reports/board{path}", params=params, headers=make.admin)
    assert r.status_code in (200, 400, 404, 422), r.text
