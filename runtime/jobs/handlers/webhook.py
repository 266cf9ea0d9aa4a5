"""Outbound webhooks: the JSON body signed with HMAC-SHA256 (`X-Tangram-Signature: sha256=<hex>`), the job's
key as `X-Tangram-Delivery` so a receiver can drop a repeat, non-2xx retried with backoff, every attempt logged.
The target must pass the outbound policy (jobs/outbound.py); one it refuses ends the job at once, unsent."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable

import httpx

from runtime.jobs import outbound, outbox
from runtime.jobs.job_run import JobRun


def client(allow: str) -> httpx.Client:
    """One client per process (and allowance): building one loads the TLS context, which costs more than a local
    delivery."""
    return outbound.client("webhook", allow, timeout=10)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(run: JobRun, channel: str, url: str, body: bytes, headers: dict[str, str],
         check: Callable[[httpx.Response], str | None] | None = None) -> None:
    """POST, log the delivery and (on success) finish the job in one transaction; a transport error, a non-2xx
    answer or a `check` complaint raises, and the worker schedules the retry; a target the outbound policy
    refuses ends the job `dead` (trying again would not change that)."""
    status, error, answer, refused = None, None, None, False
    try:
        response = client(run.settings.outbound_allow).post(
            url, content=body, headers={"Content-Type": "application/json", **headers})
        status, answer = response.status_code, response.text[:outbox.RESPONSE_EXCERPT]
        error = f"HTTP {status}: {response.text[:200]}" if not response.is_success else (check and check(response))
    except httpx.HTTPError as e:
        error = f"{type(e).__name__}: {e}"
    except outbound.Refused as e:
        error, refused = str(e), True
    with run.db.write() as conn:
        outbox.log_delivery(conn, run.job, channel, url, run.now, ok=error is None, status_code=status, error=error,
                            response=answer)
        if error is None:  # delivered: nothing to undo, even when the lease was lost (at least once)
            run.record_done(conn)
        elif refused:
            outbox.give_up(conn, run.job, run.worker, run.now, error)
            run.completed = True
            return
    if error:
        raise RuntimeError(error)


def handle(run: JobRun) -> None:
    payload = run.job.payload
    body = json.dumps(payload["body"], ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"X-Tangram-Delivery": run.job.key or str(run.job.id), "User-Agent": "Tangram-Webhook/1"}
    if payload.get("secret"):
        headers["X-Tangram-Signature"] = signature(payload["secret"], body)
    post(run, "webhook", payload["url"], body, headers)
