"""Encrypted fields (`"encrypted": true`): readers see plaintext; the database (records, history,
audit, search, the SQLite file itself), the DuckDB mirror and backups hold only ciphertext and a blind
index; equality filters and uniqueness still work, order-dependent uses are refused, keys rotate."""

from __future__ import annotations

import base64
import copy
import io
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from runtime.apps import definitions
from runtime.crypto import keyring
from runtime.crypto.reseal import rotate
from runtime.db.db import Database
from runtime.main import create_app
from runtime.settings import Settings
from tests.factories import Maker

OLD_KEY = base64.b64encode(bytes(range(32))).decode()
NEW_KEY = base64.b64encode(bytes(range(100, 132))).decode()

VAULT = {
    "format": "tangram/app@1", "key": "vault", "name": "客户库", "version": "1.0.0",
    "forms": [{"key": "contact", "name": "联系人", "title_field": "name", "fields": [
        {"key": "name", "type": "text", "label": "姓名", "required": True},
        {"key": "mobile", "type": "phone", "label": "手机", "unique": True, "encrypted": True},
        {"key": "id_card", "type": "text", "label": "证件号", "encrypted": True},
        {"key": "city", "type": "text", "label": "城市"},
    ]}],
}
URL = "/api/v1/apps/vault/forms/contact/records"
SECRETS = ["13924681357", "1392468", "ZX5150QK", "qk-证件-77"]
"""Plaintext that must never be found at rest (whole values and pieces of them)."""


def vault(**field_changes: Any) -> dict[str, Any]:
    definition = copy.deepcopy(VAULT)
    for field in definition["forms"][0]["fields"]:
        field.update(field_changes.get(field["key"], {}))
    return definition


@pytest.fixture
def app(db: Database, tmp_path: Path) -> Any:
    settings = Settings(data_dir=tmp_path, database_url="unused://", admin_password="admin-secret-1",
                        encryption_key=OLD_KEY)
    return create_app(settings, db)


@pytest.fixture
def people(make: Maker) -> list[dict[str, Any]]:
    make.app_def(vault())
    first = make.client.post(URL, json={"data": {"name": "甲", "mobile": "139-2468-1357", "id_card": "ZX5150QK",
                                                 "city": "苏州"}}, headers=make.admin)
    second = make.client.post(URL, json={"data": {"name": "乙", "mobile": "15011112222", "id_card": "qk-证件-77"}},
                              headers=make.admin)
    assert first.status_code == 201 and second.status_code == 201, first.text + second.text
    return [first.json(), second.json()]


def _at_rest(db: Database, backend: str) -> bytes:
    """Every byte the database holds: the SQLite file (WAL checkpointed into it), or on PostgreSQL
    every row of every table of the test's schema as text."""
    if backend.startswith("sqlite"):
        with db.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        path = Path(db.engine.url.database or "")
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    with db.engine.connect() as conn:
        tables = conn.scalars(text("SELECT table_name FROM information_schema.tables "
                                   "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")).all()
        return "\n".join(str(row[0]) for t in tables for row in conn.execute(text(f'SELECT t::text FROM "{t}" t'))
                         ).encode()


def _holds_none(blob: bytes, secrets: list[str] = SECRETS) -> None:
    found = [s for s in secrets if s.encode() in blob]
    assert not found, f"plaintext at rest: {found}"


def test_readers_see_plaintext_and_the_database_holds_none(make: Maker, people: list[dict[str, Any]],
                                                           db: Database, backend: str) -> None:
    first = people[0]
    assert first["data"]["mobile"] == "13924681357" and first["data"]["id_card"] == "ZX5150QK"
    got = make.client.get(f"{URL}/{first['id']}", headers=make.admin).json()
    assert got["data"] == {"name": "甲", "mobile": "13924681357", "id_card": "ZX5150QK", "city": "苏州"}
    r = make.client.patch(f"{URL}/{first['id']}", json={"data": {"id_card": "ZX5150QK-2", "city": "杭州"}},
                          headers=make.admin)
    assert r.status_code == 200 and r.json()["data"]["id_card"] == "ZX5150QK-2", r.text
    listed = make.client.get(URL, params={"sort": "name"}, headers=make.admin).json()["items"]
    assert [i["data"]["mobile"] for i in listed] == ["13924681357", "15011112222"]
    history = make.client.get(f"{URL}/{first['id']}/history", headers=make.admin).json()["items"]
    assert [h["data"]["id_card"] for h in history] == ["ZX5150QK", "ZX5150QK-2"]
    audit = make.client.get(f"{URL}/{first['id']}/audit", headers=make.admin).json()["items"]
    assert audit[0]["detail"]["changed"]["id_card"] == {"encrypted": True}  # that it changed, not from/to
    assert audit[0]["detail"]["changed"]["city"] == {"from": "苏州", "to": "杭州"}
    _holds_none(_at_rest(db, backend), [*SECRETS, "ZX5150QK-2"])
    assert "苏州".encode() in _at_rest(db, backend)  # the check would see plaintext: plain fields are there


