"""测试连接 of the DingTalk and WeCom apps (企业内部应用) of 系统设置: ask the platform for an access token with the
stored credentials, which is exactly what proves them right.

The API's address is a setting with no default (the operator sets DingTalk's or WeCom's open API address; tests
a local fake). What the answer says goes back to the administrator without the secret."""

from __future__ import annotations

from typing import Any

import httpx

from runtime.settings import Settings

TOKEN_PATHS = {"dingtalk": "/gettoken", "wecom": "/cgi-bin/gettoken"}


def token_request(settings: Settings, channel: str) -> tuple[str, dict[str, str], str]:
    """The gettoken URL, its query and the secret in it; RuntimeError naming the first setting missing."""
    if channel == "dingtalk":
        needed = {"dingtalk_api_base": settings.dingtalk_api_base, "dingtalk_app_key": settings.dingtalk_app_key,
                  "dingtalk_app_secret": settings.dingtalk_app_secret}
    else:
        needed = {"wecom_api_base": settings.wecom_api_base, "wecom_corp_id": settings.wecom_corp_id,
                  "wecom_agent_id": settings.wecom_agent_id, "wecom_secret": settings.wecom_secret}
    missing = [name for name, value in needed.items() if not value]
    if missing:
        raise RuntimeError(f"未设置 {missing[0]}")
    base = str(needed[f"{channel}_api_base"]).rstrip("/")
    if channel == "dingtalk":
        secret = str(settings.dingtalk_app_secret)
        return base + TOKEN_PATHS[channel], {"appkey": str(settings.dingtalk_app_key), "appsecret": secret}, secret
    secret = str(settings.wecom_secret)
    return base + TOKEN_PATHS[channel], {"corpid": str(settings.wecom_corp_id), "corpsecret": secret}, secret


def check_connection(settings: Settings, channel: str, http: httpx.Client) -> dict[str, Any]:
    """`{"ok": true}` when the platform hands out a token, else `{"ok": false, "error": why}` (never the secret)."""
    secret = ""
    try:
        url, query, secret = token_request(settings, channel)
        response = http.get(url, params=query)
    except (RuntimeError, httpx.HTTPError) as e:
        text = str(e) or type(e).__name__
        return {"ok": False, "error": text.replace(secret, "***") if secret else text}
    try:
        body = response.json()
    except ValueError:
        body = None
    if not response.is_success or not isinstance(body, dict):
        return {"ok": False, "error": f"HTTP {response.status_code}: {response.text[:200].replace(secret, '***')}"}
    if body.get("errcode", 0) != 0 or not body.get("access_token"):
        return {"ok": False, "error": f"{body.get('errcode')} {body.get('errmsg')}"}
    return {"ok": True}


__all__ = ["TOKEN_PATHS", "check_connection", "token_request"]
