"""http_request in the engine: the placeholders it evaluates on the record and hands to the runtime, the
one-pass filling of a JSON template (escaping by the encoder, a record's text never read for placeholders),
answer paths, and the save-time checks at their paths."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.app_check import parse_app, validate_app
from engine.flows import effects as fx
from engine.flows.events import Start
from engine.flows.http_template import fill, mapped, pick
from engine.flows.machine import advance
from engine.flows.run import FlowContext
from engine.flows.state import FlowInstanceState
from engine.org import Org

NOW = datetime(2026, 12, 5, 2, tzinfo=UTC)


def _app(step: dict[str, Any], trigger: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"format": "tangram/app@1", "key": "erp", "name": "订单", "version": "1.0.0",
            "forms": [{"key": "order", "name": "订单", "title_field": "title", "fields": [
                {"key": "title", "type": "text", "label": "标题"},
                {"key": "qty", "type": "number", "label": "数量"},
                {"key": "erp_no", "type": "text", "label": "ERP单号"},
                {"key": "total", "type": "formula", "label": "合计", "formula": "qty * 2"}]}],
            "flows": [{"key": "push", "name": "推送", "form": "order", "trigger": trigger or {"on": "create"},
                       "steps": [{"type": "action", "action": "http_request", "url": "https://erp.example/api",
                                  **step}]}]}


def test_it_evaluates_the_record_placeholders_and_leaves_the_runtime_ones_to_the_runtime() -> None:
    app = parse_app(_app({"body": {"t": "{{title}}", "n": "{{qty * 2}}", "k": "{{$secret.erp_key}}"}}))
    ctx = FlowContext({"title": "泵", "qty": 3}, Org(), app.form("order"))
    outcome = advance(app.flows[0], FlowInstanceState(), Start("admin"), NOW, ctx)
    [call] = [e for e in outcome.effects if isinstance(e, fx.CallHttp)]
    assert call.values == {"title": "泵", "qty * 2": 6}
    assert call.request["body"] == {"t": "{{title}}", "n": "{{qty * 2}}", "k": "{{$secret.erp_key}}"}
    assert outcome.state.timeline[1].kind == "http_request"


def test_a_lone_placeholder_is_the_value_itself_and_inside_text_it_is_written_in() -> None:
    values = {"qty": 5, "title": 'a "b"\n', "none": None}
    filled = fill({"q": "{{qty}}", "t": "订单 {{title}} 共 {{qty}} 件", "n": "{{none}}", "x": ["{{qty}}", 1]},
                  values.get)
    assert filled == {"q": 5, "t": '订单 a "b"\n 共 5 件', "n": None, "x": [5, 1]}
    assert json.loads(json.dumps(filled)) == filled


@given(st.one_of(st.text(max_size=40), st.text(max_size=10).map(lambda t: t + "{{$secret.k}}" + t)))
def test_any_record_text_survives_the_json_template_and_is_never_read_for_placeholders(text: str) -> None:
    secrets = {"$secret.k": "SECRET"}

    def look(name: str) -> str:
        return text if name == "title" else secrets.get(name, "")
    body = json.loads(json.dumps(fill({"a": "{{title}}", "b": "x{{title}}y"}, look)))
    assert body == {"a": text, "b": f"x{text}y"}
    assert "SECRET" not in json.dumps(body) or "SECRET" in text


def test_record_values_in_a_url_are_percent_encoded_and_secrets_are_not() -> None:
    url = fill("{{$secret.base}}/api?q={{title}}", {"title": "a&b c", "$secret.base": "https://x.cn"}.get, url=True)
    assert url == "https://x.cn/api?q=a%26b%20c"


def test_answer_paths_read_nested_bodies_lists_and_quoted_texts() -> None:
    answer = {"response": {"status": 200, "body": {"Result": {"Number": "XS1", "List": [{"c": 1}]}}}}
    assert pick(answer, "response.body.Result.Number") == "XS1"
    assert pick(answer, "response.body.Result.List[0].c") == 1
    assert pick(answer, "response.body.Result.List[3].c") is None
    assert pick(answer, "response.body.nothing.here") is None
    assert mapped(answer, {"a": "response.status", "b": '"已同步"'}) == {"a": 200, "b": "已同步"}


BAD = [
    ("a literal credential header", {"headers": {"Authorization": "Bearer x"}}, "headers.Authorization",
     "secret_in_definition"),
    ("a literal token in the query", {"query": {"access_token": "abc"}}, "query.access_token", "secret_in_definition"),
    ("a literal token in the URL", {"url": "https://erp.example/api?access_token=abc&x=1"}, "url",
     "secret_in_definition"),
    ("a password in the URL", {"url": "https://u:pw@erp.example/api"}, "url", "secret_in_definition"),
    ("a literal password in a login's query", {"auth": {"type": "login", "login": {
        "url": "https://erp.example/login", "query": {"password": "pw"}, "token": "response.body.t",
        "use": {"headers": {"X-T": "{{$token}}"}}}}}, "auth.login.query.password", "secret_in_definition"),
    ("an unknown runtime placeholder", {"body": {"a": "{{$password}}"}}, "body", "invalid_placeholder"),
    ("an unknown field placeholder", {"body": {"a": "{{ghost}}"}}, "body", "invalid_expression"),
    ("a computed field written back", {"set": {"total": "response.body.n"}}, "set.total", "not_writable"),
    ("not an answer path", {"set": {"erp_no": "body.Number"}}, "set.erp_no", "invalid_path"),
    ("a record value in a login", {"auth": {"type": "login", "login": {
        "url": "https://erp.example/login", "body": {"u": "{{title}}"}, "token": "response.body.t",
        "use": {"headers": {"X-T": "{{$token}}"}}}}}, "auth.login.body", "invalid_placeholder"),
    ("records into an unknown form", {"records": {"form": "nope", "list": "response.body", "key": "a",
                                                  "values": {"a": "item.a"}}}, "records.form", "unknown_form"),
    ("records without their key", {"records": {"form": "order", "list": "response.body", "key": "erp_no",
                                               "values": {"title": "item.t"}}}, "records.values", "required"),
]


@pytest.mark.parametrize(("case", "step", "path", "code"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_option_is_reported_at_its_path(case: str, step: dict[str, Any], path: str, code: str) -> None:
    issues = validate_app(_app(step))
    assert [(i.path, i.code) for i in issues] == [(f"flows[0].steps[0].{path}", code)]


def test_a_credential_named_from_the_store_is_accepted() -> None:
    assert validate_app(_app({"headers": {"Authorization": "Bearer {{$secret.erp_token}}"},
                              "query": {"access_token": "{{$secret.t}}"}})) == []


def test_a_pull_on_no_record_cannot_write_back_and_each_record_is_for_schedules_only() -> None:
    pull = {"on": "schedule", "cron": "0 * * * *", "each_record": False}
    issues = validate_app(_app({"set": {"erp_no": "response.body.n"}}, pull))
    assert [(i.path, i.code) for i in issues] == [("flows[0].steps[0].set", "not_applicable")]
    issues = validate_app(_app({}, {"on": "create", "each_record": False}))
    assert [(i.path, i.code) for i in issues] == [("flows[0].trigger.each_record", "not_applicable")]


def test_auth_needs_what_its_type_uses() -> None:
    issues = validate_app(_app({"auth": {"type": "basic", "secret": "pw"}}))
    assert [i.code for i in issues] == ["value_error"]
