"""Inbound hooks end to end over HTTP, on SQLite and PostgreSQL: HMAC and bearer secrets, refusals, replayed
delivery ids, create / upsert / flow modes, 422 at the payload's path with nothing written, the deliveries
log, and who may see hooks."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from runtime.apps import definitions
from runtime.crypto import keyring
from runtime.db.tables import audit_log, hook_deliveries, hook_secrets, record_history, records
from runtime.hooks import deliveries
from runtime.records import staging
from runtime.records.context import SYSTEM, Change
from tests.factories import Maker, shop

CUSTOMERS = {"key": "erp_customers", "name": "ERP 客户", "form": "customer", "auth": "hmac",
             "mapping": {"name": "payload.customer.name", "region": "payload.customer.region",
                         "amount": "payload.customer.total", "note": '"ERP 编号 " & payload.customer.id'},
             "mode": "upsert", "upsert_key": ["name"]}
LEADS = {"key": "web_leads", "name": "官网线索", "form": "customer", "auth": "bearer",
         "mapping": {"name": "payload.company", "note": "payload.message"}}
SUBMIT_FLOW = {"key": "review", "name": "客户审核", "form": "customer", "trigger": {"on": "submit"},
               "steps": [{"type": "action", "action": "update_record", "set": {"level": '"A"'}}]}


def _app(make: Maker, *hooks: dict[str, Any]) -> dict[str, str]:
    """The shop app with these hooks; their secrets, as the save answered them once."""
    make.app_def(shop(flows=[SUBMIT_FLOW]))
    found = {}
    for hook in hooks:
        r = make.client.put(f"/api/v1/apps/shop/hooks/{hook['key']}", json=hook, headers=make.admin)
        assert r.status_code == 200, r.text
        found[hook["key"]] = r.json()["secret"]
    return found


def _signed(make: Maker, secret: str, payload: Any, delivery: str | None = None, hook: str = "erp_customers") -> Any:
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json",
               "X-Tangram-Signature": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}
    if delivery:
        headers["X-Tangram-Delivery"] = delivery
    return make.client.post(f"/api/v1/hooks/shop/{hook}", content=body, headers=headers)


def _customers(make: Maker) -> list[dict[str, Any]]:
    r = make.client.get("/api/v1/apps/shop/forms/customer/records", headers=make.admin)
    return [i["data"] for i in r.json()["items"]]


def _deliveries(make: Maker, **query: Any) -> list[dict[str, Any]]:
    r = make.client.get("/api/v1/apps/shop/hook-deliveries", params=query, headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


ORDER = {"customer": {"id": "C-10086", "name": "苏州恒瑞精密", "region": "华东", "total": 1200.5}}


def test_hmac_upsert_creates_then_updates_the_same_record_as_the_hook(make: Maker) -> None:
    secret = _app(make, CUSTOMERS)["erp_customers"]
    first = _signed(make, secret, ORDER, "d-1")
    assert first.status_code == 201, first.text
    assert first.json()["outcome"] == "created"
    changed = {"customer": {**ORDER["customer"], "total": 3000}}
    second = _signed(make, secret, changed, "d-2")
    assert second.status_code == 200 and second.json()["outcome"] == "updated"
    assert second.json()["record_id"] == first.json()["record_id"]
    assert [(c["name"], c["amount"], c["note"]) for c in _customers(make)] == [("苏州恒瑞精密", "3000.00", "ERP 编号 C-10086")]
    with make.app.state.db.read() as conn:
        by = set(conn.scalars(select(record_history.c.by)))
        actors = set(conn.scalars(select(audit_log.c.actor).where(audit_log.c.action.like("record.%"))))
    assert by == {"hook:erp_customers"} and actors == {"hook:erp_customers"}


def test_a_replayed_delivery_id_answers_the_first_answer_and_writes_nothing(make: Maker) -> None:
    secret = _app(make, CUSTOMERS)["erp_customers"]
    first = _signed(make, secret, ORDER, "same")
    again = _signed(make, secret, {"customer": {**ORDER["customer"], "total": 9}}, "same")
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json() and again.headers["X-Tangram-Replayed"] == "true"
    assert [c["amount"] for c in _customers(make)] == ["1200.50"]
    assert len(_deliveries(make)) == 1


def test_wrong_or_missing_signature_is_401_and_logs_only_the_refusal(make: Maker) -> None:
    secret = _app(make, CUSTOMERS)["erp_customers"]
    assert _signed(make, "not-the-secret", ORDER, "x-1").status_code == 401
    body = json.dumps(ORDER).encode()
    assert make.client.post("/api/v1/hooks/shop/erp_customers", content=body).status_code == 401
    assert _customers(make) == []
    refused = _deliveries(make)
    assert [(d["status"], d["outcome"], d["payload"], d["delivery_id"]) for d in refused] == [
        (401, "refused", None, None)] * 2
    assert _signed(make, secret, ORDER, "x-1").status_code == 201  # the refused id was never taken


def test_bearer_hook_creates_a_lead_and_a_wrong_token_is_refused(make: Maker) -> None:
    secret = _app(make, LEADS)["web_leads"]
    url = "/api/v1/hooks/shop/web_leads"
    lead = {"company": "杭州云栖科技", "message": "想了解报价"}
    assert make.client.post(url, json=lead, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert make.client.post(url, json=lead).status_code == 401
    r = make.client.post(url, json=lead, headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 201, r.text
    assert [(c["name"], c["note"]) for c in _customers(make)] == [("杭州云栖科技", "想了解报价")]


def test_a_bad_payload_is_422_at_its_json_path_and_writes_nothing(make: Maker) -> None:
    secret = _app(make, CUSTOMERS)["erp_customers"]
    bad = {"customer": {**ORDER["customer"], "total": "一千"}}
    r = _signed(make, secret, bad, "bad-1")
    assert r.status_code == 422
    details = r.json()["error"]["details"]
    assert [d["path"] for d in details] == ["payload.customer.total"]
    assert "amount" in details[0]["message"]
    missing = _signed(make, secret, {"customer": {"region": "华东"}})
    assert missing.status_code == 422
    assert [d["path"] for d in missing.json()["error"]["details"]] == ["payload.customer.name"]
    not_json = make.client.post("/api/v1/hooks/shop/erp_customers", content=b"{oops", headers={
        "X-Tangram-Signature": "sha256=" + hmac.new(secret.encode(), b"{oops", hashlib.sha256).hexdigest()})
    assert not_json.status_code == 422 and not_json.json()["error"]["details"][0]["path"] == "payload"
    with make.app.state.db.read() as conn:
        assert conn.scalar(select(func.count()).select_from(record_history)) == 0
    logged = _deliveries(make, status="error")
    assert [(d["status"], d["outcome"]) for d in logged] == [(422, "invalid")] * 3
    assert logged[-1]["delivery_id"] == "bad-1" and logged[-1]["error"]["details"][0]["path"] == "payload.customer.total"
    assert _signed(make, secret, ORDER, "bad-1").status_code == 201  # fixed and sent again under the same id


def test_a_failing_upsert_update_leaves_the_record_as_it_was(make: Maker) -> None:
    secret = _app(make, CUSTOMERS)["erp_customers"]
    assert _signed(make, secret, ORDER).status_code == 201
    r = _signed(make, secret, {"customer": {**ORDER["customer"], "region": "火星", "total": 5}})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "payload.customer.region"
    assert [(c["region"], c["amount"]) for c in _customers(make)] == [("华东", "1200.50")]


def test_flow_mode_creates_the_record_and_starts_the_flow(make: Maker) -> None:
    hook = {**LEADS, "key": "reviewed_leads", "mode": "flow", "flow": "review"}
    secret = _app(make, hook)["reviewed_leads"]
    r = make.client.post("/api/v1/hooks/shop/reviewed_leads", json={"company": "无锡新材"},
                         headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 201, r.text
    assert r.json()["outcome"] == "flow" and r.json()["flow_instance_id"]
    assert [(c["name"], c["level"]) for c in _customers(make)] == [("无锡新材", "A")]


def test_the_secret_is_write_only_and_rotating_it_refuses_the_old_one(make: Maker) -> None:
    old = _app(make, LEADS)["web_leads"]
    listed = make.client.get("/api/v1/apps/shop/hooks", headers=make.admin).json()["items"]
    assert [h["key"] for h in listed] == ["web_leads"] and "secret" not in listed[0]
    assert old not in json.dumps(listed) and listed[0]["url"].endswith("/api/v1/hooks/shop/web_leads")
    again = make.client.put("/api/v1/apps/shop/hooks/web_leads", json={**LEADS, "name": "网站线索"}, headers=make.admin)
    assert again.status_code == 200 and "secret" not in again.json()
    definition = make.client.get("/api/v1/apps/shop", headers=make.admin).text
    assert old not in definition
    new = make.client.post("/api/v1/apps/shop/hooks/web_leads/secret", headers=make.admin).json()["secret"]
    url = "/api/v1/hooks/shop/web_leads"
    assert make.client.post(url, json={"company": "甲"}, headers={"Authorization": f"Bearer {old}"}).status_code == 401
    assert make.client.post(url, json={"company": "甲"}, headers={"Authorization": f"Bearer {new}"}).status_code == 201


def test_a_hook_with_a_bad_mapping_is_refused_at_its_path(make: Maker) -> None:
    _app(make)
    bad = {**CUSTOMERS, "mapping": {"name": "payload.customer.name +", "nope": "payload.x"}}
    r = make.client.put("/api/v1/apps/shop/hooks/erp_customers", json=bad, headers=make.admin)
    assert r.status_code == 422
    paths = {d["path"] for d in r.json()["error"]["details"]}
    assert paths == {"hooks[0].mapping.name", "hooks[0].mapping.nope"}


def test_only_app_managers_see_hooks_and_deliveries(make: Maker) -> None:
    secret = _app(make, LEADS)["web_leads"]
    make.client.post("/api/v1/hooks/shop/web_leads", json={"company": "乙"}, headers={"Authorization": f"Bearer {secret}"})
    clerk = make.user("clerk", admin=False)
    definition = shop(flows=[SUBMIT_FLOW], roles=[{"key": "sales", "name": "销售", "permissions": {
        "customer": {"create": True, "read": "all", "update": "all"}}}])
    definition["hooks"] = [LEADS]
    assert make.client.put("/api/v1/apps/shop", json=definition, headers=make.admin).status_code == 200
    r = make.client.put("/api/v1/apps/shop/roles/sales/members", json={"users": ["clerk"]}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert make.client.get("/api/v1/apps/shop/forms/customer/records", headers=clerk).status_code == 200
    for path in ("/api/v1/apps/shop/hooks", "/api/v1/apps/shop/hook-deliveries"):
        assert make.client.get(path, headers=clerk).status_code == 403
    assert make.client.post("/api/v1/apps/shop/hooks/web_leads/secret", headers=clerk).status_code == 403
    assert make.client.put("/api/v1/apps/shop/hooks/web_leads", json=LEADS, headers=clerk).status_code == 403
    seen = make.client.get("/api/v1/apps/shop", headers=clerk).json()["definition"]
    assert "forms" in seen and "hooks" not in seen
    assert "hooks" in make.client.get("/api/v1/apps/shop", headers=make.admin).json()["definition"]
    assert len(_deliveries(make)) == 1


def test_deliveries_keep_a_bounded_payload_and_filter_by_hook_and_record(make: Maker) -> None:
    secrets = _app(make, CUSTOMERS, LEADS)
    big = {"company": "丙", "message": "你好", "attachment_text": "长" * 6000}
    r = make.client.post("/api/v1/hooks/shop/web_leads", json=big, headers={"Authorization": f"Bearer {secrets['web_leads']}"})
    assert r.status_code == 201, r.text
    _signed(make, secrets["erp_customers"], ORDER, "o-1")
    lead = _deliveries(make, hook="web_leads")
    assert len(lead) == 1 and lead[0]["payload_cut"] and len(lead[0]["payload"]) == 4000
    assert [d["hook"] for d in _deliveries(make, record_id=r.json()["record_id"])] == ["web_leads"]
    assert [d["hook"] for d in _deliveries(make, delivery_id="o-1")] == ["erp_customers"]
    with make.app.state.db.read() as conn:
        assert conn.scalar(select(func.count()).select_from(hook_deliveries)) == 2


def test_hostile_bodies_get_4xx_never_a_500_and_are_logged(make: Maker) -> None:
    secret = _app(make, CUSTOMERS)["erp_customers"]

    def post(body: bytes) -> Any:
        sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return make.client.post("/api/v1/hooks/shop/erp_customers", content=body,
                                headers={"X-Tangram-Signature": sig, "Content-Type": "application/json"})

    bodies = [b"[" * 100_000 + b"]" * 100_000,  # deeper than the JSON parser goes
              b'{"customer": {"name": "\xff\xfe"}}',  # not UTF-8
              b'{"customer": {"name": "a\\u0000b", "region": "\\u0000"}}',  # U+0000 PostgreSQL cannot keep
              b'[1, 2, 3]', b'"text"', b"null",
              json.dumps({"customer": {"name": {"nested": 1}, "total": [1, 2]}}).encode()]
    for body in bodies:
        r = post(body)
        assert r.status_code in (201, 422), (body[:40], r.status_code, r.text[:300])
    assert all(d["status"] in (201, 422) for d in _deliveries(make))


def test_a_body_over_the_limit_is_413_as_everywhere(make: Maker) -> None:
    secret = _app(make, LEADS)["web_leads"]
    limit = int(make.app.state.settings.max_body_mb * (1 << 20))
    r = make.client.post("/api/v1/hooks/shop/web_leads", content=b" " * (limit + 1),
                         headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
    assert r.status_code == 413
    assert _customers(make) == []


def test_a_flow_webhook_trigger_still_answers_where_the_app_has_no_hook_of_that_key(make: Maker) -> None:
    token = "t0k3n-0123456789abcdef"
    flow = {"key": "inbound", "name": "官网", "form": "customer", "trigger": {"on": "webhook", "token": token},
            "steps": []}
    make.app_def(shop(flows=[flow], hooks=[LEADS]))
    r = make.client.post("/api/v1/hooks/shop/inbound", json={"name": "丁"}, headers={"X-Tangram-Token": token})
    assert r.status_code == 201, r.text
    assert make.client.post("/api/v1/hooks/shop/inbound", content=b"[1]",
                            headers={"X-Tangram-Token": token}).status_code == 400
    assert make.client.post("/api/v1/hooks/shop/web_leads", json={"company": "x"}).status_code == 401
    assert make.client.post("/api/v1/hooks/nope/web_leads", json={}).status_code == 404


def test_with_an_encryption_key_the_stored_secret_is_ciphertext_only(make: Maker) -> None:
    keyring.install(keyring.load(keyring.new_key(), None))  # after the app is made: it installed its settings' (none)
    try:
        secret = _app(make, LEADS)["web_leads"]
        with make.app.state.db.read() as conn:
            stored = conn.scalar(select(hook_secrets.c.secret))
        assert secret not in stored and stored.startswith("v1:")
        r = make.client.post("/api/v1/hooks/shop/web_leads", json={"company": "戊"},
                             headers={"Authorization": f"Bearer {secret}"})
        assert r.status_code == 201, r.text
    finally:
        keyring.install(None)


def test_a_twin_delivery_racing_the_first_gets_its_answer_and_its_write_is_undone(make: Maker,
                                                                                  monkeypatch: Any) -> None:
    secret = _app(make, LEADS)["web_leads"]
    headers = {"Authorization": f"Bearer {secret}", "X-Tangram-Delivery": "twin"}
    first = make.client.post("/api/v1/hooks/shop/web_leads", json={"company": "己"}, headers=headers)
    real = deliveries.answered
    calls: list[str] = []

    def not_yet_committed(*args: Any) -> Any:  # the twin checked before the first committed, then wrote
        calls.append("asked")
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(deliveries, "answered", not_yet_committed)
    twin = make.client.post("/api/v1/hooks/shop/web_leads", json={"company": "庚"}, headers=headers)
    assert twin.status_code == 201 and twin.json() == first.json() and twin.headers["X-Tangram-Replayed"] == "true"
    assert [c["name"] for c in _customers(make)] == ["己"]
    assert len(_deliveries(make)) == 1


def test_saving_and_removing_a_hook_keeps_a_builders_pending_draft(make: Maker) -> None:
    _app(make)
    r = make.client.post("/api/v1/apps/shop/forms/customer/fields", headers=make.admin,
                         json={"key": "wechat", "type": "text", "label": "微信"})
    assert r.status_code in (200, 201), r.text
    assert make.client.put("/api/v1/apps/shop/hooks/web_leads", json=LEADS, headers=make.admin).status_code == 200
    draft = make.client.get("/api/v1/apps/shop/draft", headers=make.admin).json()
    definition = draft.get("definition", draft)
    fields = [f["key"] for f in definition["forms"][0]["fields"]]
    assert "wechat" in fields and [h["key"] for h in definition["hooks"]] == ["web_leads"]
    published = make.client.get("/api/v1/apps/shop", headers=make.admin).json()["definition"]
    assert "wechat" not in [f["key"] for f in published["forms"][0]["fields"]]
    assert make.client.delete("/api/v1/apps/shop/hooks/web_leads", headers=make.admin).status_code == 204
    draft = make.client.get("/api/v1/apps/shop/draft", headers=make.admin).json()
    definition = draft.get("definition", draft)
    assert "wechat" in [f["key"] for f in definition["forms"][0]["fields"]] and not definition.get("hooks")
    assert make.client.post("/api/v1/hooks/shop/web_leads", json={"company": "x"}).status_code == 404


def test_an_upsert_never_takes_a_row_an_import_has_staged_and_not_published(make: Maker) -> None:
    secret = _app(make, CUSTOMERS)["erp_customers"]
    with make.app.state.db.write() as conn:  # an import's chunk, committed, waiting for its publish
        ref = definitions.form_ref(conn, "shop", "customer")
        staged = staging.stage(conn, ref, staging.Batch(), [{"name": "苏州恒瑞精密", "amount": "1"}], Change(SYSTEM),
                               datetime.now(UTC))[0].id
    answer = _signed(make, secret, ORDER, "d-staged")  # the name is the import's until it publishes, as for a create
    assert answer.status_code == 409, answer.text  # (it found the staged row and answered 404 for it)
    assert [d["path"] for d in answer.json()["error"]["details"]] == ["name"]
    with make.app.state.db.read() as conn:
        row = conn.execute(select(records.c.version, records.c.data).where(records.c.id == staged)).one()
    assert row.version == 0 and row.data["amount"] == "1"  # untouched, still the import's
