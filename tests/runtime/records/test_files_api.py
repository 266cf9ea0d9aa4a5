"""Uploads for attachment fields."""

from __future__ import annotations

from typing import Any


def test_upload_then_download_gives_the_same_bytes_and_name(make: Any) -> None:
    content = "报价单内容".encode() * 100
    r = make.client.post("/api/v1/files", files={"file": ("报价单.pdf", content, "application/pdf")},
                         headers=make.admin)
    assert r.status_code == 201, r.text
    meta = r.json()
    assert meta["name"] == "报价单.pdf" and meta["size"] == len(content) and meta["content_type"] == "application/pdf"
    got = make.client.get(f"/api/v1/files/{meta['id']}", headers=make.admin)
    assert got.status_code == 200 and got.content == content


def test_too_large_upload_is_refused_and_nothing_is_kept(make: Any, tmp_path: Any) -> None:
    make.app.state.settings.max_upload_mb = 1
    r = make.client.post("/api/v1/files", files={"file": ("big.bin", b"x" * ((1 << 20) + 1))}, headers=make.admin)
    assert r.status_code == 413 and r.json()["error"]["field"] == "file"
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []


def test_unknown_file_is_404(make: Any) -> None:
    assert make.client.get("/api/v1/files/nope", headers=make.admin).status_code == 404
