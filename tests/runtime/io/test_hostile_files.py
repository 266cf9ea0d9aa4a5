"""Hostile and malformed uploads through the HTTP API and the CLI, on every database: each is a 4xx naming
the limit or the problem, nothing is imported, the process's memory stays bounded, and the server still
answers afterwards.

Memory bound: posting every file below grows the test process's peak RSS (server and client share it) by
less than 300 MB. The old reader aborted the process on a 2 KB file (a 512 GB allocation for one cell at
XFD1048576) and peaked at 5 GB on one 400 MB string; a streaming reader holds chunks, rows and parser
state, so 300 MB is generous for the framework and the allocator and still far below any dense read."""

from __future__ import annotations

import random
import struct
from pathlib import Path
from typing import Any

import pytest

from runtime.cli import main
from tests import hostile_files as h
from tests.factories import shop

DATA = Path(__file__).parents[2] / "data"
MEMORY_MB = 300


@pytest.fixture
def shop_app(make: Any) -> Any:
    make.app_def(shop())
    return make


def lower_limits(make: Any) -> None:
    """Limits small enough that every hostile shape is quick to build and to refuse."""
    settings = make.app.state.settings
    settings.max_import_rows, settings.max_import_columns, settings.max_cell_chars = 50, 20, 100
    settings.max_unzipped_mb, settings.max_zip_member_mb, settings.max_zip_members = 8, 4, 50


def upload(make: Any, content: bytes, name: str, content_type: str = "application/octet-stream") -> Any:
    return make.client.post(f"{make.url()}/import", headers=make.admin,
                            files={"file": (name, content, content_type)})


def still_answers(make: Any) -> None:
    assert make.client.get("/api/v1/health").status_code == 200
    r = make.client.get(make.url(), headers=make.admin)
    assert r.status_code == 200 and r.json()["items"] == []


def test_a_cell_at_xfd1048576_is_422_naming_the_column_limit_and_the_server_lives(shop_app: Any) -> None:
    with h.PeakMemory() as peak:
        r = upload(shop_app, h.far_cell(), "far.xlsx")
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "file_over_limit" and error["limit"] == "max_import_columns" and error["max"] == 1000
    assert "1000 列" in error["message"]
    assert peak.growth_mb < MEMORY_MB
    still_answers(shop_app)


def test_a_300_mb_string_in_a_small_xlsx_is_422_naming_the_unzipped_limit(shop_app: Any) -> None:
    data = h.huge_inline_string(300)
    assert len(data) < 1 << 20
    with h.PeakMemory() as peak:
        r = upload(shop_app, data, "big.xlsx")
    assert r.status_code == 422 and r.json()["error"]["limit"] == "max_zip_member_mb", r.text
    assert "256 MB" in r.json()["error"]["message"]
    assert peak.growth_mb < MEMORY_MB
    still_answers(shop_app)


def test_rows_past_the_limit_are_422_and_nothing_is_imported(shop_app: Any) -> None:
    lower_limits(shop_app)
    r = upload(shop_app, h.many_rows(51), "rows.xlsx")
    assert r.status_code == 422 and r.json()["error"]["limit"] == "max_import_rows", r.text
    assert "50" in r.json()["error"]["message"]
    assert upload(shop_app, h.many_rows(50), "ok.xlsx").status_code == 201
    assert len(shop_app.client.get(shop_app.url(), params={"limit": 100}, headers=shop_app.admin).json()["items"]) == 50


def test_the_limits_answer_in_english_when_asked(shop_app: Any) -> None:
    lower_limits(shop_app)
    r = shop_app.client.post(f"{shop_app.url()}/import", headers={**shop_app.admin, "Accept-Language": "en"},
                             files={"file": ("wide.csv", ("客户名称" + ",x" * 30 + "\n").encode())})
    assert r.status_code == 422 and r.json()["error"]["message"] == "at most 20 columns; the header has more"


def _far_xls() -> bytes:
    data = bytearray((DATA / "calamine_base.xls").read_bytes())
    at = data.index(b"\x7e\x02\x0a\x00\x01\x00\x01\x00")  # the RK record of cell B2
    struct.pack_into("<HH", data, at + 4, 0xFFFF, 0xFFFF)
    return bytes(data)


