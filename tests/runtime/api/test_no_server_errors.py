"""Bad input never gets a 500: random record data, list parameters and definitions get a 4xx that
names the problem, and nothing is written."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import repair

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
KEYS = st.sampled_from(["summary", "equipment", "related", "urgency", "watchers", "reported_at", "due", "photos",
                        "parts", "bogus", "", "id", "created_at"])
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.dictionaries(KEYS, JSON, max_size=6))
def test_random_record_data_gets_201_or_a_named_4xx(make: Any, data: dict[str, Any]) -> None:
    if not make.client.get("/api/v1/apps", headers=make.admin).json()["items"]:
        make.app_def(repair())
    url = make.url("ticket", "repair")
    r = make.client.post(url, json={"data": data}, headers=make.admin)
    assert r.status_code in (201, 409, 422), r.text
    if r.status_code != 201:
        assert r.json()["error"]["details"], r.text


@FUZZ
@given(params=st.dictionaries(
    st.sampled_from(["sort", "limit", "cursor", "fields", "count", "filter[summary]", "filter[due][gt]",
                     "filter[parts][has]", "filter[equipment]", "filter[urgency][in]", "filter[x][y]", "filter["]),
    st.text(max_size=15), max_size=4))
def test_random_list_parameters_get_200_or_400(make: Any, params: dict[str, str]) -> None:
    if not make.client.get("/api/v1/apps", headers=make.admin).json()["items"]:
        make.app_def(repair())
    r = make.client.get(make.url("ticket", "repair"), params=params, headers=make.admin)
    assert r.status_code in (200, 400, 422), r.text


@FUZZ
@given(definition=st.dictionaries(st.sampled_from(["key", "name", "forms", "format", "version", "extra"]), JSON,
                                  max_size=5))
def test_random_definitions_get_422_and_create_nothing(make: Any, definition: dict[str, Any]) -> None:
    r = make.client.post("/api/v1/apps", json=definition, headers=make.admin)
    assert r.status_code in (201, 409, 422), r.text
    if r.status_code == 422:
        assert r.json()["error"]["details"]


CELLS = st.none() | st.text(max_size=10) | st.sampled_from(["#1", "1", "0", "-3", "紧急", "2026-02-30", "13800138000",
                                                             "[{\"part\": 1}]", "1e400", "，，", "admin"])
HEADERS = ["故障概述", "设备", "相关设备", "紧急程度", "关注人", "报修时间", "期望完成", "照片", "配件", "未知"]


@FUZZ
@given(header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=5, unique=True),
       rows=st.lists(st.lists(CELLS, min_size=0, max_size=6), max_size=4), raw=st.binary(max_size=40))
def test_random_spreadsheets_get_201_or_a_named_4xx_and_bad_ones_import_nothing(
        make: Any, header: list[str], rows: list[list[Any]], raw: bytes) -> None:
    import csv
    import io

    if not make.client.get("/api/v1/apps", headers=make.admin).json()["items"]:
        make.app_def(repair())
    url = make.url("ticket", "repair")
    before = len(make.client.get(url, params={"limit": 500}, headers=make.admin).json()["items"])
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    for content in (out.getvalue().encode("utf-8"), raw):
        r = make.client.post(f"{url}/import", headers=make.admin, files={"file": ("x.csv", content, "text/csv")})
        assert r.status_code in (201, 400, 409, 422), r.text
        after = len(make.client.get(url, params={"limit": 500}, headers=make.admin).json()["items"])
        if r.status_code != 201:
            assert r.json()["error"]["details"] or r.json()["error"]["message"], r.text
            assert after == before
        before = after