def test_a_create_retried_with_its_idempotency_key_replays_plaintext_that_is_stored_encrypted(
        make: Maker, db: Database, backend: str) -> None:
    make.app_def(vault())
    headers = {**make.admin, "Idempotency-Key": "create-contact-7"}
    body = {"data": {"name": "己", "mobile": "139 2468 1357", "id_card": "ZX5150QK"}}
    first = make.client.post(URL, json=body, headers=headers)
    again = make.client.post(URL, json=body, headers=headers)
    assert first.status_code == again.status_code == 201, first.text + again.text
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert again.json()["data"]["id_card"] == "ZX5150QK"
    _holds_none(_at_rest(db, backend))


def test_the_same_value_in_another_spelling_is_refused_by_the_unique_index(make: Maker,
                                                                          people: list[dict[str, Any]]) -> None:
    again = make.client.post(URL, json={"data": {"name": "丙", "mobile": "+86 139 2468 1357"}}, headers=make.admin)
    assert again.status_code == 409 and again.json()["error"]["code"] == "unique_violation", again.text
    assert again.json()["error"]["details"][0]["path"] == "mobile"
    bulk = make.client.post(f"{URL}/bulk", json={"items": [{"name": "丁", "mobile": "18600001111"},
                                                          {"name": "戊", "mobile": "186-0000-1111"}]},
                            headers=make.admin)
    assert bulk.status_code == 409 and bulk.json()["error"]["details"][0]["path"] == "items[1].mobile", bulk.text
    clash = make.client.patch(f"{URL}/{people[1]['id']}", json={"data": {"mobile": "13924681357"}}, headers=make.admin)
    assert clash.status_code == 409, clash.text
    assert make.client.get(f"{URL}/{people[1]['id']}", headers=make.admin).json()["data"]["mobile"] == "15011112222"


def test_equality_filters_find_encrypted_values_in_any_spelling(make: Maker, people: list[dict[str, Any]]) -> None:
    def found(**params: str) -> list[str]:
        r = make.client.get(URL, params={**params, "sort": "id"}, headers=make.admin)
        assert r.status_code == 200, r.text
        return [i["data"]["name"] for i in r.json()["items"]]

    assert found(filter='mobile = "139 2468 1357"') == ["甲"]
    assert found(filter='mobile != "13924681357"') == ["乙"]
    assert found(**{"filter[mobile]": "+86 150-1111-2222"}) == ["乙"]
    assert found(**{"filter[mobile][in]": "13924681357,15011112222"}) == ["甲", "乙"]
    assert found(**{"filter[id_card]": "qk-证件-77"}) == ["乙"]
    assert found(**{"filter[city][blank]": "true"}) == ["乙"]


@pytest.mark.parametrize("params", [
    {"filter": 'mobile > "1"'},
    {"filter": 'LEFT(id_card, 2) = "ZX"'},
    {"filter[id_card][contains]": "5150"},
    {"filter[mobile][starts_with]": "139"},
    {"sort": "mobile"},
    {"sort": "-id_card"},
], ids=["range", "function", "contains", "starts_with", "sort", "sort_desc"])
def test_order_and_text_uses_of_an_encrypted_field_are_refused(make: Maker, people: list[dict[str, Any]],
                                                               params: dict[str, str]) -> None:
    r = make.client.get(URL, params=params, headers=make.admin)
    assert r.status_code == 400 and r.json()["error"]["code"] == "encrypted_field", r.text
    assert r.json()["error"]["field"] in ("mobile", "id_card")


