"""DingTalk and WeCom (企业微信) group robots, in their own message formats. A DingTalk robot with 加签 gets
`timestamp` and `sign` (HMAC-SHA256 of "timestamp\\nsecret", base64, URL-encoded) on its URL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from datetime import datetime
from typing import Any

import httpx

from runtime.jobs.handlers.webhook import post
from runtime.jobs.job_run import JobRun
from runtime.settings import Settings


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def refused(response: httpx.Response) -> str | None:
    """Robots answer 200 with an error code in the body (a bad signature, a rate limit)."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("errcode", 0) != 0:
        return f"robot refused: {body.get('errcode')} {body.get('errmsg')}"
    return None


def _encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def dingtalk_request(webhook: str, secret: str | None, now: datetime, title: str, message: str) -> tuple[str, bytes]:
    """The URL (signed when the robot has 加签) and body of a DingTalk robot message."""
    url = webhook
    if secret:
        timestamp = int(now.timestamp() * 1000)
        url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"
    return url, _encoded({"msgtype": "markdown", "markdown": {"title": title, "text": f"#### {title}\n\n{message}"}})


def wecom_request(webhook: str, title: str, message: str) -> tuple[str, bytes]:
    """The URL and body of a WeCom (企业微信) robot message."""
    return webhook, _encoded({"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{message}"}})


def site_robot(settings: Settings, channel: str) -> tuple[str, str | None]:
    """系统设置's robot of a channel (webhook, DingTalk secret): used by messages that name no robot of their own."""
    webhook = settings.dingtalk_webhook if channel == "dingtalk" else settings.wecom_webhook
    if not webhook:
        raise RuntimeError(f"no {channel} robot is configured (系统设置 → 钉钉 / 企业微信 机器人)")
    return webhook, settings.dingtalk_secret if channel == "dingtalk" else None


def _robot(run: JobRun, channel: str) -> tuple[str, str | None]:
    payload = run.job.payload
    if payload.get("webhook"):
        return payload["webhook"], payload.get("secret")
    return site_robot(run.settings, channel)


def dingtalk(run: JobRun) -> None:
    webhook, secret = _robot(run, "dingtalk")
    url, body = dingtalk_request(webhook, secret, run.now, run.job.payload["title"], run.job.payload["message"])
    post(run, "dingtalk", url, body, {}, refused)


def wecom(run: JobRun) -> None:
    webhook, _ = _robot(run, "wecom")
    url, body = wecom_request(webhook, run.job.payload["title"], run.job.payload["message"])
    post(run, "wecom", url, body, {}, refused)
