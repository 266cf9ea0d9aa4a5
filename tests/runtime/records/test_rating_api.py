"""rating through the records API on every backend: stored as an integer, refused outside 1..max with a
422 naming the field (nothing written), filtered and sorted as a number in the primary database and in
the DuckDB report mirror alike."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.factories import Maker

SURVEY = {
    "format": "tangram/app@1", "key": "survey", "name": "回访", "version": "1.0.0",
    "forms": [{"key": "visit", "name": "回访记录", "title_field": "customer", "fields": [
        {"key": "customer", "type": "text", "label": "客户", "required": True},
        {"key": "satisfaction", "type": "rating", "label": "满意度"},
        {"key": "score", "type": "rating", "label": "推荐度", "max": 10},
    ]}],
}


def _visit(make: Maker, **data: Any) -> Any:
    return make.client.post(make.url("visit", "survey"), json={"data": {"customer": "恒瑞精密", **data}},
                            headers=make.admin)


def _list(make: Maker, query: str) -> list[Any]:
    r = make.client.get(f"{make.url('visit', 'survey')}?{query}", headers=make.admin)
    assert r.status_code == 200, r.text
    return [(i["data"]["customer"], i["data"].get("score")) for i in r.json()["items"]]


def test_a_rating_is_stored_as_an_integer_and_may_be_left_blank(make: Maker) -> None:
    make.app_def(SURVEY)
    r = _visit(make, satisfaction="4", score=10)
    assert r.status_code == 201 and r.json()["data"]["satisfaction"] == 4 and r.json()["data"]["score"] == 10
    blank = _visit(make, satisfaction=None)
    assert blank.status_code == 201 and blank.json()["data"].get("satisfaction") is None


@pytest.mark.parametrize("bad", [0, 6, 2.5, "x"], ids=str)
def test_a_rating_outside_one_to_max_is_a_422_naming_the_field_and_writes_nothing(make: Maker, bad: Any) -> None:
    make.app_def(SURVEY)
    r = _visit(make, satisfaction=bad)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"] == [{"path": "satisfaction", "code": "invalid_value",
                                             "message": "评分应为 1 到 5 的整数"}]
    assert _list(make, "") == []


def test_a_required_rating_left_blank_is_refused(make: Maker) -> None:
    required = {**SURVEY, "forms": [{**SURVEY["forms"][0], "fields": [  # type: ignore[dict-item]
        *SURVEY["forms"][0]["fields"][:2], {"key": "score", "type": "rating", "label": "推荐度", "required": True}]}]}
    make.app_def(required)
    r = _visit(make, score="")
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "score"


def test_ratings_filter_and_sort_as_numbers_not_as_text(make: Maker) -> None:
    make.app_def(SURVEY)
    for name, score in (("甲", 9), ("乙", 10), ("丙", 2), ("丁", None)):
        assert _visit(make, customer=name, score=score).status_code == 201
    # as text "10" < "2" < "9": these fail unless the database compares numbers
    assert _list(make, "sort=score") == [("丁", None), ("丙", 2), ("甲", 9), ("乙", 10)]
    assert _list(make, "sort=-score") == [("乙", 10), ("甲", 9), ("丙", 2), ("丁", None)]
    assert sorted(_list(make, "filter[score][gte]=9")) == sorted([("甲", 9), ("乙", 10)])
    assert _list(make, "filter[score][lt]=9") == [("丙", 2)]
    assert _list(make, "filter[score][eq]=10") == [("乙", 10)]
    assert _list(make, "filter=score > 2 AND score < 10") == [("甲", 9)]
    assert [c for c, _ in _list(make, "filter[score][blank]=1")] == ["丁"]
    page = _list(make, "sort=score&limit=2")  # keyset pages continue in number order
    assert page == [("丁", None), ("丙", 2)]


def test_a_filter_value_outside_the_stars_is_a_400_naming_the_field(make: Maker) -> None:
    make.app_def(SURVEY)
    r = make.client.get(f"{make.url('visit', 'survey')}?filter[satisfaction][gte]=x", headers=make.admin)
    assert r.status_code == 400 and "satisfaction" in r.text


def test_the_report_mirror_holds_ratings_as_integers_and_agrees_with_the_primary(client: TestClient, make: Maker,
                                                                                 app: Any) -> None:
    make.app_def(SURVEY)
    for name, satisfaction, score in (("甲", 5, 9), ("乙", 5, 10), ("丙", 2, 2), ("丁", None, None)):
        _visit(make, customer=name, satisfaction=satisfaction, score=score)
    assert client.post("/api/v1/mirror/sync", headers=make.admin).status_code == 200
    with app.state.mirror.read() as conn:
        types = dict(conn.execute(text("SELECT column_name, data_type FROM information_schema.columns "
                                       "WHERE table_name = 'survey__visit'")).all())
    assert types["satisfaction"] == types["score"] == "BIGINT"
    widget = {"type": "table", "form": "visit", "dimensions": [{"field": "satisfaction"}],
              "measures": [{"agg": "count"}, {"agg": "sum", "field": "score"}, {"agg": "max", "field": "score"}],
              "filter": "score >= 2", "sort": "-satisfaction"}
    answers = {}
    for engine in ("primary", "mirror"):
        r = client.post(f"/api/v1/apps/survey/query?engine={engine}", json=widget, headers=make.admin)
        assert r.status_code == 200, r.text
        answers[engine] = r.json()["widgets"][0]["rows"]
    assert answers["primary"] == answers["mirror"] == [[5, 2, 19, 10], [2, 1, 2, 2]]