def test_a_report_on_an_encrypted_field_is_refused_with_its_path(make: Maker, people: list[dict[str, Any]]) -> None:
    widget = {"type": "bar", "form": "contact", "dimensions": [{"field": "mobile"}], "measures": [{"agg": "count"}]}
    r = make.client.post("/api/v1/apps/vault/query", json=widget, headers=make.admin)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["path"] == "widget.dimensions[0].field"


@pytest.mark.parametrize(("change", "path"), [
    ({"reports": [{"key": "r", "name": "报表", "widgets": [{"key": "w", "type": "table", "form": "contact",
       "dimensions": [{"field": "id_card"}], "measures": [{"agg": "count"}]}]}]}, "reports[0].widgets[0].dimensions[0].field"),
    ({"forms": [{**VAULT["forms"][0], "indexes": [["city", "-mobile"]]}]}, "forms[0].indexes[0][1]"),
    ({"forms": [{**VAULT["forms"][0], "title_field": "id_card"}]}, "forms[0].title_field"),
    ({"forms": [{**VAULT["forms"][0], "search_fields": ["mobile"]}]}, "forms[0].search_fields[0]"),
], ids=["widget", "sort_index", "title", "search"])
def test_a_definition_using_an_encrypted_field_by_order_is_refused_with_its_path(
        make: Maker, change: dict[str, Any], path: str) -> None:
    r = make.client.post("/api/v1/apps", json={**vault(), **change}, headers=make.admin)
    assert r.status_code == 422, r.text
    assert [d["path"] for d in r.json()["error"]["details"]] == [path]
    assert r.json()["error"]["details"][0]["code"] == "encrypted_field"


def test_publishing_encryption_over_stored_plaintext_encrypts_it_and_history(make: Maker, db: Database,
                                                                              backend: str) -> None:
    make.app_def(vault(mobile={"encrypted": False}, id_card={"encrypted": False}))
    made = make.client.post(URL, json={"data": {"name": "甲", "mobile": "13924681357", "id_card": "ZX5150QK"}},
                            headers=make.admin).json()
    make.client.patch(f"{URL}/{made['id']}", json={"data": {"city": "无锡"}}, headers=make.admin)
    assert b"ZX5150QK" in _at_rest(db, backend)
    r = make.client.put("/api/v1/apps/vault", json=vault(), headers=make.admin)
    assert r.status_code == 200, r.text
    with db.engine.connect() as conn:  # audit entries of the time before are the one copy left, by design
        conn.execute(text("DELETE FROM audit_log"))
        conn.commit()
    _holds_none(_at_rest(db, backend), ["13924681357", "ZX5150QK"])
    found = make.client.get(URL, params={"filter": 'mobile = "139-2468-1357"'}, headers=make.admin).json()["items"]
    assert [i["data"]["id_card"] for i in found] == ["ZX5150QK"]
    back = make.client.put("/api/v1/apps/vault", json=vault(id_card={"encrypted": False}), headers=make.admin)
    assert back.status_code == 200, back.text
    assert b"ZX5150QK" in _at_rest(db, backend)  # made plain again: stored as it reads


def test_rotation_re_encrypts_every_value_under_the_new_key(make: Maker, people: list[dict[str, Any]],
                                                           db: Database, tmp_path: Path, backend: str) -> None:
    ring_file = tmp_path / "keys"
    ring_file.write_text(f"# newest first\n{NEW_KEY}\n{OLD_KEY}\n", encoding="utf-8")
    keyring.install(keyring.load(None, ring_file))
    with db.read() as conn:
        apps = [definitions.current(conn, "vault")[0]]
    assert rotate(db.write, apps, size=1) == {"vault/contact": 2}
    assert rotate(db.write, apps, size=1) == {"vault/contact": 2}  # again: idempotent
    blob = _at_rest(db, backend)
    old_id, new_id = keyring.key_id(base64.b64decode(OLD_KEY)), keyring.key_id(base64.b64decode(NEW_KEY))
    assert f"v1:{new_id}:".encode() in blob and f"v1:{old_id}:".encode() not in blob
    keyring.install(keyring.load(NEW_KEY, None).__class__((base64.b64decode(NEW_KEY),), base64.b64decode(OLD_KEY)))
    got = make.client.get(f"{URL}/{people[0]['id']}", headers=make.admin).json()
    assert got["data"]["mobile"] == "13924681357"
    found = make.client.get(URL, params={"filter[mobile]": "15011112222"}, headers=make.admin).json()["items"]
    assert [i["id"] for i in found] == [people[1]["id"]]  # the blind index did not change with the key
    _holds_none(blob)


