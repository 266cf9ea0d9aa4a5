"""An export of records with attachments imports back as the same records: the cell names each file
with its id (`合同.pdf [file:<id>]`) and the import completes it from the file store."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Maker, shop


def _app(make: Maker) -> list[dict[str, Any]]:
    definition = shop()
    definition["forms"][0]["fields"].append({"key": "files", "type": "attachment", "label": "附件"})
    make.app_def(definition)
    uploaded = []
    for name, kind in (("合同[v2]，终稿.pdf", "application/pdf"), ("现场照片.png", "image/png")):
        r = make.client.post("/api/v1/files", files={"file": (name, name.encode() * 3, kind)}, headers=make.admin)
        assert r.status_code == 201, r.text
        uploaded.append(r.json())
    make.record("customer", {"name": "甲", "files": uploaded})
    make.record("customer", {"name": "乙", "files": uploaded[1:], "region": "华南"})
    make.record("customer", {"name": "丙"})
    return uploaded


def _datas(make: Maker) -> list[dict[str, Any]]:
    r = make.client.get(make.url(), params={"sort": "name"}, headers=make.admin)
    assert r.status_code == 200, r.text
    return [i["data"] for i in r.json()["items"]]


def _delete_all(make: Maker) -> None:
    for item in make.client.get(make.url(), headers=make.admin).json()["items"]:
        assert make.client.delete(f"{make.url()}/{item['id']}", headers=make.admin).status_code in (200, 204)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_with_attachments_imports_back_as_the_same_records(make: Maker, fmt: str) -> None:
    _app(make)
    before = _datas(make)
    r = make.client.get(make.url() + "/export", params={"format": fmt}, headers=make.admin)
    assert r.status_code == 200, r.text
    _delete_all(make)
    r = make.client.post(make.url() + "/import", files={"file": (f"客户.{fmt}", r.content)}, headers=make.admin)
    assert r.status_code == 201, r.text
    after = _datas(make)
    assert [{k: v for k, v in d.items() if k != "files"} for d in after] == \
        [{k: v for k, v in d.items() if k != "files"} for d in before]
    assert [d.get("files") for d in after] == [d.get("files") for d in before]


def test_an_import_naming_a_file_the_store_does_not_hold_is_refused_by_row(make: Maker) -> None:
    _app(make)
    sheet = "客户名称,附件\n丁,报价.pdf [file:0000deadbeef]\n".encode()
    r = make.client.post(make.url() + "/import", files={"file": ("客户.csv", sheet, "text/csv")}, headers=make.admin)
    assert r.status_code == 422, r.text
    assert [d["path"] for d in r.json()["error"]["details"]] == ["rows[2].files"]
    assert "0000deadbeef" in r.json()["error"]["details"][0]["message"]
