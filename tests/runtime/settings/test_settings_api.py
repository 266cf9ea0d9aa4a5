"""系统设置 through the API (issue 27): the database's value over the environment's, secrets write-only
(stored encrypted, answered as set / not set, kept out of the audit log), bad values refused by name, a change
used by the next job without a restart, and the test e-mail through the real SMTP code."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from runtime.audit import AuditQuery, search
from runtime.crypto import keyring
from runtime.db.tables import hook_secrets, system_settings
from runtime.settings import Settings
from runtime.system_settings import connector_secrets
from runtime.system_settings.store import effective
from tests.backends import url_of
from tests.conftest import ENCRYPTION_KEY
from tests.factories import Maker
from tests.fakes import smtp_fake
from tests.flows import FlowWorld, approval, approval_flow, tickets
from tests.runtime.flows.test_approval_api import ORG

URL = "/api/v1/settings"



def _patch(make: Maker, body: dict[str, Any]) -> Any:
    return make.client.patch(URL, json=body, headers=make.admin)


def test_a_setting_set_in_the_database_overrides_the_environment(make: Maker) -> None:
    before = make.client.get(URL, headers=make.admin)
    assert before.status_code == 200, before.text
    assert before.json()["email"]["smtp_from"] == {"value": "tangram@localhost", "source": "environment"}
    r = _patch(make, {"smtp_from": "系统 <noreply@example.cn>", "holidays": ["2026-10-02", "2026-10-01"]})
    assert r.status_code == 200, r.text
    assert r.json()["email"]["smtp_from"] == {"value": "系统 <noreply@example.cn>", "source": "database"}
    assert r.json()["holidays"]["holidays"]["value"] == ["2026-10-01", "2026-10-02"]
    back = _patch(make, {"smtp_from": None})  # null: back to the environment's value
    assert back.json()["email"]["smtp_from"] == {"value": "tangram@localhost", "source": "environment"}


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"smtp_port": "abc"}, "smtp_port"),
        ({"smtp_port": 70000}, "smtp_port"),
        ({"no_such": 1}, "no_such"),
        ({"work_hours": ["18:00", "09:00"]}, "work_hours"),
        ({"holidays": ["2026-13-01"]}, "holidays"),
        ({"password_min_length": 4}, "password_min_length"),
        ({"brand_name": "好", "smtp_port": "x"}, "smtp_port"),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting_and_nothing_is_written(
    make: Maker, body: dict[str, Any], name: str
) -> None:
    r = _patch(make, body)
    assert r.status_code == 400, r.text
    assert name in r.text
    assert make.client.get(URL, headers=make.admin).json()["brand"]["brand_name"]["source"] == "environment"


def test_only_administrators_read_or_change_settings(make: Maker) -> None:
    rep = make.user("rep", admin=False)
    assert make.client.get(URL, headers=rep).status_code == 403
    assert make.client.patch(URL, json={"brand_name": "x"}, headers=rep).status_code == 403
    assert make.client.post(f"{URL}/test-email", json={"to": "a@b.cn"}, headers=rep).status_code == 403


@pytest.mark.usefixtures("with_key")
def test_a_secret_is_write_only_encrypted_at_rest_and_not_audited(make: Maker) -> None:
    r = _patch(make, {"smtp_password": "s3cret-口令"})
    assert r.status_code == 200, r.text
    assert r.json()["email"]["smtp_password"] == {"secret": True, "set": True, "source": "database"}
    assert "s3cret" not in make.client.get(URL, headers=make.admin).text
    with make.app.state.db.read() as conn:
        stored = conn.scalar(select(system_settings.c.value).where(system_settings.c.name == "smtp_password"))
        entries = search(conn, AuditQuery(action="settings.update"))[0]
    assert stored.startswith("v1:") and "s3cret" not in stored
    assert entries[0].detail["changed"] == {"smtp_password": {"secret": True, "set": True}}
    assert "s3cret" not in str([e.detail for e in entries])


def _stored_secrets(make: Maker) -> dict[str, str]:
    with make.app.state.db.read() as conn:
        rows = conn.execute(select(system_settings.c.name, system_settings.c.value)
                            .where(system_settings.c.name.in_(["smtp_password", "connector:erp_password"]))).all()
        hooks = conn.execute(select(hook_secrets.c.hook, hook_secrets.c.secret)).all()
    return {r.name: r.value for r in rows} | {f"hook:{h.hook}": h.secret for h in hooks}


def test_secrets_work_without_a_key_kept_plain_and_rotate_key_seals_them_all(
        make: Maker, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    """A server started without an encryption key (`make run`) can still be given its SMTP password, connector
    secrets and hook secrets (stored marked plain, as the settings page warns); `tangram crypto rotate-key`
    seals them once a key is configured, and seals them again under a newer key, so the old key can go."""
    from runtime.cli import main
    from tests.runtime.hooks.test_inbound_hooks import LEADS, _app

    keyring.install(None)
    assert make.client.get(URL, headers=make.admin).json()["encryption"] == {"configured": False}
    assert _patch(make, {"smtp_password": "s3cret-口令"}).status_code == 200
    r = make.client.put("/api/v1/settings/connector-secrets/erp_password", json={"value": "erp-口令"},
                        headers=make.admin)
    assert r.status_code == 200, r.text
    hook_secret = _app(make, LEADS)["web_leads"]
    plain = _stored_secrets(make)
    assert plain == {"smtp_password": "plain:s3cret-口令", "connector:erp_password": "plain:erp-口令",
                     "hook:web_leads": "plain:" + hook_secret}
    url = url_of(make.app.state.db)
    monkeypatch.setenv("TANGRAM_ENCRYPTION_KEY", ENCRYPTION_KEY)
    monkeypatch.delenv("TANGRAM_ENCRYPTION_KEY_FILE", raising=False)
    capsys.readouterr()
    try:
        assert main(["crypto", "rotate-key", "--db", url, "--quiet"]) == 0
        assert "3 stored secret(s)" in capsys.readouterr().out
        sealed = _stored_secrets(make)
        assert all(v.startswith("v1:") and "口令" not in v and hook_secret not in v for v in sealed.values()), sealed
        newer = keyring.new_key()
        ring_file = tmp_path / "keys"
        ring_file.write_text(f"{newer}\n{ENCRYPTION_KEY}\n", encoding="utf-8")
        monkeypatch.setenv("TANGRAM_ENCRYPTION_KEY_FILE", str(ring_file))
        assert main(["crypto", "rotate-key", "--db", url, "--quiet"]) == 0
        ring_file.write_text(f"{newer}\n", encoding="utf-8")  # the old key dropped: nothing is lost
        keyring.configure(Settings())
        with make.app.state.db.read() as conn:
            assert effective(conn, Settings()).smtp_password == "s3cret-口令"
            assert connector_secrets.reveal(conn, ["erp_password"]) == {"erp_password": "erp-口令"}
        r = make.client.post("/api/v1/hooks/shop/web_leads", json={"company": "甲"},
                             headers={"Authorization": f"Bearer {hook_secret}"})
        assert r.status_code == 201, r.text
        assert make.client.get(URL, headers=make.admin).json()["encryption"] == {"configured": True}
    finally:
        keyring.install(None)


def test_changes_are_audited_with_before_and_after(make: Maker) -> None:
    _patch(make, {"brand_name": "七巧板"})
    with make.app.state.db.read() as conn:
        [entry] = search(conn, AuditQuery(action="settings.update"))[0]
    assert entry.actor == "admin" and entry.detail["changed"] == {"brand_name": {"from": None, "to": "七巧板"}}


def test_the_test_email_goes_through_the_configured_server_and_a_failure_says_why(make: Maker) -> None:
    r = make.client.post(f"{URL}/test-email", json={"to": "li@example.cn"}, headers=make.admin)
    assert r.json()["ok"] is False and "SMTP" in r.json()["error"]
    with smtp_fake() as smtp:
        _patch(make, {"smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_from": "noreply@example.cn"})
        r = make.client.post(f"{URL}/test-email", json={"to": "li@example.cn"}, headers=make.admin)
        assert r.status_code == 200 and r.json() == {"ok": True}, r.text
        [sent] = smtp.messages
        assert sent["rcpt"] == ["li@example.cn"] and sent["from"] == "noreply@example.cn"
        port = smtp.port
    r = make.client.post(f"{URL}/test-email", json={"to": "li@example.cn"}, headers=make.admin)
    assert r.json()["ok"] is False and r.json()["error"], r.text  # the server is gone: the socket's words
    assert port


def test_a_flow_e_mail_job_uses_the_smtp_server_set_in_the_ui_without_a_restart(make: Maker) -> None:
    with smtp_fake() as smtp:
        w = FlowWorld(
            make,
            tickets(
                {
                    "key": "notify",
                    "name": "通知",
                    "form": "ticket",
                    "trigger": {"on": "create"},
                    "steps": [
                        {
                            "type": "notify",
                            "channel": "email",
                            "to": {"users": ["li"]},
                            "title": "新报修",
                            "message": "{summary}",
                        }
                    ],
                }
            ),
        )
        w.users("li")
        r = _patch(make, {"smtp_host": smtp.host, "smtp_port": smtp.port, "email_domain": "example.cn"})
        assert r.status_code == 200, r.text
        w.record({"summary": "断电"})
        w.run_jobs()
        assert [m["rcpt"] for m in smtp.messages] == [["li@example.cn"]]


def test_the_minimum_password_length_applies_to_new_passwords(make: Maker) -> None:
    assert _patch(make, {"password_min_length": 12}).status_code == 200
    r = make.client.post("/api/v1/users", json={"username": "zhao", "password": "abc-12345"}, headers=make.admin)
    assert r.status_code == 400 and "12" in r.text, r.text


def test_a_working_time_sla_skips_the_national_holidays_and_counts_the_adjusted_saturday(make: Maker) -> None:
    # 国庆: 10-01 to 10-08 off, Saturday 10-10 worked (调休). Submitted Wednesday 09-30 10:00, due in 2 working
    # days: Friday 10-09 is the first, Saturday 10-10 the second -> due 10-10 10:00 (02:00 UTC).
    r = _patch(make, {"holidays": [f"2026-10-0{d}" for d in range(1, 9)], "workdays": ["2026-10-10"]})
    assert r.status_code == 200, r.text
    w = FlowWorld(
        make,
        tickets(
            approval_flow(approval({"role": "team_lead"}, due={"after": "P2D", "business": True, "action": "approve"}))
        ),
    )
    w.org(*ORG)
    w.clock.now = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    inst = w.submit(w.record({"summary": "x"})["id"])
    [task] = w.inbox("li")
    assert task["due_at"].startswith("2026-10-10T02:00")
    w.run_jobs(days=9, hours=23)
    assert w.instance(inst["id"])["status"] == "running"
    w.run_jobs(hours=1)
    assert w.instance(inst["id"])["status"] == "approved"


@pytest.mark.usefixtures("with_key")
def test_a_stored_secret_without_its_key_stops_only_what_needs_it(make: Maker) -> None:
    assert _patch(make, {"smtp_password": "s3cret", "password_min_length": 10}).status_code == 200
    keyring.install(None)  # the server restarted without the key
    assert make.client.get(URL, headers=make.admin).json()["email"]["smtp_password"]["set"] is True
    r = make.client.post("/api/v1/users", json={"username": "zhao", "password": "abc-1234"}, headers=make.admin)
    assert r.status_code == 400 and "10" in r.text, r.text  # the password policy still reads the store


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_the_logo_is_an_image_checked_by_its_bytes_and_served_to_the_top_bar(make: Maker) -> None:
    assert make.client.get("/brand/logo").status_code == 404
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert _patch(make, {"brand_logo": url}).status_code == 200
    served = make.client.get("/brand/logo")
    assert served.status_code == 200 and served.content == PNG and served.headers["content-type"] == "image/png"
    again = make.client.get("/brand/logo", headers={"If-None-Match": served.headers["etag"]})
    assert again.status_code == 304
    svg = "data:image/svg+xml;base64," + base64.b64encode(b"<svg onload='alert(1)'/>").decode()
    fake_png = "data:image/png;base64," + base64.b64encode(b"<html>").decode()
    big = "data:image/png;base64," + base64.b64encode(PNG + bytes(300 * 1024)).decode()
    for bad in (svg, fake_png, big, "not a data url"):
        r = _patch(make, {"brand_logo": bad})
        assert r.status_code == 400 and "brand_logo" in r.text, r.text
    assert make.client.get("/brand/logo").content == PNG
