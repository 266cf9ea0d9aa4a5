"""DingTalk and WeCom (企业微信) group robots, in their own message formats. A DingTalk robot with 加签 gets
`timestamp` and `sign` (HMAC-SHA256 of "timestamp\\nsecret", base64, URL-encoded) on its URL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

import httpx

from runtime.jobs.handlers.webhook import post
from runtime.jobs.job_run import JobRun


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def _refused(response: httpx.Response) -> str | None:
    """Robots answer 200 with an error code in the body (a bad signature, a rate limit)."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("errcode", 0) != 0:
        return f"robot refused: {body.get('errcode')} {body.get('errmsg')}"
    return None


def dingtalk(run: JobRun) -> None:
    payload = run.job.payload
    url = payload["webhook"]
    if payload.get("secret"):
        timestamp = int(run.now.timestamp() * 1000)
        url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={dingtalk_sign(payload['secret'], timestamp)}"
    body = {"msgtype": "markdown", "markdown": {"title": payload["title"],
                                                "text": f"#### {payload['title']}\n\n{payload['message']}"}}
    post(run, "dingtalk", url, json.dumps(body, ensure_ascii=False).encode(), {}, _refused)


def wecom(run: JobRun) -> None:
    payload = run.job.payload
    body = {"msgtype": "markdown", "markdown": {"content": f"**{payload['title']}**\n{payload['message']}"}}
    post(run, "wecom", payload["webhook"], json.dumps(body, ensure_ascii=False).encode(), {}, _refused)
