"""`tangram report pdf`: a dashboard as a PDF from the command line, every chart drawn by the server, the
figures as the named user may see them; a bad user or filter exits 1 naming it and writes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from runtime.cli import main
from tests.factories import shop

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
BOARD = {
    "key": "board",
    "name": "销售看板",
    "filters": [{"field": "region"}],
    "widgets": [
        {
            "key": "by_region",
            "type": "bar",
            "form": "customer",
            "name": "各地区成交额",
            "dimensions": [{"field": "region"}],
            "measures": [{"agg": "sum", "field": "amount", "label": "成交额", "format": "money"}],
        }
    ],
}


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    (tmp_path / "shop.json").write_text(json.dumps(shop(reports=[BOARD]), ensure_ascii=False), encoding="utf-8")
    (tmp_path / "customers.csv").write_text("客户名称,地区,成交金额\n甲公司,华东,1234567.5\n丙公司,华南,300.3\n", encoding="utf-8")
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["app", "import", str(tmp_path / "shop.json"), "--db", url]) == 0
    assert main(["user", "create", "boss", "--password", "a long secret 123", "--admin", "--db", url]) == 0
    assert main(["records", "import", "shop", "customer", str(tmp_path / "customers.csv"), "--db", url]) == 0
    return url


def test_report_pdf_writes_the_dashboard_with_its_chart_drawn(url: str, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "board.pdf"
    assert main(["report", "pdf", "shop", "board", "--user", "boss", "--filter", "region=华东", "-o", str(out),
                 "--db", url]) == 0
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "销售看板" in text and "筛选：地区 = 华东" in text
    assert "¥1,234,567.50" in text and "华南" not in text  # the table, filtered
    assert "¥123.5万" in text and "¥150万" in text  # the bar's label and its axis: the chart, drawn


@pytest.mark.parametrize(
    ("extra", "named"),
    [(["--user", "ghost"], "ghost"), (["--user", "boss", "--filter", "level=A"], "level=A")],
    ids=["unknown_user", "not_a_filter"],
)
def test_report_pdf_refuses_a_bad_user_or_filter(
    url: str, tmp_path: Path, capsys: Any, extra: list[str], named: str
) -> None:
    out = tmp_path / "nothing.pdf"
    assert main(["report", "pdf", "shop", "board", *extra, "-o", str(out), "--db", url]) == 1
    assert named in capsys.readouterr().err and not out.exists()
