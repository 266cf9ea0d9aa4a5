"""U+0000 in any input: PostgreSQL cannot hold it in text, so every database refuses it alike, with a
4xx that names where, and nothing is written."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Maker, repair


def test_a_record_value_holding_nul_is_a_422_naming_the_field_and_writes_nothing(make: Maker) -> None:
    make.app_def()
    for data in ({"name": "甲\x00公司"}, {"name": "乙公司", "note": "a\x00"}):
        r = make.client.post(make.url(), json={"data": data}, headers=make.admin)
        assert r.status_code == 422, r.text
        bad = "name" if "\x00" in data["name"] else "note"
        assert [(d["path"], d["code"]) for d in r.json()["error"]["details"]] == [(bad, "invalid_character")]
    r = make.client.post(make.url() + "/bulk", json={"items": [{"name": "丙公司"}, {"name": "丁\x00"}]},
                         headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "items[1].name", r.text
    assert make.client.get(make.url(), headers=make.admin).json()["items"] == []


def test_nul_in_a_url_is_a_400_naming_the_parameter(make: Maker) -> None:
    make.app_def()
    for path, params, where in ((make.url(), {"filter[name]": "a\x00"}, "filter[name]"),
                                (make.url(), {"q": "\x00"}, "q"),
                                ("/api/v1/audit", {"user": "\x00"}, "user"),
                                ("/api/v1/apps/sh%00op", {}, "path")):
        r = make.client.get(path, params=params, headers=make.admin)
        assert r.status_code == 400 and r.json()["error"]["field"] == where, (path, r.text)


def test_nul_in_other_text_of_a_body_is_a_400_not_a_500(make: Maker) -> None:
    make.app_def()
    record = make.record("customer", {"name": "甲公司"})
    r = make.client.put(f"{make.url()}/{record['id']}/shares", json={"departments": ["\x00"]}, headers=make.admin)
    if make.app.state.db.dialect == "postgresql":  # the driver refuses the text: a 400 saying why
        assert r.status_code == 400 and "U+0000" in r.json()["error"]["message"], r.text
    else:  # SQLite looks and finds no such department
        assert r.status_code == 400 and r.json()["error"]["field"] == "departments", r.text
    assert make.client.get(f"{make.url()}/{record['id']}/shares", headers=make.admin).json()["departments"] == []


def test_text_that_spells_a_backslash_u0000_is_kept(make: Any) -> None:
    make.app_def()
    r = make.client.post(make.url(), json={"data": {"name": "C:\\u0000"}}, headers=make.admin)
    assert r.status_code == 201 and r.json()["data"]["name"] == "C:\\u0000", r.text


def test_nul_in_a_page_url_is_the_400_error_page(make: Maker, app: Any) -> None:
    make.app_def(repair())
    make.user("admin")
    with TestClient(app) as browser:
        assert browser.post("/login", data={"username": "admin", "password": "password-123"},
                            follow_redirects=False).status_code == 303
        page = browser.get("/apps/repair/forms/ticket", params={"q": "泵\x00"})
        assert page.status_code == 400
        assert page.headers["content-type"].startswith("text/html")
        assert "U+0000" in page.text
