"""The OpenAPI 3.1 document of one app's records API, for one caller (GET /api/v1/apps/{app}/openapi.json).

Per form the caller may see: create, bulk create, list, get, update, delete, import and export, each only
when the caller holds the right, with the form's schemas (engine/openapi/record_schema.py) under
`components.schemas` as `<form>.Record`, `<form>.Data`, `<form>.Create`, `<form>.Patch`. Paths are concrete
(`/api/v1/apps/crm/forms/customer/records`), so a generated client has one typed method per form.
"""

from __future__ import annotations

from typing import Any

from engine.app import AppDefinition
from engine.forms.fields.relation import MAX_ID
from engine.limits import Limits
from engine.openapi import record_schema as rs
from engine.openapi.error_shapes import ERROR, error_responses, errors
from engine.openapi.examples import data_example
from engine.openapi.sight import FormSight

OPENAPI = "3.1.0"
JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {JSON: media}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _header(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": False, "schema": {"type": "string"}, "description": description}


RECORD_ID = {"name": "record_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
ALLOW_DUPLICATES = _query("allow_duplicates", {"type": "boolean"}, "save even if the record likely duplicates others")
IDEMPOTENCY = _header("Idempotency-Key", "a retry with the same key returns the first answer and writes nothing")
IF_MATCH = _header("If-Match", "the version the change is based on (the ETag of a GET): 412 when stale")
FILTER = _query("filter", {"type": "string"}, 'an expression over the fields: amount > 500000 AND region = "华东"; '
                "also filter[field]=value and filter[field][op]=value (eq, ne, lt, lte, gt, gte, contains, in …)")


def _list_params(page_max: int) -> list[dict[str, Any]]:
    return [
        FILTER,
        _query("q", {"type": "string"}, "text searched in the title and search fields"),
        _query("sort", {"type": "string"}, "field keys, comma-separated; a leading - sorts descending: -amount,name"),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": page_max, "default": 50}, "records per page"),
        _query("cursor", {"type": "string"}, "next_cursor of the previous page (keyset pagination)"),
        _query("fields", {"type": "string"}, "only these field keys, comma-separated"),
        _query("count", {"type": "boolean"}, "also count every matching record (total)"),
    ]


def _form_paths(sight: FormSight, app_key: str, limits: Limits, page_max: int) -> dict[str, dict[str, Any]]:
    """The operations the caller holds on one form, by path."""
    form, ops, name = sight.form, sight.operations, sight.form.key
    base = f"/api/v1/apps/{app_key}/forms/{name}/records"
    tag = [form.name]
    create_example = {"data": data_example(rs.data_create(sight))}
    record = {"content": _json(_ref(f"{name}.Record"))}
    paths: dict[str, dict[str, Any]] = {base: {}, f"{base}/{{record_id}}": {}}
    if "read" in ops:
        page = {"type": "object", "required": ["items", "next_cursor"], "properties": {
            "items": {"type": "array", "items": _ref(f"{name}.Record")},
            "next_cursor": {"type": ["string", "null"]}, "total": {"type": "integer", "minimum": 0},
            "approvals": {"type": "object", "description": "record id → its newest approval: status, flow, instance_id"}}}
        paths[base]["get"] = {"operationId": f"{name}_list", "tags": tag, "summary": f"列出{form.name} / list",
                              "parameters": _list_params(page_max),
                              "responses": {"200": {"description": "one page", "content": _json(page)},
                                            **errors(400, 403, 404, 422)}}
        paths[f"{base}/{{record_id}}"]["get"] = {
            "operationId": f"{name}_get", "tags": tag, "summary": f"读取{form.name} / get", "parameters": [RECORD_ID],
            "responses": {"200": {"description": "the record; ETag: its version", **record}, **errors(404, 422)}}
    if "create" in ops:
        paths[base]["post"] = {
            "operationId": f"{name}_create", "tags": tag, "summary": f"新建{form.name} / create",
            "parameters": [ALLOW_DUPLICATES, IDEMPOTENCY],
            "requestBody": {"required": True, "content": _json(_body(f"{name}.Create"), create_example)},
            "responses": {"201": {"description": "created", **record}, **errors(403, 404, 409, 413, 422)}}
        bulk = {"type": "object", "required": ["items"], "additionalProperties": False, "properties": {
            "items": {"type": "array", "maxItems": limits.bulk_items, "items": _ref(f"{name}.Create")}}}
        created = {"type": "object", "required": ["items"],
                   "properties": {"items": {"type": "array", "items": _ref(f"{name}.Record")}}}
        paths[f"{base}/bulk"] = {"post": {
            "operationId": f"{name}_bulk_create", "tags": tag, "summary": f"批量新建{form.name} / bulk create (all or nothing)",
            "parameters": [IDEMPOTENCY],
            "requestBody": {"required": True, "content": _json(bulk, {"items": [create_example["data"]]})},
            "responses": {"201": {"description": "every item created", "content": _json(created)},
                          **errors(403, 404, 409, 413, 422)}}}
    if "update" in ops:
        paths[f"{base}/{{record_id}}"]["patch"] = {
            "operationId": f"{name}_update", "tags": tag, "summary": f"修改{form.name} / update some fields",
            "parameters": [RECORD_ID, IF_MATCH, ALLOW_DUPLICATES],
            "requestBody": {"required": True, "content": _json(_body(f"{name}.Patch"), create_example)},
            "responses": {"200": {"description": "the record as saved", **record},
                          **errors(400, 403, 404, 409, 412, 413, 422, 423)}}
    if "delete" in ops:
        paths[f"{base}/{{record_id}}"]["delete"] = {
            "operationId": f"{name}_delete", "tags": tag, "summary": f"删除{form.name} / delete (restorable)",
            "parameters": [RECORD_ID, IF_MATCH],
            "responses": {"200": {"description": "the record as deleted", **record}, **errors(400, 403, 404, 412, 422, 423)}}
    if "export" in ops:
        paths[f"{base}/export"] = {"get": _export(form.name, name)}
    if "import" in ops and "create" in ops:
        paths[f"{base}/import"] = {"post": _import(form.name, name)}
    return {path: item for path, item in paths.items() if item}


def _body(name: str) -> dict[str, Any]:
    return {"type": "object", "required": ["data"], "additionalProperties": False, "properties": {"data": _ref(name)}}


def _export(label: str, name: str) -> dict[str, Any]:
    file = {"schema": {"type": "string", "format": "binary"}}
    return {"operationId": f"{name}_export", "tags": [label], "summary": f"导出{label} / export",
            "parameters": [_query("format", {"type": "string", "enum": ["csv", "xlsx", "jsonl"], "default": "csv"}, ""),
                           _query("encoding", {"type": "string", "enum": ["utf-8", "gbk"], "default": "utf-8"},
                                  "gbk: CSV for older Excel"),
                           FILTER, _query("sort", {"type": "string"}, ""), _query("fields", {"type": "string"}, ""),
                           _query("ids", {"type": "string"}, "just these record ids, comma-separated")],
            "responses": {"200": {"description": "the records the list would show, with the fields the caller sees",
                                  "content": {"text/csv": file, "application/x-ndjson": file,
                                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": file}},
                          **errors(400, 403, 404, 422)}}


def _import(label: str, name: str) -> dict[str, Any]:
    result = {"type": "object", "required": ["dry_run", "rows", "created"], "properties": {
        "dry_run": {"type": "boolean"}, "rows": {"type": "integer"}, "created": {"type": "integer"},
        "ids": {"type": "array", "items": {"type": "integer"}}}}
    upload = {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}
    return {"operationId": f"{name}_import", "tags": [label],
            "summary": f"导入{label} / import a CSV or Excel sheet (all or nothing; header: the field labels)",
            "parameters": [_query("dry_run", {"type": "boolean"}, "check every row, write nothing")],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": upload}}},
            "responses": {"200": {"description": "dry run: every row fits", "content": _json(result)},
                          "201": {"description": "every row created", "content": _json(result)},
                          **errors(400, 403, 404, 409, 413, 422)}}


def app_document(app: AppDefinition, version: int, sights: list[FormSight], limits: Limits,
                 page_max: int) -> dict[str, Any]:
    """The document: the forms in `sights` (those the caller may see), in the app's order."""
    schemas: dict[str, Any] = {"Error": ERROR}
    paths: dict[str, Any] = {}
    for sight in sights:
        name = sight.form.key
        data = rs.data_read(sight, app)
        create = rs.data_create(sight)
        schemas[f"{name}.Data"] = {**data, "title": sight.form.name}
        schemas[f"{name}.Create"] = {**create, "title": f"{sight.form.name}（新建）",
                                     "examples": [data_example(create)]}
        schemas[f"{name}.Patch"] = {**rs.data_patch(sight), "title": f"{sight.form.name}（修改）"}
        schemas[f"{name}.Record"] = rs.record_read(f"#/components/schemas/{name}.Data")
        paths.update(_form_paths(sight, app.key, limits, page_max))
    return {
        "openapi": OPENAPI,
        "info": {"title": f"{app.name} API", "version": f"{app.version} (#{version})",
                 "description": f"应用“{app.name}”的记录接口，按当前用户的权限生成：看不到的表单与字段不出现。 "
                                "The records API of this app as the caller sees it: forms and fields they may not "
                                "see are absent. Errors: `{\"error\": {\"code\", \"message\", \"details\"}}`."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "tags": [{"name": s.form.name, "description": s.form.description or s.form.key} for s in sights],
        "paths": paths,
        "components": {"schemas": schemas, "responses": error_responses(),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "an API token (/api/v1/tokens) or a signed-in session"}}},
    }
