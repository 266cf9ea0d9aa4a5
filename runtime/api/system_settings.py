"""系统设置 through the API (administrators only): read every setting (secrets only as set / not set), change
some at once (each checked before any is written; audited, secret values left out), and send a test e-mail or
robot message through the configured server."""

from __future__ import annotations

import smtplib
from typing import Any, Literal

import httpx
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from engine.errors import NotFound
from engine.secrets import redact_url
from runtime import audit
from runtime.api.deps import DB, AppSettings, CurrentUser, change_for
from runtime.api.guard import NO_RECORDS, require_admin
from runtime.crypto import keyring
from runtime.jobs.handlers import email, robots
from runtime.jobs.handlers.webhook import client
from runtime.system_settings import connector_secrets, im_apps, store

router = APIRouter(prefix="/api/v1/settings", tags=["settings"], dependencies=[NO_RECORDS])


@router.get("")
def read(db: DB, base: AppSettings, user: CurrentUser) -> Any:
    """Every setting by section: `{"value", "source"}`, a secret `{"secret": true, "set", "source"}`;
    `source` says whether the database or the environment (TANGRAM_*) gives it; and `encryption.configured`:
    whether stored secrets are sealed with an encryption key (without one they are kept plain)."""
    require_admin(user)
    return _described(db, base)


def _described(db: Any, base: Any) -> dict[str, Any]:
    """GET's answer: the sections, and whether secrets are sealed (no key: stored plain, the page warns)."""
    with db.read() as conn:
        sections = store.describe(conn, base)
    return sections | {"encryption": {"configured": keyring.installed() is not None}}


@router.patch("")
def change(body: dict[str, Any], request: Request, db: DB, base: AppSettings, user: CurrentUser) -> Any:
    """Change settings by name (`null`: back to the environment's value); 400 naming the setting for an
    unknown name or a bad value, nothing written then. Answers as GET does."""
    require_admin(user)
    moment = change_for(request, user)
    with db.write() as conn:
        changed = store.update(conn, body, moment.now, user.username)
        if changed:
            audit.write(conn, "settings.update", user, moment.now, detail={"changed": changed})
    return _described(db, base)


class TestEmail(BaseModel):
    to: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")


@router.post("/test-email")
def test_email(body: TestEmail, db: DB, base: AppSettings, user: CurrentUser) -> Any:
    """发送测试邮件: one message to `to` through the configured SMTP server, now (not as a job), so the
    answer says whether it worked: `{"ok": true}` or `{"ok": false, "error": "<the server's words>"}`."""
    require_admin(user)
    with db.read() as conn:
        settings = store.effective(conn, base)
    try:
        with email.connected(settings) as smtp:
            smtp.send_message(
                email.message_to(
                    settings,
                    body.to,
                    f"{settings.brand_name or '七巧板'} 测试邮件",
                    "这是一封来自系统设置的测试邮件。",
                    "<settings-test@tangram>",
                )
            )
    except (OSError, smtplib.SMTPException, RuntimeError) as e:
        return {"ok": False, "error": str(e) or type(e).__name__}
    return {"ok": True}


class TestRobot(BaseModel):
    channel: Literal["dingtalk", "wecom"]


@router.post("/test-robot")
def test_robot(body: TestRobot, request: Request, db: DB, base: AppSettings, user: CurrentUser) -> Any:
    """发送测试消息: one message through the site's DingTalk or WeCom robot, now, with the same URL, signature
    and format as flow messages: `{"ok": true}` or `{"ok": false, "error": "<why>"}`."""
    require_admin(user)
    with db.read() as conn:
        settings = store.effective(conn, base)
    title, text = f"{settings.brand_name or '七巧板'} 测试消息", "这是一条来自系统设置的测试消息。"
    try:
        webhook, secret = robots.site_robot(settings, body.channel)
        if body.channel == "dingtalk":
            url, payload = robots.dingtalk_request(webhook, secret, change_for(request, user).now, title, text)
        else:
            url, payload = robots.wecom_request(webhook, title, text)
        response = client(settings.outbound_allow).post(url, content=payload,
                                                        headers={"Content-Type": "application/json"})
    except (RuntimeError, httpx.HTTPError) as e:
        return {"ok": False, "error": redact_url(str(e)) or type(e).__name__}
    error = (
        f"HTTP {response.status_code}: {response.text[:200]}" if not response.is_success else robots.refused(response)
    )
    return {"ok": False, "error": error} if error else {"ok": True}


class TestApp(BaseModel):
    channel: Literal["dingtalk", "wecom"]


@router.post("/test-app")
def test_app(body: TestApp, db: DB, base: AppSettings, user: CurrentUser) -> Any:
    """测试连接: ask DingTalk (AppKey / AppSecret) or WeCom (CorpId / Secret) for an access token at the API
    address set in 系统设置: `{"ok": true}` or `{"ok": false, "error": "<why, without the secret>"}`."""
    require_admin(user)
    with db.read() as conn:
        settings = store.effective(conn, base)
    return im_apps.check_connection(settings, body.channel, client(settings.outbound_allow))


__all__ = ["router"]


class ConnectorSecret(BaseModel):
    value: str = Field(min_length=1, max_length=8000)


@router.get("/connector-secrets")
def connector_secret_names(db: DB, user: CurrentUser) -> Any:
    """连接器密钥: the names of the secrets HTTP steps use (`{{$secret.NAME}}`), when and by whom set; never a value."""
    require_admin(user)
    with db.read() as conn:
        return {"items": connector_secrets.listing(conn)}


@router.put("/connector-secrets/{name}")
def put_connector_secret(name: str, body: ConnectorSecret, request: Request, db: DB, user: CurrentUser) -> Any:
    """Set a connector secret (write-only: the answer and the audit log name it, never its value)."""
    require_admin(user)
    moment = change_for(request, user)
    with db.write() as conn:
        connector_secrets.put(conn, name, body.value, moment.now, user.username)
        audit.write(conn, "settings.connector_secret", user, moment.now, detail={"name": name, "set": True})
    return {"name": name, "set": True}


@router.delete("/connector-secrets/{name}", status_code=204)
def delete_connector_secret(name: str, request: Request, db: DB, user: CurrentUser) -> None:
    """Forget a connector secret (404 when there is none of that name)."""
    require_admin(user)
    moment = change_for(request, user)
    with db.write() as conn:
        if not connector_secrets.remove(conn, name):
            raise NotFound(f"没有连接器密钥 {name}", f"no connector secret {name!r}")
        audit.write(conn, "settings.connector_secret", user, moment.now, detail={"name": name, "set": False})
