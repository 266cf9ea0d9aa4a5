"""A dashboard as a PDF over HTTP: every widget's figures formatted, in Chinese, with the filters that apply
to it and only the rows the reader may see; chart images posted by the page are checked and placed."""

from __future__ import annotations

import base64
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Maker, shop

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
URL = "/api/v1/apps/shop/reports/board/pdf"
BOARD = {
    "key": "board",
    "name": "销售看板",
    "filters": [{"field": "region", "widgets": ["by_region"]}],
    "widgets": [
        {
            "key": "by_region",
            "type": "bar",
            "form": "customer",
            "name": "各地区成交额",
            "dimensions": [{"field": "region"}],
            "measures": [{"agg": "sum", "field": "amount", "label": "成交额", "format": "money"}],
        },
        {
            "key": "by_level",
            "type": "pie",
            "form": "customer",
            "name": "客户等级",
            "dimensions": [{"field": "level"}],
            "measures": [{"agg": "count", "label": "客户数"}],
        },
    ],
}


def _png(width: int = 4, height: int = 3) -> str:
    """A real, small PNG as a data URL (white pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


@pytest.fixture
def board(make: Maker) -> Maker:
    make.app_def(shop(reports=[BOARD]))
    for name, region, level, amount in [
        ("甲公司", "华东", "A", "1234567.5"),
        ("乙公司", "华东", "B", "100"),
        ("丙公司", "华南", "A", "300.3"),
    ]:
        make.record("customer", {"name": name, "region": region, "level": level, "amount": amount})
    return make


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "board.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_pdf_holds_every_widgets_figures_formatted_in_chinese(
    client: TestClient, board: Maker, tmp_path: Path
) -> None:
    r = client.get(f"{URL}?region=华东", headers=board.admin)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    text = _text(r.content, tmp_path)
    assert "销售看板" in text and "筛选：地区 = 华东" in text
    assert "各地区成交额" in text and "¥1,234,667.50" in text
    assert "华南" not in text.split("客户等级")[0]  # the filter applies to by_region …
    assert "客户等级" in text and "客户数" in text  # … and not to by_level, which counts all three
    # the table's rows: a level and its count alone on a line (the pie's legend adds the share: A  2（66.7%）)
    assert [line.split() for line in text.splitlines() if re.fullmatch(r"\s*[AB]\s+\d+\s*", line)] == [
        ["A", "2"],
        ["B", "1"],
    ]


def _images(pdf: bytes, tmp_path: Path) -> list[str]:
    """The raster images in the PDF (pdfimages -list, after its two header lines)."""
    path = tmp_path / "images.pdf"
    path.write_bytes(pdf)
    listed = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split()[2] for line in listed.strip().splitlines()[2:]]


def test_without_posted_images_the_server_draws_every_chart_as_vectors(
    client: TestClient, board: Maker, tmp_path: Path
) -> None:
    r = client.get(URL, headers=board.admin)
    assert r.status_code == 200, r.text
    text = _text(r.content, tmp_path)
    assert "¥150万" in text  # the bar chart's money axis, abbreviated: only a chart has it
    assert "¥123.5万" in text  # the tallest bar's label
    assert re.search(r"A\s+2（66.7%）", text) and re.search(r"B\s+1（33.3%）", text)  # the pie's slices, shares
    assert _images(r.content, tmp_path) == []  # drawn as vectors, not pictures


def test_posted_chart_images_go_above_their_tables(client: TestClient, board: Maker, tmp_path: Path) -> None:
    r = client.post(URL, json={"images": {"by_region": _png()}}, headers=board.admin)
    assert r.status_code == 200, r.text
    assert _images(r.content, tmp_path) == ["image"]  # the posted bar chart; the pie is drawn by the server
    text = _text(r.content, tmp_path)
    assert re.search(r"A\s+2（66.7%）", text) and "¥123.5万" not in text  # the server drew only what was not posted


@pytest.mark.parametrize(
    ("images", "field"),
    [
        ({"by_region": "data:image/jpeg;base64,AAAA"}, "images.by_region"),
        ({"by_region": "data:image/png;base64,not base64!"}, "images.by_region"),
        ({"by_region": "data:image/png;base64," + base64.b64encode(b"GIF89a").decode()}, "images.by_region"),
        ({"nope": _png()}, "images.nope"),
    ],
    ids=["not_png", "not_base64", "png_prefix_gif_bytes", "unknown_widget"],
)
def test_a_bad_image_is_400_naming_it(client: TestClient, board: Maker, images: dict[str, Any], field: str) -> None:
    r = client.post(URL, json={"images": images}, headers=board.admin)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_a_reader_gets_only_the_rows_they_may_see(client: TestClient, make: Maker, tmp_path: Path) -> None:
    roles = [
        {
            "key": "east",
            "name": "华东销售",
            "permissions": {"customer": {"read": {"scope": "all", "when": 'region = "华东"'}}},
        }
    ]
    make.app_def(shop(reports=[BOARD], roles=roles))
    for name, region in [("甲公司", "华东"), ("丙公司", "华南")]:
        make.record("customer", {"name": name, "region": region, "level": "A", "amount": "10"})
    make.user("east1", admin=False)
    make.client.put("/api/v1/apps/shop/roles/east/members", json={"users": ["east1"]}, headers=make.admin)
    r = client.get(URL, headers=make.user("east1"))
    assert r.status_code == 200, r.text
    text = _text(r.content, tmp_path)
    assert "华东" in text and "华南" not in text