def test_without_the_key_reads_are_503_and_encrypted_apps_are_refused(make: Maker, people: list[dict[str, Any]],
                                                                      db: Database, tmp_path: Path) -> None:
    keyring.install(None)
    r = make.client.get(f"{URL}/{people[0]['id']}", headers=make.admin)
    assert r.status_code == 503 and r.json()["error"]["code"] == "encryption_key_missing", r.text
    other = vault()
    other["key"] = "vault2"
    r = make.client.post("/api/v1/apps", json=other, headers=make.admin)
    assert r.status_code == 422, r.text
    assert [d["path"] for d in r.json()["error"]["details"]] == ["forms[0].fields[1].encrypted",
                                                                  "forms[0].fields[2].encrypted"]
    keyring.install(keyring.load(NEW_KEY, None))  # a key, but not the one that sealed the values
    r = make.client.get(URL, headers=make.admin)
    assert r.status_code == 503 and "k" in r.json()["error"]["message"], r.text


def test_export_shows_plaintext_to_who_may_export(make: Maker, people: list[dict[str, Any]]) -> None:
    r = make.client.get(f"{URL}/export", params={"format": "csv"}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert "13924681357" in r.text and "qk-证件-77" in r.text
    r = make.client.get(f"{URL}/export", params={"format": "xlsx"}, headers=make.admin)
    assert r.status_code == 200, r.text
    cells = {str(c) for row in openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)
             for c in row}
    assert {"13924681357", "ZX5150QK", "qk-证件-77"} <= cells


def test_the_analytics_mirror_holds_no_encrypted_field(client: TestClient, make: Maker, app: Any,
                                                       people: list[dict[str, Any]]) -> None:
    r = client.post("/api/v1/mirror/sync?full=true", headers=make.admin)
    assert r.status_code == 200, r.text
    with app.state.mirror.read() as conn:
        columns = set(conn.scalars(text("SELECT column_name FROM information_schema.columns "
                                        "WHERE table_name = 'vault__contact'")).all())
    assert {"name", "city"} <= columns and not columns & {"mobile", "id_card"}
    app.state.mirror.close()
    files = [p for p in Path(app.state.settings.data_dir).iterdir() if p.name.startswith("analytics")]
    assert files
    _holds_none(b"".join(p.read_bytes() for p in files if p.is_file()))


def test_the_rotate_command_reports_its_count_and_needs_a_key(tmp_path: Path, capsys: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from runtime.cli import main

    url = f"sqlite:///{tmp_path}/cli.db"
    source = tmp_path / "vault.json"
    import json

    source.write_text(json.dumps(vault(), ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("TANGRAM_ENCRYPTION_KEY", OLD_KEY)
    monkeypatch.delenv("TANGRAM_ENCRYPTION_KEY_FILE", raising=False)
    keyring.install(keyring.load(OLD_KEY, None))
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["app", "import", str(source), "--db", url]) == 0
    ring_file = tmp_path / "keys"
    ring_file.write_text(f"{NEW_KEY}\n{OLD_KEY}\n", encoding="utf-8")
    monkeypatch.setenv("TANGRAM_ENCRYPTION_KEY_FILE", str(ring_file))
    capsys.readouterr()
    assert main(["crypto", "rotate-key", "--db", url, "--quiet"]) == 0
    assert "0 record(s) and 0 stored secret(s) now under key " + keyring.key_id(base64.b64decode(NEW_KEY)) in capsys.readouterr().out
    monkeypatch.delenv("TANGRAM_ENCRYPTION_KEY_FILE")
    monkeypatch.delenv("TANGRAM_ENCRYPTION_KEY")
    assert main(["crypto", "rotate-key", "--db", url]) == 1
    assert "no encryption key" in capsys.readouterr().err
    assert main(["serve", "--db", url, "--port", "1"]) == 1  # refuses before opening a port
    assert "need an encryption key" in capsys.readouterr().err
    keyring.install(None)


@pytest.fixture(autouse=True)
def _forget_keyring() -> Any:
    """The keyring is the process's: leave it as the environment would have it."""
    yield
    keyring.install(keyring.load(os.environ.get("TANGRAM_ENCRYPTION_KEY"), None))
