"""系统设置 (administrators): a section per area (邮件, 时区与工作时间, 节假日, 品牌, 密码与登录, 文件保留, 出站请求, and
连接器密钥 by name only) with the
settings' values; saving, the holiday import and the test e-mail are the browser calling the JSON API
(runtime/api/system_settings.py), so the page only renders what it answers."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui.rendering import render
from builder_ui.viewer import Viewer
from runtime.api.deps import DB, AppSettings
from runtime.api.guard import NO_RECORDS, require_admin
from runtime.crypto import keyring
from runtime.system_settings import catalog, connector_secrets, store

router = APIRouter()

INPUTS = {
    "smtp_port": "number",
    "smtp_starttls": "checkbox",
    "smtp_password": "password",
    "dingtalk_webhook": "password",
    "dingtalk_secret": "password",
    "wecom_webhook": "password",
    "dingtalk_app_secret": "password",
    "wecom_secret": "password",
    "work_hours": "hours",
    "holidays": "dates",
    "workdays": "dates",
    "password_min_length": "number",
    "login_free_failures": "number",
    "login_lock_after": "number",
    "login_lock_minutes": "number",
    "export_retention_hours": "number",
    "import_retention_hours": "number",
    "brand_logo": "logo",
}
"""How each setting is edited (others: a text box)."""


@router.get("/brand/logo", dependencies=[NO_RECORDS])
def brand_logo(request: Request, db: DB, base: AppSettings) -> Response:
    """The top bar's logo (系统设置 → 品牌), for everyone — the login page too; revalidated on each page (ETag)."""
    with db.read() as conn:
        data_url = store.effective(conn, base, secrets=False).brand_logo
    if data_url is None:
        return Response(status_code=404)
    media, raw = catalog.logo(data_url)
    tag = '"' + hashlib.sha256(raw).hexdigest()[:16] + '"'
    headers = {"ETag": tag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)
    return Response(raw, media_type=media, headers=headers)


@router.get("/admin/settings", dependencies=[NO_RECORDS])  # administrators only: require_admin below
def settings_page(request: Request, user: Viewer, db: DB, base: AppSettings) -> Response:
    require_admin(user)
    with db.read() as conn:
        sections = store.describe(conn, base)
        secrets = connector_secrets.listing(conn)
    return render(request, "admin/settings.html", user=user, sections=sections, inputs=INPUTS, timezone=base.timezone,
                  connector_secrets=secrets, sealed=keyring.installed() is not None)
