"""Bad input to the pages and the preview never gets a 500: random list parameters get the list or a
400 page that says what is wrong; random record data gets a preview or a named 4xx."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import repair
from tests.runtime.api.test_no_server_errors import JSON, KEYS

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _ready(make: Any) -> None:
    if not make.client.get("/api/v1/apps", headers=make.admin).json()["items"]:
        make.app_def(repair())
        make.user("admin")
        r = make.client.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
        assert r.status_code == 303


@FUZZ
@given(params=st.dictionaries(
    st.sampled_from(["sort", "cursor", "q", "columns", "view", "filter", "filter[summary]", "filter[due][gt]",
                     "filter[parts][has]", "filter[equipment]", "filter[urgency][in]", "filter[x][y]", "filter[",
                     "lang"]),
    st.text(max_size=15), max_size=4))
def test_random_list_page_parameters_get_the_page_or_a_400_page(make: Any, params: dict[str, str]) -> None:
    _ready(make)
    r = make.client.get("/apps/repair/forms/ticket", params=params)
    assert r.status_code in (200, 400), r.text[:300]
    assert r.headers["content-type"].startswith("text/html")


@FUZZ
@given(data=st.dictionaries(KEYS, JSON, max_size=6))
def test_random_preview_data_gets_a_preview_or_a_named_4xx(make: Any, data: dict[str, Any]) -> None:
    _ready(make)
    r = make.client.post("/api/v1/apps/repair/forms/ticket/records/preview", json={"data": data}, headers=make.admin)
    assert r.status_code in (200, 422), r.text
    assert make.client.get("/api/v1/apps/repair/forms/ticket/records", headers=make.admin).json()["items"] == []