def _hostile() -> list[tuple[str, str, bytes, int, str]]:
    """(case, file name, bytes, status, error code) under the lowered limits."""
    rnd = random.Random(21)
    valid = h.many_rows(10)
    return [
        ("far-column", "x.xlsx", h.xlsx([h.row(1, h.inline("A1", "客户名称")), h.row(2, h.number("XFD2", 1))]),
         422, "file_over_limit"),
        ("shared-string", "x.xlsx", h.huge_shared_string(40), 422, "file_over_limit"),
        ("one-member-bomb", "x.xlsx", h.one_member_bomb("xl/media/image1.png", 64), 422, "file_over_limit"),
        ("members-over-total", "x.xlsx", h.xlsx([h.row(1, h.inline("A1", "客户名称"))],
                                                extra={f"xl/media/{i}.bin": bytes(3 << 20) for i in range(4)}),
         422, "file_over_limit"),
        ("many-members", "x.xlsx", h.many_members(500), 422, "file_over_limit"),
        ("nested", "x.xlsx", h.nested_bomb(3, 20), 400, "bad_file"),
        ("lying-sizes", "x.xlsx", h.lying_sizes(h.one_member_bomb("xl/media/image1.png", 64), 1000), 400, "bad_file"),
        ("truncated", "x.xlsx", valid[: len(valid) // 2], 400, "bad_file"),
        ("random-zip", "x.xlsx", h.random_zip(7), 400, "bad_file"),
        ("random-xlsx", "x.xlsx", rnd.randbytes(4000), 400, "bad_file"),
        ("random-xls", "x.xls", b"\xd0\xcf\x11\xe0" + rnd.randbytes(4000), 400, "bad_file"),
        ("far-xls", "x.xls", _far_xls(), 422, "file_over_limit"),
        ("random-ods", "x.ods", rnd.randbytes(4000), 400, "bad_file"),
        ("ods-wide-repeat", "x.ods", h.ods([h.ods_row(h.ods_text("客户名称")), h.ods_row(h.ods_text("x", repeat=10**9))]),
         422, "file_over_limit"),
        ("ods-tall-repeat", "x.ods", h.ods([h.ods_row(h.ods_text("客户名称")), h.ods_row(h.ods_text("x"), repeat=10**9)]),
         422, "file_over_limit"),
        ("random-csv", "x.csv", rnd.randbytes(4000), 400, "bad_file"),
        ("csv-giant-field", "x.csv", b'\xe5\xae\xa2\xe6\x88\xb7\xe5\x90\x8d\xe7\xa7\xb0\n"' + b"y" * (5 << 20) + b'"\n',
         422, "file_over_limit"),
        ("csv-as-xlsx", "x.xlsx", "客户名称\n甲\n".encode(), 400, "bad_file"),
    ]


@pytest.mark.parametrize("content_type", ["application/octet-stream", "text/html", "image/png"])
def test_every_hostile_file_is_a_4xx_in_bounded_memory_and_the_server_still_answers(shop_app: Any,
                                                                                  content_type: str) -> None:
    lower_limits(shop_app)
    cases = _hostile()
    with h.PeakMemory() as peak:
        for case, name, data, status, code in cases:
            r = upload(shop_app, data, name, content_type)
            assert (r.status_code, r.json()["error"]["code"]) == (status, code), (case, r.text)
            assert r.json()["error"]["message"], case
    assert peak.growth_mb < MEMORY_MB
    still_answers(shop_app)


def test_an_upload_over_the_size_limit_is_413_naming_it(shop_app: Any) -> None:
    shop_app.app.state.settings.max_upload_mb = 1
    r = upload(shop_app, b"x" * ((1 << 20) + 1), "big.csv")
    assert r.status_code == 413 and r.json()["error"]["limit"] == "max_upload_mb", r.text
    still_answers(shop_app)


def test_an_attachment_of_any_declared_type_is_stored_and_served_only_as_a_download(make: Any) -> None:
    page = b"<html><script>alert(1)</script></html>"
    for declared, stored in [("text/html", "text/html"), ("text/html<script>", "application/octet-stream"),
                             ("x" * 300, "application/octet-stream"), ("", "application/octet-stream")]:
        r = make.client.post("/api/v1/files", files={"file": ("a.html", page, declared)}, headers=make.admin)
        assert r.status_code == 201 and r.json()["content_type"] == stored, r.text
        got = make.client.get(f"/api/v1/files/{r.json()['id']}", headers=make.admin)
        assert got.content == page
        assert got.headers["content-disposition"].startswith("attachment")
        assert got.headers["x-content-type-options"] == "nosniff"


def test_hostile_attachments_are_stored_as_bytes_never_opened(make: Any) -> None:
    for name, data in [("bomb.xlsx", h.one_member_bomb("x", 64)), ("far.xlsx", h.far_cell()), ("far.xls", _far_xls())]:
        r = make.client.post("/api/v1/files", files={"file": (name, data, "application/zip")}, headers=make.admin)
        assert r.status_code == 201 and r.json()["size"] == len(data)
    assert make.client.get("/api/v1/health").status_code == 200


def test_the_cli_refuses_a_hostile_file_naming_the_limit(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    definition = tmp_path / "shop.json"
    definition.write_text(__import__("json").dumps(shop(), ensure_ascii=False), encoding="utf-8")
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["app", "import", str(definition), "--db", url]) == 0
    monkeypatch.setenv("TANGRAM_MAX_IMPORT_ROWS", "5")
    source = tmp_path / "far.xlsx"
    source.write_bytes(h.far_cell())
    assert main(["records", "import", "shop", "customer", str(source), "--db", url]) == 1
    assert "5" in capsys.readouterr().err
