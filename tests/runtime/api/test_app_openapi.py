"""GET /api/v1/apps/{app}/openapi.json (issue 29): a valid OpenAPI 3.1 document per app whose schemas the
real answers of the records API conform to, for the CRM template and for an app with every field type;
only what the caller may see; a new document when the app is published again; the 接口文档 page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis.specs.openapi.definitions import OPENAPI_31

from engine.openapi.examples import example
from tests.every_field_type import every_type_app, full_customer
from tests.factories import Maker
from tests.permission_setup import DEALS, sales_app, setup_sales

CRM = json.loads((Path(__file__).resolve().parents[3] / "apps" / "crm_template.json").read_text("utf-8"))


def document(make: Maker, app: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    r = make.client.get(f"/api/v1/apps/{app}/openapi.json", headers=headers or make.admin)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def conforms(doc: dict[str, Any], schema: dict[str, Any], instance: Any) -> None:
    """`instance` is valid against `schema`, whose $refs point into `doc` (formats checked)."""
    registry: Registry[Any] = Registry().with_resource("urn:doc", Resource.from_contents(doc, DRAFT202012))
    rooted = json.loads(json.dumps(schema).replace('"#/components/', '"urn:doc#/components/'))
    jsonschema.Draft202012Validator(rooted, registry=registry,
                                    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(instance)


def answer_schema(doc: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    return doc["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


def check_valid_openapi(doc: dict[str, Any]) -> None:
    """The OpenAPI 3.1 meta-schema, every schema a valid JSON Schema 2020-12, every example valid."""
    jsonschema.Draft202012Validator(OPENAPI_31).validate(doc)
    for name, schema in doc["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
        for value in schema.get("examples", []):
            conforms(doc, {"$ref": f"#/components/schemas/{name}"}, value)
    for item in doc["paths"].values():
        for operation in item.values():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body and "example" in body:
                conforms(doc, body["schema"], body["example"])


def records(app: str, form: str) -> str:
    return f"/api/v1/apps/{app}/forms/{form}/records"


def exercise(make: Maker, doc: dict[str, Any], app: str, form: str, data: dict[str, Any]) -> dict[str, Any]:
    """Create, bulk create, get, list and update one form's records; every answer checked against `doc`."""
    base, c, admin = records(app, form), make.client, make.admin
    r = c.post(base, json={"data": data}, headers=admin)
    assert r.status_code == 201, r.text
    conforms(doc, answer_schema(doc, base, "post", 201), r.json())
    created = r.json()
    one = f"{base}/{{record_id}}"
    r = c.get(f"{base}/{created['id']}", headers=admin)
    conforms(doc, answer_schema(doc, one, "get", 200), r.json())
    r = c.post(f"{base}/bulk", json={"items": [data | uniquely(doc, form, 2), data | uniquely(doc, form, 3)]},
               headers=admin)
    assert r.status_code == 201, r.text
    conforms(doc, answer_schema(doc, f"{base}/bulk", "post", 201), r.json())
    r = c.get(base, params={"count": "true"}, headers=admin)
    assert r.status_code == 200, r.text
    conforms(doc, answer_schema(doc, base, "get", 200), r.json())
    assert r.json()["total"] == 3
    r = c.patch(f"{base}/{created['id']}", json={"data": {k: None for k in optional(doc, form)}}, headers=admin)
    assert r.status_code == 200, r.text
    conforms(doc, answer_schema(doc, one, "patch", 200), r.json())
    return created


def uniquely(doc: dict[str, Any], form: str, n: int) -> dict[str, Any]:
    """A different value for the unique text fields (the forms under test have only `name`)."""
    props = doc["components"]["schemas"][f"{form}.Create"]["properties"]
    return {"name": f"第 {n} 家"} if "name" in props else {}


def optional(doc: dict[str, Any], form: str) -> list[str]:
    schema = doc["components"]["schemas"][f"{form}.Create"]
    return [k for k in schema["properties"] if k not in schema["required"]][:3]


