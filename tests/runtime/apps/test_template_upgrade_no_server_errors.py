"""Whatever the uploaded template version, choices or export hold, the upgrade and import APIs answer
200/201 or a named 4xx, never a 500, and a refused call changes nothing."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete

from runtime.db.tables import apps, records
from tests.factories import Maker, shop
from tests.runtime.api.test_no_server_errors import FUZZ, JSON

PLACES = [("name",), ("forms",), ("forms", 0, "fields"), ("forms", 0, "fields", 1), ("forms", 0, "fields", 1, "label"),
          ("forms", 0, "title_field"), ("forms", 1), ("roles",), ("version",), ("key",)]


def _changed(place: tuple[Any, ...], value: Any) -> dict[str, Any]:
    definition = copy.deepcopy(shop())
    node: Any = definition
    for step in place[:-1]:
        node = node[step]
    node[place[-1]] = value
    return definition


def _ready(make: Maker) -> None:
    if not make.client.get("/api/v1/apps", headers=make.admin).json()["items"]:
        make.app_def(shop())
        changed = shop(name="本地小店")
        changed["forms"][0]["fields"][1]["label"] = "本地标签"
        assert make.client.put("/api/v1/apps/shop", json=changed, headers=make.admin).status_code == 200


@FUZZ
@given(place=st.sampled_from(PLACES), value=JSON, choices=JSON)
def test_upgrade_never_answers_500(make: Maker, place: tuple[Any, ...], value: Any, choices: Any) -> None:
    _ready(make)
    template = _changed(place, value)
    for url in ("/api/v1/apps/shop/upgrade/preview", "/api/v1/apps/shop/upgrade"):
        for body in ({"template": template}, {"template": template, "choices": choices}, {"template": value}):
            r = make.client.post(url, json=body, headers=make.admin)
            assert r.status_code in (200, 400, 409, 422), r.text
    assert make.client.get("/api/v1/apps/shop", headers=make.admin).json()["version"] >= 2


@FUZZ
@given(definition=JSON, stored=JSON, key=st.sampled_from([None, "copy", "Bad", ""]))
def test_import_never_answers_500(make: Maker, definition: Any, stored: Any, key: str | None) -> None:
    _ready(make)
    bundle = {"format": "tangram/app-export@1", "definition": shop(key="other"), "records": stored}
    for body in (bundle, {"format": "tangram/app-export@1", "definition": definition}, {"records": stored},
                 {"format": "tangram/app-export@1", "definition": shop(key="other"),
                  "records": {"customer": [{"id": 1, "data": definition}]}}):
        r = make.client.post("/api/v1/apps/import", params={} if key is None else {"key": key}, json=body,
                             headers=make.admin)
        assert r.status_code in (201, 400, 409, 422), r.text
        if r.status_code == 201:
            with make.app.state.db.write() as conn:  # start the next body from the same state
                conn.execute(delete(records).where(records.c.app == r.json()["key"]))
                conn.execute(delete(apps).where(apps.c.key == r.json()["key"]))
