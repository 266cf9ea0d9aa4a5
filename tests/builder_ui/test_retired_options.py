"""The record form keeps a stored option that a publish took away for new values only: shown as
retired and selected, so saving the form without touching the field sends it back unchanged."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.builder_ui.test_pages import _session
from tests.factories import Maker, shop


def test_a_retired_option_stays_selected_in_the_edit_form(make: Maker, client: TestClient) -> None:
    definition = shop()
    definition["forms"][0]["fields"].append({"key": "tags", "type": "multi_select", "label": "标签",
                                             "options": ["新", "旧"]})
    make.app_def(definition)
    record = make.record("customer", {"name": "甲", "region": "华北", "tags": ["新", "旧"]})
    definition["forms"][0]["fields"][1]["options"] = ["华东", "华南"]
    definition["forms"][0]["fields"][-1]["options"] = ["新"]
    decisions = [{"form": "customer", "field": k, "constraint": "options", "action": "new_only"} for k in ("region", "tags")]
    r = make.client.put("/api/v1/apps/shop", json={"definition": definition, "decisions": decisions}, headers=make.admin)
    assert r.status_code == 200, r.text
    _session(make, client)
    html = client.get(f"/apps/shop/forms/customer/records/{record['id']}/edit").text
    assert '<option value="华北" selected>华北（已停用）</option>' in html
    assert '<input type="checkbox" name="tags" value="旧" checked> 旧（已停用）' in html