def every_type_setup(make: Maker) -> tuple[dict[str, Any], dict[str, Any]]:
    """The every-type app, the department and file its customer names; (document, a full customer)."""
    make.app_def(every_type_app())
    assert make.client.post("/api/v1/departments", json={"key": "sales", "name": "销售部"},
                            headers=make.admin).status_code == 201
    up = make.client.post("/api/v1/files", files={"file": ("合同.pdf", b"%PDF-1", "application/pdf")},
                          headers=make.admin)
    assert up.status_code == 201, up.text
    industry = make.record("industry", {"name": "汽车零配件"}, app="showcase")
    return document(make, "showcase"), full_customer(industry["id"], up.json())


def test_crm_document_is_valid_openapi_3_1_with_every_form_and_operation(make: Maker) -> None:
    make.app_def(CRM)
    doc = document(make, "crm")
    check_valid_openapi(doc)
    assert doc["openapi"] == "3.1.0" and doc["info"]["version"] == f"{CRM['version']} (#1)"
    for form in CRM["forms"]:
        base = records("crm", form["key"])
        assert set(doc["paths"][base]) == {"get", "post"}
        assert set(doc["paths"][f"{base}/{{record_id}}"]) == {"get", "patch", "delete"}
        assert {f"{base}/bulk", f"{base}/import", f"{base}/export"} <= doc["paths"].keys()
        assert set(doc["components"]["schemas"][f"{form['key']}.Data"]["properties"]) == {f["key"] for f in form["fields"]}
    quote = doc["components"]["schemas"]["quote.Create"]["properties"]
    assert quote["status"]["enum"][:2] == ["草稿", "审批中"]
    assert "code" not in quote  # an auto number is read-only: in Data, not in Create
    assert doc["components"]["schemas"]["quote.Data"]["properties"]["code"]["readOnly"] is True
    assert answer_schema(doc, records("crm", "quote"), "post", 201) == {"$ref": "#/components/schemas/quote.Record"}
    assert doc["paths"][records("crm", "quote")]["post"]["responses"]["422"] == {"$ref": "#/components/responses/Invalid"}


def test_crm_answers_conform_to_the_document(make: Maker) -> None:
    make.app_def(CRM)
    doc = document(make, "crm")
    customer = exercise(make, doc, "crm", "customer", {"name": "苏州恒瑞精密机械有限公司", "phone": "13800138000"})
    contact = make.record("contact", {"name": "王经理", "customer": customer["id"]}, app="crm")
    exercise(make, doc, "crm", "quote", {"customer": customer["id"], "contact": contact["id"], "discount": "5%",
                                         "lines": [{"item": "CRM 专业版", "qty": 2, "unit_price": "89800"},
                                                   {"item": "实施服务", "qty": 10, "unit_price": "2500"}]})
    r = make.client.get(f"{records('crm', 'customer')}/{customer['id']}", headers=make.admin)
    conforms(doc, {"$ref": "#/components/schemas/customer.Record"}, r.json())  # its rollups filled now


def test_every_field_type_answers_conform_to_the_document(make: Maker) -> None:
    doc, customer = every_type_setup(make)
    check_valid_openapi(doc)
    created = exercise(make, doc, "showcase", "customer", customer)
    assert created["data"]["sector"]["title"] == "汽车零配件"  # a relation reads back as {id, title}
    data = doc["components"]["schemas"]["customer.Data"]["properties"]
    assert data["sector"]["required"] == ["id", "title"] and data["peers"]["items"]["required"] == ["id", "title"]
    create = doc["components"]["schemas"]["customer.Create"]["properties"]
    assert create["sector"]["type"] == "integer" and create["level"]["enum"] == ["A", "B", "C"]
    assert create["visited_at"]["format"] == "date-time" and create["email"]["format"] == "email"
    row = create["lines"]["items"]
    assert row["required"] == ["item"] and row["properties"]["subtotal"]["readOnly"] is True
    assert {"code", "total", "sector_name"}.isdisjoint(create) and data["total"]["readOnly"] is True
    industry = make.client.get(f"{records('showcase', 'industry')}/{customer['sector']}", headers=make.admin)
    conforms(doc, {"$ref": "#/components/schemas/industry.Record"}, industry.json())
    assert industry.json()["data"]["customers"] == "3"


