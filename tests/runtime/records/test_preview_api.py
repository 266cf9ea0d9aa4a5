"""Previewing a record being filled in: computed values without saving, half-filled input allowed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Maker, repair

LINES = [{"part": "轴承", "qty": "2", "unit_price": "35.5"}, {"part": "皮带", "qty": 1, "unit_price": "12"}]


def _with_formulas() -> dict:
    app = repair()
    ticket = app["forms"][1]
    ticket["fields"][-1]["fields"].append({"key": "subtotal", "type": "formula", "label": "小计",
                                           "formula": "qty * unit_price"})
    ticket["fields"].append({"key": "parts_total", "type": "formula", "label": "配件合计",
                             "formula": "SUM(parts.subtotal)"})
    return app


def test_preview_computes_subtotals_and_totals_without_saving(make: Maker, client: TestClient) -> None:
    make.app_def(_with_formulas())
    url = "/api/v1/apps/repair/forms/ticket/records/preview"
    r = client.post(url, json={"data": {"parts": LINES}}, headers=make.admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [line["subtotal"] for line in body["data"]["parts"]] == ["71", "12"]
    assert str(body["data"]["parts_total"]) == "83"
    assert body["issues"] == []  # summary and equipment are required, but not yet
    assert client.get("/api/v1/apps/repair/forms/ticket/records", headers=make.admin).json()["items"] == []


def test_preview_leaves_out_what_does_not_fit_and_says_so(make: Maker, client: TestClient) -> None:
    make.app_def(_with_formulas())
    r = client.post("/api/v1/apps/repair/forms/ticket/records/preview",
                    json={"data": {"parts": LINES, "due": "not a date", "urgency": "很急"}}, headers=make.admin)
    body = r.json()
    assert r.status_code == 200 and str(body["data"]["parts_total"]) == "83"
    assert {i["path"] for i in body["issues"]} == {"due", "urgency"}


def test_preview_of_an_unknown_form_is_a_404(make: Maker, client: TestClient) -> None:
    make.app_def()
    r = client.post("/api/v1/apps/shop/forms/nope/records/preview", json={"data": {}}, headers=make.admin)
    assert r.status_code == 404


def test_preview_names_the_fields_visible_when_hides(make: Maker, client: TestClient) -> None:
    app = repair()
    app["forms"][1]["fields"].append({"key": "escalation", "type": "text", "label": "升级说明",
                                      "visible_when": 'urgency = "特急"'})
    make.app_def(app)
    url = "/api/v1/apps/repair/forms/ticket/records/preview"
    assert client.post(url, json={"data": {"urgency": "一般"}}, headers=make.admin).json()["hidden"] == ["escalation"]
    assert client.post(url, json={"data": {"urgency": "特急"}}, headers=make.admin).json()["hidden"] == []
