"""The builders' previews on the draft definition: POST /apps/{app}/query?draft=true and the chart
builder's fields with ?draft=true show a field (or a form) added in the draft before it is published;
the draft is its managers' only (403 for a user who may read the records but not change the app)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Maker, shop

READER = {"key": "reader", "name": "查看者", "permissions": {"customer": {"read": "all"}}}
BY_GRADE = {"type": "bar", "form": "customer", "dimensions": [{"field": "grade"}], "measures": [{"agg": "count"}]}


@pytest.fixture
def drafted(make: Maker) -> dict[str, str]:
    """The shop with three customers, and a draft adding 客户.客户分级 (not published); a reader's headers."""
    make.app_def(shop(roles=[READER]))
    reader = make.user("reader", admin=False)
    r = make.client.put("/api/v1/apps/shop/roles/reader/members", json={"users": ["reader"]}, headers=make.admin)
    assert r.status_code == 200, r.text
    for name, region in (("甲公司", "华东"), ("乙公司", "华东"), ("丙公司", "华南")):
        make.record("customer", {"name": name, "region": region})
    field = {"key": "grade", "type": "select", "label": "客户分级", "options": ["重点", "普通"]}
    r = make.client.post("/api/v1/apps/shop/forms/customer/fields", json=field, headers=make.admin)
    assert r.status_code == 201, r.text
    return reader


def _query(make: Maker, widget: dict[str, Any], headers: dict[str, str], **params: Any) -> Any:
    return make.client.post("/api/v1/apps/shop/query", json=widget, params=params, headers=headers)


def test_a_field_added_in_the_draft_is_previewable_before_publishing(make: Maker, drafted: dict[str, str]) -> None:
    published = _query(make, BY_GRADE, make.admin)
    assert published.status_code == 422 and "grade" in published.text  # the published app has no such field
    r = _query(make, BY_GRADE, make.admin, draft="true")
    assert r.status_code == 200, r.text
    [widget] = r.json()["widgets"]
    assert "error" not in widget and sum(row[-1] for row in widget["rows"]) == 3  # no value yet: one group of 3
    by_region = {**BY_GRADE, "dimensions": [{"field": "region"}]}  # the published fields still answer
    rows = _query(make, by_region, make.admin, draft="true").json()["widgets"][0]["rows"]
    assert {row[0]: row[1] for row in rows} == {"华东": 2, "华南": 1}


def test_the_chart_builder_lists_the_drafts_fields(make: Maker, drafted: dict[str, str]) -> None:
    url = "/api/v1/apps/shop/forms/customer/report-fields"
    published = {f["key"] for f in make.client.get(url, headers=make.admin).json()["items"]}
    r = make.client.get(url, params={"draft": "true"}, headers=make.admin)
    assert r.status_code == 200, r.text
    fields = {f["key"]: f for f in r.json()["items"]}
    assert "grade" not in published and fields["grade"]["label"] == "客户分级" and fields["grade"]["dimension"]


def test_a_form_of_the_draft_alone_previews_empty(make: Maker, drafted: dict[str, str]) -> None:
    form = {
        "key": "supplier",
        "name": "供应商",
        "title_field": "title",
        "fields": [{"key": "title", "type": "text", "label": "名称"}],
    }
    assert make.client.post("/api/v1/apps/shop/forms", json=form, headers=make.admin).status_code == 201
    kpi = {"type": "kpi", "form": "supplier", "measures": [{"agg": "count"}]}
    assert _query(make, kpi, make.admin).status_code == 422
    r = _query(make, kpi, make.admin, draft="true")
    assert r.status_code == 200, r.text
    assert r.json()["widgets"][0]["rows"][0][0] == 0


def test_a_user_who_may_not_change_the_app_cannot_preview_the_draft(make: Maker, drafted: dict[str, str]) -> None:
    by_region = {**BY_GRADE, "dimensions": [{"field": "region"}]}
    assert _query(make, by_region, drafted).status_code == 200  # the published preview is theirs to use
    for widget in (BY_GRADE, by_region):
        r = _query(make, widget, drafted, draft="true")
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "forbidden"


def test_the_mirror_forced_on_a_draft_field_says_why(make: Maker, drafted: dict[str, str]) -> None:
    """The mirror's tables follow the published forms: forced onto it, a draft field is a 400 naming it."""
    r = _query(make, BY_GRADE, make.admin, draft="true", engine="mirror")
    assert r.status_code == 400 and r.json()["error"]["code"] == "unsupported_query", r.text
    assert "grade" in r.json()["error"]["message"]