def test_a_restricted_caller_gets_only_the_forms_fields_and_operations_they_may_see(
        make: Maker) -> None:
    definition = sales_app()
    definition["forms"].append({"key": "secret", "name": "机密", "fields": [
        {"key": "title", "type": "text", "label": "标题"}]})
    definition["roles"][0]["permissions"]["deal"]["fields"]["amount"] = "masked"
    people = setup_sales(make, definition)
    rep = document(make, "sales", people["rep1"])
    check_valid_openapi(rep)
    deal = rep["components"]["schemas"]["deal.Data"]["properties"]
    assert "cost" not in deal and "cost" not in rep["components"]["schemas"]["deal.Create"]["properties"]
    assert "cost" not in json.dumps(rep)  # no trace of the hidden field anywhere in the document
    assert deal["note"]["readOnly"] is True and "note" not in rep["components"]["schemas"]["deal.Create"]["properties"]
    assert deal["amount"]["type"] == "string" and deal["amount"]["readOnly"] is True  # masked: its mask
    assert not any("/forms/secret/" in p for p in rep["paths"]) and "secret.Data" not in rep["components"]["schemas"]
    assert "delete" not in rep["paths"][f"{DEALS}/{{record_id}}"] and f"{DEALS}/export" not in rep["paths"]
    made = make.client.post(DEALS, json={"data": {"name": "甲", "amount": "100.00"}}, headers=make.admin).json()
    make.client.put(f"{DEALS}/{made['id']}/shares", json={"users": ["rep1"]}, headers=make.admin)
    r = make.client.post(DEALS, json={"data": {"name": "乙"}}, headers=people["rep1"])
    assert r.status_code == 201, r.text
    conforms(rep, answer_schema(rep, DEALS, "post", 201), r.json())
    listed = make.client.get(DEALS, headers=people["rep1"])
    conforms(rep, answer_schema(rep, DEALS, "get", 200), listed.json())
    auditor = document(make, "sales", people["aud"])
    assert list(auditor["components"]["schemas"]["deal.Data"]["properties"]) == ["name"]
    assert set(auditor["paths"][DEALS]) == {"get"}
    admin = document(make, "sales")
    assert "cost" in admin["components"]["schemas"]["deal.Data"]["properties"] and "secret.Data" in admin["components"]["schemas"]
    r = make.client.get("/api/v1/apps/sales/openapi.json", headers=people["nobody"])
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert make.client.get("/api/v1/apps/nosuch/openapi.json", headers=make.admin).status_code == 404
    assert make.client.get("/api/v1/apps/sales/openapi.json").status_code == 401


def test_publishing_the_app_again_gives_the_new_definition(make: Maker) -> None:
    make.app_def()
    before = document(make, "shop")
    assert "phone" not in before["components"]["schemas"]["customer.Data"]["properties"]
    changed = json.loads(json.dumps(make.client.get("/api/v1/apps/shop", headers=make.admin).json()["definition"]))
    changed["forms"][0]["fields"].append({"key": "phone", "type": "phone", "label": "电话"})
    r = make.client.put("/api/v1/apps/shop", json=changed, headers=make.admin)
    assert r.status_code == 200, r.text
    after = document(make, "shop")
    assert after["components"]["schemas"]["customer.Create"]["properties"]["phone"]["title"] == "电话"
    assert after["info"]["version"].endswith("(#2)") and before["info"]["version"].endswith("(#1)")


