"""Every input is bounded before work starts: a body over its size is a 413, a value over its limit a
422 naming the field and the limit; each limit has a default and a TANGRAM_ variable. Issue 21, item 3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.limits import DEFAULT
from runtime.db.db import Database
from runtime.main import create_app
from runtime.settings import Settings
from tests.factories import Maker, repair, shop

NOTES = {"key": "notes", "type": "textarea", "label": "备注"}
TAGS = {"key": "tags", "type": "multi_select", "label": "标签", "options": [f"t{i}" for i in range(300)]}


def _app(make: Maker) -> None:
    definition = shop()
    definition["forms"][0]["fields"] += [NOTES, TAGS]
    make.app_def(definition)


def _detail(r: Any) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    details = r.json()["error"]["details"]
    assert len(details) == 1, details
    return details[0]  # type: ignore[no-any-return]


def _count(make: Maker, form: str = "customer", app: str = "shop") -> int:
    return len(make.client.get(make.url(form, app), params={"limit": 500}, headers=make.admin).json()["items"])


@pytest.fixture
def small(db: Database, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Maker]:
    """A server with small limits, set the way an operator sets them: in the environment."""
    for name, value in {"MAX_BODY_MB": "0.05", "MAX_TEXT_CHARS": "20", "MAX_TEXTAREA_CHARS": "50",
                        "MAX_SUB_TABLE_ROWS": "3", "MAX_MULTI_VALUES": "2", "MAX_BULK_ITEMS": "4",
                        "MAX_EXPRESSION_CHARS": "30"}.items():
        monkeypatch.setenv(f"TANGRAM_{name}", value)
    settings = Settings(data_dir=tmp_path, database_url="unused://", admin_password="admin-secret-1")
    with TestClient(create_app(settings, db)) as client:
        yield Maker(client.app, client)


def test_a_single_line_text_over_the_default_limit_is_a_422_naming_field_and_limit(make: Maker) -> None:
    _app(make)
    r = make.client.post(make.url(), json={"data": {"name": "甲", "note": "长" * (DEFAULT.text_chars + 1)}},
                         headers=make.admin)
    detail = _detail(r)
    assert detail["path"] == "note" and detail["code"] == "too_long" and str(DEFAULT.text_chars) in detail["message"]
    ok = make.client.post(make.url(), json={"data": {"name": "乙", "note": "长" * DEFAULT.text_chars}}, headers=make.admin)
    assert ok.status_code == 201 and _count(make) == 1


def test_a_multi_line_text_has_its_own_larger_limit(make: Maker) -> None:
    _app(make)
    long = "第一行\n" + "字" * (DEFAULT.textarea_chars - 4)
    assert make.client.post(make.url(), json={"data": {"name": "甲", "notes": long}}, headers=make.admin).status_code == 201
    r = make.client.post(make.url(), json={"data": {"name": "乙", "notes": long + "多"}}, headers=make.admin)
    detail = _detail(r)
    assert detail["path"] == "notes" and str(DEFAULT.textarea_chars) in detail["message"]
    assert _count(make) == 1


def test_a_fields_own_max_length_still_applies_below_the_limit(make: Maker) -> None:
    _app(make)
    r = make.client.post(make.url(), json={"data": {"name": "名" * 101}}, headers=make.admin)  # max_length 100
    detail = _detail(r)
    assert detail["path"] == "name" and "100" in detail["message"]


def test_a_multi_select_over_the_values_limit_is_a_422(make: Maker) -> None:
    _app(make)
    tags = [f"t{i}" for i in range(DEFAULT.multi_values + 1)]
    detail = _detail(make.client.post(make.url(), json={"data": {"name": "甲", "tags": tags}}, headers=make.admin))
    assert detail["path"] == "tags" and detail["code"] == "too_many_items"
    assert str(DEFAULT.multi_values) in detail["message"]


def test_sub_table_rows_and_their_cells_are_bounded_with_the_path_of_the_cell(make: Maker) -> None:
    make.app_def(repair())
    equipment = make.record("equipment", {"name": "车床"}, app="repair")["id"]
    url = make.url("ticket", "repair")
    rows = [{"part": "轴承"}] * (DEFAULT.sub_table_rows + 1)
    r = make.client.post(url, json={"data": {"summary": "坏了", "equipment": equipment, "parts": rows}},
                         headers=make.admin)
    detail = _detail(r)
    assert detail["path"] == "parts" and str(DEFAULT.sub_table_rows) in detail["message"]
    rows = [{"part": "轴承"}, {"part": "油封"}, {"part": "长" * (DEFAULT.text_chars + 1)}]
    r = make.client.post(url, json={"data": {"summary": "坏了", "equipment": equipment, "parts": rows}},
                         headers=make.admin)
    detail = _detail(r)
    assert detail["path"] == "parts[2].part" and detail["code"] == "too_long"
    assert _count(make, "ticket", "repair") == 0


def test_a_bulk_request_over_the_items_limit_is_a_422_and_creates_nothing(make: Maker) -> None:
    _app(make)
    items = [{"name": f"客户{i}"} for i in range(DEFAULT.bulk_items + 1)]
    r = make.client.post(make.url() + "/bulk", json={"items": items}, headers=make.admin)
    detail = _detail(r)
    assert detail["path"] == "items" and str(DEFAULT.bulk_items) in r.json()["error"]["message"]
    assert _count(make) == 0


def test_each_item_of_a_bulk_request_is_bounded_and_named(make: Maker) -> None:
    _app(make)
    items = [{"name": "甲"}, {"name": "乙", "note": "x" * (DEFAULT.text_chars + 1)}]
    detail = _detail(make.client.post(make.url() + "/bulk", json={"items": items}, headers=make.admin))
    assert detail["path"] == "items[1].note"
    assert _count(make) == 0


def test_a_body_declared_over_the_limit_is_a_413_before_it_is_read(small: Maker) -> None:
    make = small
    _app(make)
    body = json.dumps({"data": {"name": "甲", "notes": "x" * 60_000}}).encode()
    r = make.client.post(make.url(), content=body, headers={**make.admin, "Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    error = r.json()["error"]
    assert error["code"] == "payload_too_large" and error["limit"] == int(0.05 * (1 << 20))
    assert error["details"][0]["path"] == "body"
    assert _count(make) == 0


def test_a_streamed_body_without_a_length_is_a_413_at_the_limit(small: Maker) -> None:
    make = small
    _app(make)
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        yield b'{"data": {"name": "\xe7\x94\xb2", "notes": "'
        for _ in range(100):  # 100 × 1 KB: twice the limit
            sent.append(1)
            yield b"x" * 1024
        yield b'"}}'

    r = make.client.post(make.url(), content=chunks(), headers={**make.admin, "Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    assert r.json()["error"]["limit"] == int(0.05 * (1 << 20))
    assert _count(make) == 0


def test_limits_are_set_in_the_environment(small: Maker) -> None:
    make = small
    make.app_def(repair())
    equipment = make.record("equipment", {"name": "车床"}, app="repair")["id"]
    url = make.url("ticket", "repair")

    def post(data: dict[str, Any]) -> dict[str, Any]:
        return _detail(make.client.post(url, json={"data": {"summary": "坏了", "equipment": equipment, **data}},
                                        headers=make.admin))

    assert post({"summary": "x" * 21})["message"].startswith("文本过长：最多 20 个字符")
    assert "3" in post({"parts": [{"part": "a"}] * 4})["message"]
    assert "2" in post({"watchers": ["a", "b", "c"]})["message"]
    assert post({"parts": [{"part": "y" * 21}]})["path"] == "parts[0].part"
    r = make.client.post(url + "/bulk", json={"items": [{"summary": "s", "equipment": equipment}] * 5},
                         headers=make.admin)
    assert _detail(r)["path"] == "items"
    r = make.client.get(url, params={"filter": "summary = \"" + "x" * 30 + "\""}, headers=make.admin)
    assert r.status_code == 400 and "30" in r.json()["error"]["message"], r.text


def test_english_messages_name_the_limit_too(make: Maker) -> None:
    _app(make)
    r = make.client.post(make.url(), json={"data": {"name": "甲", "note": "x" * (DEFAULT.text_chars + 1)}},
                         headers={**make.admin, "Accept-Language": "en"})
    assert _detail(r)["message"] == f"text too long: at most {DEFAULT.text_chars} characters ({DEFAULT.text_chars + 1} given)"
