"""Outbound webhooks: the JSON body signed with HMAC-SHA256 (`X-Tangram-Signature: sha256=<hex>`), the job's
key as `X-Tangram-Delivery` so a receiver can drop a repeat, non-2xx retried with backoff, every attempt logged."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from runtime.jobs.worker import JobRun
from runtime.storage import outbox


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(run: JobRun, channel: str, url: str, body: bytes, headers: dict[str, str]) -> Any:
    """POST and log the delivery; raises on a transport error or a non-2xx answer (the job is retried)."""
    status, error = None, None
    try:
        response = httpx.post(url, content=body, headers={"Content-Type": "application/json", **headers}, timeout=10)
        status = response.status_code
        if not response.is_success:
            error = f"HTTP {status}: {response.text[:200]}"
    except httpx.HTTPError as e:
        error = f"{type(e).__name__}: {e}"
        response = None
    with run.db.write() as conn:
        outbox.log_delivery(conn, run.job, channel, url, run.now, ok=error is None, status_code=status, error=error)
    if error:
        raise RuntimeError(error)
    return response


def handle(run: JobRun) -> None:
    payload = run.job.payload
    body = json.dumps(payload["body"], ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"X-Tangram-Delivery": run.job.key or str(run.job.id), "User-Agent": "Tangram-Webhook/1"}
    if payload.get("secret"):
        headers["X-Tangram-Signature"] = signature(payload["secret"], body)
    post(run, "webhook", payload["url"], body, headers)