BAD_VALUES: list[tuple[str, str, Any]] = [
    # (what, field, value): each breaks the field's schema in the document
    ("text as an object", "name", {"a": 1}),
    ("number as text", "staff", "很多"),
    ("number below minimum", "staff", -1),
    ("money as letters", "revenue", "abc"),
    ("date not a date", "since", "2026-13-45"),
    ("datetime as a list", "visited_at", [1]),
    ("boolean as an object", "vip", {"x": True}),
    ("option not in enum", "level", "Z"),
    ("multi_select option not in enum", "tags", ["不存在"]),
    ("cascade value not in the tree", "trade", ["服务业", "火星"]),
    ("address as a list", "address", ["江苏"]),
    ("address with an unknown part", "address", {"planet": "地球"}),
    ("phone not a phone", "phone", "12"),
    ("email not an email", "email", "not-an-email"),
    ("url not http", "website", "ftp://example.com"),
    ("users as a number", "team", 5),
    ("relation as text", "sector", "一"),
    ("relation beyond 64 bits", "sector", 2**70),
    ("multiple relation as an object", "peers", {"id": 1}),
    ("attachment not a file", "files", [{"id": "x"}]),
    ("sub_table row missing its required column", "lines", [{"qty": 1}]),
    ("sub_table row with an unknown column", "lines", [{"item": "a", "nope": 1}]),
    ("sub_table as an object", "lines", {"item": "a"}),
    ("rating above its max", "stars", 9),
    ("computed auto_number written", "code", "KH-0001"),
    ("computed formula written", "total", "1"),
    ("lookup written", "sector_name", "x"),
    ("unknown field", "nosuch", 1),
]


DANGLING: list[tuple[str, str, Any]] = [
    # the right shape, naming nothing: the document cannot know what exists, the server refuses it
    ("user that does not exist", "manager", "nosuchuser"),
    ("department that does not exist", "dept", "nowhere"),
    ("relation to no record", "sector", 999999),
    # known values in no path: the paths are listed in `x-tangram-paths`, not as an enum of arrays
    ("cascade path not in the tree", "trade", ["服务业", "电子"]),
]


def test_bodies_that_break_the_schema_are_a_4xx_naming_the_field_and_write_nothing(make: Maker) -> None:
    doc, customer = every_type_setup(make)
    schema = doc["components"]["schemas"]["customer.Create"]
    base = records("showcase", "customer")
    for what, key, value in BAD_VALUES + DANGLING:
        bad = {**customer, key: value}
        if (what, key, value) in BAD_VALUES:
            with pytest.raises(jsonschema.ValidationError):  # a bad body by the document itself
                conforms(doc, schema, bad)
        for url, body in ((base, {"data": bad}), (f"{base}/bulk", {"items": [customer | {"name": "乙"}, bad]})):
            r = make.client.post(url, json=body, headers=make.admin)
            assert 400 <= r.status_code < 500, f"{what}: POST {url}: {r.status_code} {r.text}"
            conforms(doc, {"$ref": "#/components/schemas/Error"}, r.json())
            assert any(key in d.get("path", "") for d in r.json()["error"]["details"]), f"{what}: {r.text}"
    assert make.client.get(base, params={"count": "true"}, headers=make.admin).json()["total"] == 0  # nothing written


def test_the_documents_examples_and_a_missing_required_field(make: Maker) -> None:
    doc, _ = every_type_setup(make)
    schema = doc["components"]["schemas"]["customer.Create"]
    assert schema["required"] == ["name"]
    r = make.client.post(records("showcase", "customer"), json={"data": {"intro": "x"}}, headers=make.admin)
    assert r.status_code == 422 and [d["path"] for d in r.json()["error"]["details"]] == ["name"]
    conforms(doc, {"$ref": "#/components/schemas/Error"}, r.json())
    assert example({"type": "string", "format": "date"}) == "2026-12-06"


def test_the_api_docs_page_of_an_app_reads_its_document_offline(make: Maker) -> None:
    make.app_def()
    r = make.client.get("/apps/shop/api-docs")
    assert r.status_code == 200
    assert "/api/v1/apps/shop/openapi.json" in r.text and "/static/vendor/swagger-ui-bundle.js" in r.text
    assert "cdn" not in r.text.lower() and "nonce-" in r.headers["content-security-policy"]
    hostile = make.client.get("/apps/%3C%2Ftitle%3E%27/api-docs")
    assert "</title>'" not in hostile.text
    login = make.client.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
    assert login.status_code in (302, 303), login.text
    page = make.client.get("/apps/shop")
    assert 'href="/apps/shop/api-docs"' in page.text and "接口文档" in page.text
