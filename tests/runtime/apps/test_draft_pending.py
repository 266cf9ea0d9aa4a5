"""A whole new definition never silently overwrites the builder's unpublished changes: `PUT /apps/{app}`,
`tangram app upgrade FILE` and a template upgrade are refused with 409 draft_pending while a draft differs
from the published version, unless the caller discards it on purpose; the app page lists what the draft
changes and discards it; every discard is audited with what it dropped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from runtime.cli import main
from tests.factories import Maker, shop

FIELDS = "/api/v1/apps/shop/forms/customer/fields"


def _published(make: Maker) -> dict[str, Any]:
    return make.client.get("/api/v1/apps/shop", headers=make.admin).json()  # type: ignore[no-any-return]


def _draft_relabel(make: Maker, label: str = "客户全称") -> None:
    r = make.client.patch(f"{FIELDS}/name", json={"label": label}, headers=make.admin)
    assert r.status_code == 200, r.text


def _with_note_label(definition: dict[str, Any], label: str) -> dict[str, Any]:
    for field in definition["forms"][0]["fields"]:
        if field["key"] == "note":
            field["label"] = label
    return definition


def test_put_over_a_pending_draft_is_409_and_keeps_both_the_draft_and_the_published_version(make: Maker) -> None:
    make.app_def()
    _draft_relabel(make)
    before = _published(make)
    r = make.client.put("/api/v1/apps/shop", json=_with_note_label(before["definition"], "说明"), headers=make.admin)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "draft_pending"
    assert _published(make)["version"] == before["version"]
    draft = make.client.get("/api/v1/apps/shop/draft", headers=make.admin).json()
    assert draft["forms"][0]["fields"][0]["label"] == "客户全称"


def test_put_with_discard_draft_publishes_and_drops_the_draft(make: Maker) -> None:
    make.app_def()
    _draft_relabel(make)
    definition = _with_note_label(_published(make)["definition"], "说明")
    r = make.client.put("/api/v1/apps/shop", params={"discard_draft": "true"}, json=definition, headers=make.admin)
    assert r.status_code == 200, r.text
    draft = make.client.get("/api/v1/apps/shop/draft", headers=make.admin).json()
    labels = {f["key"]: f["label"] for f in draft["forms"][0]["fields"]}
    assert labels["note"] == "说明" and labels["name"] == "客户名称"  # the draft's relabel is gone


def test_a_draft_edited_back_to_the_published_version_is_nothing_pending(make: Maker) -> None:
    make.app_def()
    _draft_relabel(make)
    _draft_relabel(make, "客户名称")
    assert make.client.get("/api/v1/apps/shop/draft/changes", headers=make.admin).json()["pending"] is False
    definition = _with_note_label(_published(make)["definition"], "说明")
    assert make.client.put("/api/v1/apps/shop", json=definition, headers=make.admin).status_code == 200


def test_changes_name_each_part_and_delete_discards_them_audited(make: Maker) -> None:
    make.app_def()
    _draft_relabel(make)
    r = make.client.post(FIELDS, json={"key": "wechat", "type": "text", "label": "微信"}, headers=make.admin)
    assert r.status_code in (200, 201), r.text
    changes = make.client.get("/api/v1/apps/shop/draft/changes", headers=make.admin).json()
    assert changes["pending"] is True
    assert "forms[customer].fields[wechat]" in changes["added"]
    assert "forms[customer].fields[name].label" in changes["updated"]

    r = make.client.delete("/api/v1/apps/shop/draft", headers=make.admin)
    assert r.status_code == 200 and r.json() == {"discarded": True}
    assert make.client.get("/api/v1/apps/shop/draft/changes", headers=make.admin).json()["pending"] is False
    assert make.client.delete("/api/v1/apps/shop/draft", headers=make.admin).json() == {"discarded": False}
    entries = make.client.get("/api/v1/audit", params={"action": "app.draft.discard"}, headers=make.admin).json()
    [entry] = entries["items"]
    assert "forms[customer].fields[wechat]" in entry["detail"]["added"]


def test_only_managers_see_or_discard_the_draft(make: Maker) -> None:
    make.app_def()
    _draft_relabel(make)
    clerk = make.user("clerk", admin=False)
    assert make.client.get("/api/v1/apps/shop/draft/changes", headers=clerk).status_code in (403, 404)
    assert make.client.delete("/api/v1/apps/shop/draft", headers=clerk).status_code in (403, 404)
    assert make.client.get("/api/v1/apps/shop/draft/changes", headers=make.admin).json()["pending"] is True


def _login(client: TestClient, username: str) -> None:
    r = client.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303, r.text


def test_the_app_page_lists_the_pending_parts_with_their_designer(make: Maker) -> None:
    make.app_def()
    _login(make.client, "admin")
    assert 'id="draft-pending"' not in make.client.get("/apps/shop").text
    _draft_relabel(make)
    page = make.client.get("/apps/shop").text
    assert 'id="draft-pending"' in page and "有未发布的修改" in page and 'id="discard-draft"' in page
    assert 'href="/apps/shop/builder/forms/customer"><code>forms[customer].fields[name].label</code>' in page
    assert "Unpublished changes" in make.client.get("/apps/shop", params={"lang": "en"}).text


def _write(tmp_path: Path, data: Any, name: str) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_the_cli_upgrade_refuses_over_a_draft_unless_told_to_discard_it(tmp_path: Path, capsys: Any) -> None:
    from runtime.apps import definitions
    from runtime.db.db import open_database
    from runtime.records.context import SYSTEM, Change

    db_url = f"sqlite:///{tmp_path}/cli.db"
    main(["db", "upgrade", "--db", db_url])
    main(["app", "import", _write(tmp_path, shop(), "shop.json"), "--db", db_url])
    db = open_database(db_url)
    with db.write() as conn:
        definitions.save_draft(conn, "shop", _with_note_label(definitions.draft(conn, "shop"), "草稿里的备注"),
                               Change(SYSTEM))
    db.engine.dispose()
    v2 = _write(tmp_path, _with_note_label(shop(version="1.1.0"), "说明"), "v2.json")
    capsys.readouterr()
    assert main(["app", "upgrade", v2, "--db", db_url]) != 0
    err = capsys.readouterr().err  # in the terminal's language
    assert "未发布的修改" in err or "unpublished changes" in err
    assert main(["app", "upgrade", v2, "--discard-draft", "--db", db_url]) == 0
    db = open_database(db_url)
    with db.read() as conn:
        assert definitions.pending_draft(conn, "shop") is None
        assert definitions.current(conn, "shop")[1] == 2
    db.engine.dispose()
