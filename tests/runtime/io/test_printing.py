"""Printing records with a form's print template: the PDF's text (pdftotext) holds the values and the 大写金额,
a selection prints one record per page run, the reader's rights apply, the builder edits and previews
templates on the draft (422 naming the placeholder), and logos come only from the editor's own uploads."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.factories import Maker
from tests.permission_setup import DEALS, deal, setup_sales

CRM = json.loads((Path(__file__).resolve().parents[3] / "apps" / "crm_template.json").read_text("utf-8"))
QUOTES = "/api/v1/apps/crm/forms/quote"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "print.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def quotes(make: Maker) -> list[dict[str, Any]]:
    make.app_def(CRM)
    customer = make.record("customer", {"name": "苏州恒瑞精密机械有限公司"}, app="crm")
    lines = [{"item": "CRM 专业版", "qty": 2, "unit_price": 5000}, {"item": "实施服务", "qty": 1, "unit_price": 2600}]
    first = make.record(
        "quote",
        {"customer": customer["id"], "quoted_on": "2026-12-06", "lines": lines, "note": "<b>含税</b>"},
        app="crm",
    )
    second = make.record(
        "quote",
        {
            "customer": customer["id"],
            "quoted_on": "2026-12-07",
            "lines": [{"item": "培训", "qty": 3, "unit_price": 1000.5}],
        },
        app="crm",
    )
    return [first, second]


def test_a_quote_prints_to_a_pdf_with_its_values_and_the_amount_in_capitals(
    make: Maker, quotes: list[dict[str, Any]], tmp_path: Path
) -> None:
    r = make.client.get(f"{QUOTES}/print/quote_sheet", params={"ids": quotes[0]["id"]}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    text = pdf_text(r.content, tmp_path).replace(" ", "")  # pdftotext spaces CJK as it likes
    for expected in (
        "报价单",
        quotes[0]["data"]["code"],
        "苏州恒瑞精密机械有限公司",
        "2026年12月6日",
        "CRM专业版",
        "12,600.00",
        "壹万贰仟陆佰元整",
        "第1页/共1页",
    ):
        assert expected in text, expected


def test_a_selection_prints_one_pdf_with_a_page_run_per_record(
    make: Maker, quotes: list[dict[str, Any]], tmp_path: Path
) -> None:
    ids = f"{quotes[1]['id']},{quotes[0]['id']}"
    r = make.client.get(f"{QUOTES}/print/quote_sheet", params={"ids": ids}, headers=make.admin)
    assert r.status_code == 200, r.text
    pages = pdf_text(r.content, tmp_path).split("\f")
    assert "叁仟零壹元伍角" in pages[0] and "壹万贰仟陆佰元整" in pages[1]  # in the order asked, each on its own page


def test_the_print_view_html_escapes_values(make: Maker, quotes: list[dict[str, Any]]) -> None:
    r = make.client.get(
        f"{QUOTES}/print/quote_sheet", params={"ids": quotes[0]["id"], "format": "html"}, headers=make.admin
    )
    assert r.status_code == 200
    assert "&lt;b&gt;含税&lt;/b&gt;" in r.text and "<b>含税" not in r.text
    assert "@page" in r.text and "size: A4 portrait" in r.text


def test_printing_is_audited(make: Maker, quotes: list[dict[str, Any]]) -> None:
    make.client.get(
        f"{QUOTES}/print/quote_sheet", params={"ids": quotes[0]["id"], "format": "html"}, headers=make.admin
    )
    r = make.client.get("/api/v1/audit", params={"action": "record.print"}, headers=make.admin)
    assert r.status_code == 200, r.text
    [entry] = r.json()["items"]
    assert entry["record_id"] == quotes[0]["id"] and entry["detail"]["template"] == "quote_sheet"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"ids": "x"}, 400),
        ({"ids": ""}, 400),
        ({"ids": "999999"}, 404),  # no such record: as if it did not exist
    ],
    ids=["not-ids", "none", "missing"],
)
def test_a_bad_selection_is_a_4xx(
    make: Maker, quotes: list[dict[str, Any]], params: dict[str, str], status: int
) -> None:
    r = make.client.get(f"{QUOTES}/print/quote_sheet", params=params, headers=make.admin)
    assert r.status_code == status, r.text


def test_an_unknown_template_is_404_naming_the_templates(make: Maker, quotes: list[dict[str, Any]]) -> None:
    r = make.client.get(f"{QUOTES}/print/nope", params={"ids": quotes[0]["id"]}, headers=make.admin)
    assert r.status_code == 404
    assert "quote_sheet" in r.json()["error"]["message"]


def test_the_template_list_names_the_crm_templates(make: Maker, quotes: list[dict[str, Any]]) -> None:
    r = make.client.get(f"{QUOTES}/print-templates", headers=make.admin)
    assert [t["name"] for t in r.json()["items"]] == ["报价单"]
    r = make.client.get("/api/v1/apps/crm/forms/contract/print-templates", headers=make.admin)
    assert [t["name"] for t in r.json()["items"]] == ["合同"]


DEAL_TEMPLATE = {
    "name": "交易单",
    "body": "<p>[{{ name }}][{{ cost }}][{{ CNMONEY(cost) }}][{{ CNMONEY(amount) }}]</p>",
}


def test_a_hidden_field_prints_empty_for_whom_it_is_hidden(make: Maker) -> None:
    people = setup_sales(make)
    r = make.client.put(
        "/api/v1/apps/sales/forms/deal/print-templates/deal_sheet", json=DEAL_TEMPLATE, headers=make.admin
    )
    assert r.status_code == 200, r.text
    assert make.client.post("/api/v1/apps/sales/publish", headers=make.admin).status_code == 200
    mine = deal(make, people["rep1"], "华东大单", amount=12600)
    r = make.client.patch(f"{DEALS}/{mine['id']}", json={"data": {"cost": 9000}}, headers=make.admin)
    assert r.status_code == 200, r.text
    url = "/api/v1/apps/sales/forms/deal/print/deal_sheet"
    as_rep = make.client.get(url, params={"ids": mine["id"], "format": "html"}, headers=people["rep1"])
    assert as_rep.status_code == 200, as_rep.text
    assert "[华东大单][][][壹万贰仟陆佰元整]" in as_rep.text  # cost is hidden from a rep
    as_admin = make.client.get(url, params={"ids": mine["id"], "format": "html"}, headers=make.admin)
    assert "[华东大单][9,000.00][玖仟元整][壹万贰仟陆佰元整]" in as_admin.text
    # another rep may not read the record at all
    other = make.client.get(url, params={"ids": mine["id"], "format": "html"}, headers=people["rep3"])
    assert other.status_code == 404
    assert make.client.get(DEALS, headers=people["rep1"]).status_code == 200


def test_a_bad_placeholder_is_refused_naming_it_and_nothing_is_saved(make: Maker, quotes: list[dict[str, Any]]) -> None:
    body = {"name": "出库单", "body": "<h1>出库单</h1><p>{{ cutomer }}</p><script>x</script>"}
    r = make.client.put(f"{QUOTES}/print-templates/delivery", json=body, headers=make.admin)
    assert r.status_code == 422, r.text
    details = r.json()["error"]["details"]
    at = [f["key"] for f in CRM["forms"]].index("quote")
    assert {d["path"] for d in details} == {f"forms[{at}].print_templates[1].body"}
    assert any("{{ cutomer }}" in d["message"] for d in details)
    assert any("<script>" in d["message"] for d in details)
    draft = make.client.get("/api/v1/apps/crm/draft", headers=make.admin).json()
    quote = next(f for f in draft["forms"] if f["key"] == "quote")
    assert [t["key"] for t in quote["print_templates"]] == ["quote_sheet"]


def test_the_builder_saves_removes_and_previews_templates(make: Maker, quotes: list[dict[str, Any]]) -> None:
    body = {"name": "出库单", "paper": "A5", "body": "<h1>出库单 {{ code }}</h1><p>{{ CNMONEY(amount) }}</p>"}
    r = make.client.put(f"{QUOTES}/print-templates/delivery", json=body, headers=make.admin)
    assert r.status_code == 200, r.text
    assert r.json()["paper"] == "A5"
    preview = make.client.post(
        f"{QUOTES}/print-templates/preview",
        json={"template": {**body, "body": body["body"] + "<p>{{ note }}</p>"}, "record_id": quotes[0]["id"]},
        headers=make.admin,
    )
    assert preview.status_code == 200, preview.text
    assert f"出库单 {quotes[0]['data']['code']}" in preview.text and "壹万贰仟陆佰元整" in preview.text
    assert "size: A5 portrait" in preview.text
    bad = make.client.post(
        f"{QUOTES}/print-templates/preview",
        json={"template": {"name": "x", "body": "{{ amount +* 2 }}"}, "record_id": quotes[0]["id"]},
        headers=make.admin,
    )
    assert bad.status_code == 422
    assert [d["path"] for d in bad.json()["error"]["details"]] == ["template.body"]
    assert "{{ amount +* 2 }}" in bad.json()["error"]["details"][0]["message"]
    assert make.client.delete(f"{QUOTES}/print-templates/delivery", headers=make.admin).status_code == 204
    assert make.client.delete(f"{QUOTES}/print-templates/delivery", headers=make.admin).status_code == 404


def test_a_non_manager_cannot_edit_or_preview_templates(make: Maker) -> None:
    people = setup_sales(make)
    r = make.client.put(
        "/api/v1/apps/sales/forms/deal/print-templates/deal_sheet", json=DEAL_TEMPLATE, headers=people["mgr"]
    )
    assert r.status_code == 403
    mine = deal(make, people["rep1"], "华东大单")
    r = make.client.post(
        "/api/v1/apps/sales/forms/deal/print-templates/preview",
        json={"template": DEAL_TEMPLATE, "record_id": mine["id"]},
        headers=people["rep1"],
    )
    assert r.status_code == 403


def test_the_logo_is_embedded_and_must_be_an_uploaded_file(make: Maker, quotes: list[dict[str, Any]]) -> None:
    r = make.client.post("/api/v1/files", files={"file": ("logo.png", PNG, "image/png")}, headers=make.admin)
    assert r.status_code == 201, r.text
    logo = r.json()
    body = {"name": "报价单", "body": "{{@logo}}<p>{{ code }}</p>", "logo": {"id": logo["id"], "name": "logo.png"}}
    assert make.client.put(f"{QUOTES}/print-templates/quote_sheet", json=body, headers=make.admin).status_code == 200
    assert make.client.post("/api/v1/apps/crm/publish", headers=make.admin).status_code == 200
    r = make.client.get(
        f"{QUOTES}/print/quote_sheet", params={"ids": quotes[0]["id"], "format": "html"}, headers=make.admin
    )
    assert '<img class="logo" src="data:image/png;base64,' in r.text
    body["logo"] = {"id": "0" * 32}
    r = make.client.put(f"{QUOTES}/print-templates/quote_sheet", json=body, headers=make.admin)
    assert r.status_code == 404


def test_each_record_of_a_selection_numbers_its_own_pages(make: Maker, tmp_path: Path) -> None:
    make.app_def(CRM)
    customer = make.record("customer", {"name": "苏州恒瑞精密机械有限公司"}, app="crm")

    def quote(lines: int) -> int:
        rows = [{"item": f"物料{i:02d}", "qty": 1, "unit_price": 100} for i in range(lines)]
        return int(make.record("quote", {"customer": customer["id"], "quoted_on": "2026-12-06", "lines": rows},
                               app="crm")["id"])

    ids = [quote(1), quote(45), quote(2)]  # the middle one runs over two pages
    r = make.client.get(f"{QUOTES}/print/quote_sheet", params={"ids": ",".join(map(str, ids))}, headers=make.admin)
    assert r.status_code == 200, r.text
    pages = [p.replace(" ", "") for p in pdf_text(r.content, tmp_path).split("\f") if p.strip()]
    numbers = [next(f"{n}/{m}" for n in range(1, 4) for m in range(1, 4) if f"第{n}页/共{m}页" in p) for p in pages]
    assert numbers == ["1/1", "1/2", "2/2", "1/1"]
    assert "壹佰元整" in pages[0] and "肆仟伍佰元整" in pages[2] and "贰佰元整" in pages[3]
