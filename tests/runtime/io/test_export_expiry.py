"""Files that expire (runtime/io/retention.py): a finished export's file is deleted by the job worker once
export_retention_hours have passed — its row says `expired` and its download answers 410 — and an import's
uploaded spreadsheet once import_retention_hours have passed without the import moving. The worker runs with
an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from runtime.jobs import worker
from tests.factories import Maker

EXPORTS = "/api/v1/apps/shop/forms/customer/records/exports"
IMPORTS = "/api/v1/apps/shop/forms/customer/imports"


@pytest.fixture
def shop(make: Maker) -> Maker:
    make.app_def()
    r = make.client.post(
        f"{make.url()}/bulk", headers=make.admin, json={"items": [{"name": f"客户{i}", "region": "华东"} for i in range(5)]}
    )
    assert r.status_code == 201, r.text
    return make


def _export(make: Maker) -> dict[str, Any]:
    r = make.client.post(EXPORTS, params={"format": "csv", "fields": "name"}, headers=make.admin)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _worker_at(make: Maker, now: datetime) -> None:
    worker.run_due(make.app.state.db, make.app.state.settings, now)


def _stored(make: Maker) -> list[Path]:
    return [p for p in (Path(make.app.state.settings.data_dir) / "files").rglob("*") if p.is_file()]


def test_a_finished_export_downloads_until_its_retention_then_answers_410(shop: Maker) -> None:
    started = datetime.now(UTC)
    export = _export(shop)
    assert export["download"] == f"/api/v1/exports/{export['id']}/download"
    expires = datetime.fromisoformat(export["expires_at"].replace("Z", "+00:00"))
    assert timedelta(hours=23, minutes=59) < expires - started <= timedelta(hours=24, minutes=1)
    assert shop.client.get(export["download"], headers=shop.admin).content.decode("utf-8-sig").startswith("客户名称")
    kept = _stored(shop)
    assert len(kept) == 1

    _worker_at(shop, started + timedelta(hours=23))  # not yet
    assert shop.client.get(export["download"], headers=shop.admin).status_code == 200

    _worker_at(shop, started + timedelta(hours=24, minutes=5))
    status = shop.client.get(f"/api/v1/exports/{export['id']}", headers=shop.admin).json()
    assert (status["status"], status["download"], status["expires_at"]) == ("expired", None, None)
    r = shop.client.get(export["download"], headers=shop.admin)
    assert r.status_code == 410, r.text
    assert r.json()["error"]["code"] == "gone" and "已过期" in r.json()["error"]["message"]
    assert not kept[0].exists() and _stored(shop) == []
    # the listing says so too; a new export of the same list works as before
    assert shop.client.get("/api/v1/exports", headers=shop.admin).json()["items"][0]["status"] == "expired"
    again = _export(shop)
    assert shop.client.get(again["download"], headers=shop.admin).status_code == 200


def test_the_retention_is_a_setting(shop: Maker) -> None:
    shop.app.state.settings.export_retention_hours = 1
    started = datetime.now(UTC)
    export = _export(shop)
    _worker_at(shop, started + timedelta(minutes=30))
    assert shop.client.get(export["download"], headers=shop.admin).status_code == 200
    _worker_at(shop, started + timedelta(hours=1, minutes=1))
    assert shop.client.get(export["download"], headers=shop.admin).status_code == 410


def test_an_export_still_running_or_failed_is_not_touched(shop: Maker) -> None:
    shop.app.state.settings.export_background_rows = 1
    r = shop.client.post(EXPORTS, params={"format": "csv"}, headers=shop.admin)
    assert r.status_code == 202
    pending = r.json()
    # the download of an export without its file yet is a 409, not a 500
    assert shop.client.get(f"/api/v1/exports/{pending['id']}/download", headers=shop.admin).status_code == 409
    # a worker far in the future first expires (nothing: the export is not finished), then makes the file
    _worker_at(shop, datetime.now(UTC) + timedelta(days=3))
    status = shop.client.get(f"/api/v1/exports/{pending['id']}", headers=shop.admin).json()
    assert status["status"] == "done"


def test_an_import_upload_expires_after_its_retention_and_the_import_says_410(shop: Maker) -> None:
    started = datetime.now(UTC)
    r = shop.client.post(IMPORTS, headers=shop.admin,
                         files={"file": ("客户.csv", "客户名称,地区\n新客户,华东\n".encode(), "text/csv")})
    assert r.status_code == 201, r.text
    run = r.json()["id"]
    assert shop.client.get(f"{IMPORTS}/{run}/analysis", headers=shop.admin).status_code == 200
    _worker_at(shop, started + timedelta(days=6))
    assert shop.client.get(f"{IMPORTS}/{run}/analysis", headers=shop.admin).status_code == 200
    _worker_at(shop, started + timedelta(days=7, minutes=5))
    r = shop.client.get(f"{IMPORTS}/{run}/analysis", headers=shop.admin)
    assert r.status_code == 410, r.text
    assert "重新上传" in r.json()["error"]["message"]
    assert _stored(shop) == []


def test_retention_set_in_system_settings_overrides_the_environment_for_exports_and_uploads(shop: Maker) -> None:
    r = shop.client.patch("/api/v1/settings", headers=shop.admin,
                          json={"export_retention_hours": 2, "import_retention_hours": 1.5})
    assert r.status_code == 200, r.text
    assert r.json()["retention"] == {"export_retention_hours": {"value": 2.0, "source": "database"},
                                     "import_retention_hours": {"value": 1.5, "source": "database"}}
    started = datetime.now(UTC)
    export = _export(shop)
    expires = datetime.fromisoformat(export["expires_at"].replace("Z", "+00:00"))
    assert timedelta(hours=1, minutes=59) < expires - started <= timedelta(hours=2, minutes=1)
    upload = shop.client.post(IMPORTS, headers=shop.admin,
                              files={"file": ("客户.csv", "客户名称,地区\n新客户,华东\n".encode(), "text/csv")})
    run = upload.json()["id"]
    _worker_at(shop, started + timedelta(hours=1))
    assert shop.client.get(export["download"], headers=shop.admin).status_code == 200
    assert shop.client.get(f"{IMPORTS}/{run}/analysis", headers=shop.admin).status_code == 200
    _worker_at(shop, started + timedelta(hours=2, minutes=5))  # both past their database setting, far from 24 h / 7 d
    r = shop.client.get(export["download"], headers=shop.admin)
    assert r.status_code == 410 and "2 小时" in r.json()["error"]["message"]
    assert shop.client.get(f"{IMPORTS}/{run}/analysis", headers=shop.admin).status_code == 410


@pytest.mark.parametrize(
    "value",
    [0, -1, 8785, "abc", True, None],
    ids=["zero", "negative", "over-a-year", "text", "boolean", "null-resets-not-refused"],
)
def test_a_bad_retention_is_refused_naming_the_setting_and_nothing_is_written(shop: Maker, value: Any) -> None:
    r = shop.client.patch("/api/v1/settings", headers=shop.admin, json={"export_retention_hours": value})
    if value is None:  # null is "back to the environment's value", not an error
        assert r.status_code == 200, r.text
        return
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert "export_retention_hours" in error["message"] and "8784" in error["message"]
    kept = shop.client.get("/api/v1/settings", headers=shop.admin).json()["retention"]["export_retention_hours"]
    assert kept == {"value": 24.0, "source": "environment"}


def test_an_expired_import_says_so_and_every_step_answers_410_naming_the_upload(shop: Maker) -> None:
    started = datetime.now(UTC)
    r = shop.client.post(IMPORTS, headers=shop.admin,
                         files={"file": ("客户.csv", "客户名称,地区\n新客户,华东\n".encode(), "text/csv")})
    run = r.json()["id"]
    assert r.json()["expired"] is False
    assert shop.client.post(f"{IMPORTS}/{run}/dry-run", headers=shop.admin).status_code == 200
    _worker_at(shop, started + timedelta(days=7, minutes=5))
    shown = shop.client.get(f"{IMPORTS}/{run}", headers=shop.admin).json()
    assert (shown["status"], shown["expired"]) == ("checked", True)
    assert shop.client.get(IMPORTS, headers=shop.admin).json()["items"][0]["expired"] is True
    for method, step, body in [("GET", "analysis", None), ("PUT", "spec", {"mode": "create"}),
                               ("POST", "dry-run", None), ("POST", "run", None), ("GET", "errors", None)]:
        r = shop.client.request(method, f"{IMPORTS}/{run}/{step}", headers=shop.admin, json=body)
        assert r.status_code == 410, (step, r.text)
        assert r.json()["error"]["code"] == "gone" and "重新上传" in r.json()["error"]["message"], step
    # the run was not queued: the import stays where it was, nothing was imported
    assert shop.client.get(f"{IMPORTS}/{run}", headers=shop.admin).json()["status"] == "checked"
    assert len(shop.client.get(shop.url(), headers=shop.admin).json()["items"]) == 5
    # the wizard page lists it as 已过期
    shop.client.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
    page = shop.client.get("/apps/shop/forms/customer/import")
    assert page.status_code == 200 and "已过期" in page.text
