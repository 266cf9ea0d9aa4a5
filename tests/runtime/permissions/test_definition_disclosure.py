"""Definitions reveal nothing to those who may not see it: a user without `manage` gets the app without
hidden fields, without formulas, conditions or widgets naming one, without flow bodies, and without any
credential (robot URL tokens, userinfo, signing secrets); a refused widget's error names nothing hidden;
the mirror's state is for administrators."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.secrets import redact, redact_url
from tests.factories import Maker

HIDDEN = "yearly_turnover"  # the field a rep may not see; it must not appear anywhere they can read
HIDDEN_TEXT = "tax_code"  # hidden too: a text field, which duplicate rules may compare
APP: dict[str, Any] = {
    "format": "tangram/app@1", "key": "crm", "name": "客户管理", "version": "1.0.0",
    "forms": [
        {"key": "client", "name": "客户", "title_field": "name", "search_fields": ["name"],
         "indexes": [["level", f"-{HIDDEN}"], ["level"]], "fields": [
             {"key": "name", "type": "text", "label": "名称", "required": True},
             {"key": "level", "type": "select", "label": "等级", "options": ["A", "B"]},
             {"key": HIDDEN, "type": "money", "label": "年营业额"},
             {"key": HIDDEN_TEXT, "type": "text", "label": "税号"},
             {"key": "doubled", "type": "formula", "label": "双倍", "formula": f"{HIDDEN} * 2"},
             {"key": "tripled", "type": "formula", "label": "三倍", "formula": "doubled * 1.5"},
             {"key": "memo", "type": "text", "label": "备注", "visible_when": f"{HIDDEN} > 100",
              "rules": [{"expr": f"{HIDDEN} >= 0 OR memo = \"\"", "message": "x"},
                        {"expr": "LEN(memo) < 50", "message": "备注太长"}]},
         ],
         "duplicate_rules": [{"key": "same_name", "name": "同名", "fields": [{"field": "name", "match": "exact"}]},
                             {"key": "same_size", "name": "同规模", "fields": [{"field": "name", "match": "fuzzy"},
                                                                             {"field": HIDDEN_TEXT, "match": "exact"}]}],
         "print_templates": [{"key": "card", "name": "客户卡片", "body": f"<p>{{{{ name }}}}：{{{{ {HIDDEN} }}}}</p>"}]},
        {"key": "contact", "name": "联系人", "title_field": "person", "fields": [
            {"key": "person", "type": "text", "label": "姓名", "required": True},
            {"key": "client", "type": "relation", "label": "客户", "target": "client"},
            {"key": "client_level", "type": "lookup", "label": "客户等级", "relation": "client", "field": "level",
             "result": "text"},
            {"key": "client_money", "type": "lookup", "label": "客户营业额", "relation": "client", "field": HIDDEN,
             "result": "number"},
            {"key": "big", "type": "formula", "label": "大客户", "formula": f"client.{HIDDEN} > 1000", "result": "bool"},
        ]},
    ],
    "flows": [
        {"key": "big_deal", "name": "大单通知", "form": "client", "trigger": {"on": "create", "when": f"{HIDDEN} > 10"},
         "steps": [
             {"type": "notify", "channel": "dingtalk", "message": "新客户 {name}",
              "webhook": "https://oapi.dingtalk.com/robot/send?access_token=dt-cred-0001"},
             {"type": "notify", "channel": "wecom", "message": "新客户 {name}",
              "webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wc-cred-0002&debug=1"},
             {"type": "action", "action": "webhook", "url": "https://bot:pw-cred-0003@hooks.example.com/in",
              "body": {"n": "name"}}]},
    ],
    "reports": [
        {"key": "board", "name": "看板", "filters": [{"field": "level"}, {"field": HIDDEN}], "widgets": [
            {"key": "by_level", "type": "bar", "form": "client", "dimensions": [{"field": "level"}],
             "measures": [{"agg": "count"}]},
            {"key": "money", "type": "kpi", "form": "client", "measures": [{"agg": "sum", "field": HIDDEN}]},
            {"key": "filtered", "type": "kpi", "form": "client", "filter": f"{HIDDEN} > 5",
             "measures": [{"agg": "count"}]},
        ]},
    ],
    "roles": [{"key": "rep", "name": "销售", "permissions": {
        "client": {"read": "all", "create": True, "fields": {HIDDEN: "hidden", HIDDEN_TEXT: "hidden"}},
        "contact": {"read": "all"}}}],
}
SECRETS = ("dt-cred-0001", "wc-cred-0002", "pw-cred-0003")


@pytest.fixture
def rep(make: Maker) -> dict[str, str]:
    make.app_def(json.loads(json.dumps(APP)))
    headers = make.user("rep", admin=False)
    assert make.client.put("/api/v1/apps/crm/roles/rep/members", json={"users": ["rep"]},
                           headers=make.admin).status_code == 200
    make.record("client", {"name": "甲", "level": "A", HIDDEN: 500}, app="crm")
    return headers


def test_a_readers_definition_names_no_hidden_field_anywhere(make: Maker, rep: dict[str, str]) -> None:
    r = make.client.get("/api/v1/apps/crm", headers=rep)
    assert r.status_code == 200
    assert HIDDEN not in r.text and HIDDEN_TEXT not in r.text
    definition = r.json()["definition"]
    client, contact = definition["forms"]
    assert [f["key"] for f in client["fields"]] == ["name", "level", "memo"]  # the formulas over it are gone
    assert [f["key"] for f in contact["fields"]] == ["person", "client", "client_level"]
    memo = client["fields"][2]
    assert "visible_when" not in memo and [x["message"] for x in memo["rules"]] == ["备注太长"]
    assert client["search_fields"] == ["name"] and client["indexes"] == [["level"]]
    assert [r["key"] for r in client["duplicate_rules"]] == ["same_name"]
    assert client["print_templates"] == [{"key": "card", "name": "客户卡片"}]
    board = definition["reports"][0]
    assert board["widgets"][0]["dimensions"] == [{"field": "level"}]
    assert board["widgets"][1:] == [{"key": "money", "type": "kpi", "unavailable": True},
                                    {"key": "filtered", "type": "kpi", "unavailable": True}]
    assert board["filters"] == [{"field": "level"}]
    assert definition["flows"] == [{"key": "big_deal", "name": "大单通知", "form": "client", "trigger": {"on": "create"}}]
    assert "roles" not in definition
    flows = make.client.get("/api/v1/apps/crm/flows", headers=rep)
    assert flows.json()["items"][0]["trigger"] == {"on": "create"} and HIDDEN not in flows.text
    assert HIDDEN in make.client.get("/api/v1/apps/crm/flows", headers=make.admin).text  # managers see the condition
    for version in make.client.get("/api/v1/apps/crm/versions", headers=rep).json()["items"]:
        assert HIDDEN not in make.client.get(f"/api/v1/apps/crm/versions/{version['version']}", headers=rep).text


def test_robot_url_credentials_are_shown_to_managers_only(make: Maker, rep: dict[str, str]) -> None:
    seen = make.client.get("/api/v1/apps/crm", headers=rep).text
    assert not any(s in seen for s in SECRETS)
    full = make.client.get("/api/v1/apps/crm", headers=make.admin).text
    assert all(s in full for s in SECRETS) and HIDDEN in full


def test_a_refused_widget_names_nothing_hidden(make: Maker, rep: dict[str, str]) -> None:
    r = make.client.get("/api/v1/apps/crm/reports/board", headers=rep)
    assert r.status_code == 200
    widgets = {w["key"]: w for w in r.json()["widgets"]}
    assert widgets["by_level"]["rows"] == [["A", 1]]
    assert widgets["money"]["error"]["code"] == "bad_query" and widgets["filtered"]["error"]
    assert HIDDEN not in r.text and "年营业额" not in r.text
    for widget in ("money", "filtered"):
        r = make.client.get(f"/api/v1/apps/crm/reports/board/widgets/{widget}/export", headers=rep)
        assert r.status_code == 400 and widget in r.text, r.text
        assert HIDDEN not in r.text and "年营业额" not in r.text


def test_the_mirror_state_is_for_administrators_only(make: Maker, rep: dict[str, str]) -> None:
    r = make.client.get("/api/v1/mirror", headers=rep)
    assert r.status_code == 403 and "crm__client" not in r.text
    assert make.client.get("/api/v1/mirror", headers=make.admin).status_code == 200


@pytest.mark.parametrize(("url", "shown"), [
    ("https://oapi.dingtalk.com/robot/send?access_token=abc", "https://oapi.dingtalk.com/robot/send?access_token=***"),
    ("https://x.example/hook?Sign=1&timestamp=2", "https://x.example/hook?Sign=***&timestamp=2"),
    ("https://u:p@x.example/a?b=c", "https://x.example/a?b=c"),
    ("http://x.example/a?api-key=1&client_secret=2", "http://x.example/a?api-key=***&client_secret=***"),
    ("not a url ?token=1", "not a url ?token=1"),  # plain text is left as written
], ids=["dingtalk", "sign", "userinfo", "dashed-and-suffixed", "text"])
def test_credential_bearing_urls_are_redacted(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_secret_options_and_authorization_headers_are_left_out_but_keys_are_kept() -> None:
    step = {"key": "call", "url": "https://h.example/x?key=k1", "headers": {"Authorization": "Bearer z", "X-Trace": "1"},
            "password": "p", "app_secret": "s", "api_token": "t"}
    assert redact(step) == {"key": "call", "url": "https://h.example/x?key=***", "headers": {"X-Trace": "1"}}
