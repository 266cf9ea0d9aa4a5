"""An HTTP step's call (`http_request` jobs, queued by flows/flow_effects.py): secrets filled in from the store,
authenticated (jobs/handlers/http_auth.py), sent with the step's timeout; every attempt logged in the delivery
log with the start of the answer (secrets and session tokens scrubbed out); a failure — transport, timeout,
5xx, 408 or 429, or an answer the step's `success` check refuses — is retried by the worker with backoff; any
other 4xx ends the job `dead` at once (the same request would be refused again). On success
the answer is kept (flows/http_answer.py) and the job finished in the same transaction; an answer that cannot
be kept (the record refuses a value) ends the job `dead` rather than calling the ERP again, and so does a target
(of the call or its login) the outbound policy refuses (jobs/outbound.py), never sent."""

from __future__ import annotations

import logging
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx

from engine.errors import EngineError
from engine.flows.events import Answered
from engine.flows.http_template import fill
from runtime.flows import flows, http_answer
from runtime.jobs import outbound, outbox
from runtime.jobs.handlers.http_auth import (
    LoginFailed,
    Scrub,
    Sessions,
    answer_of,
    encode_body,
    holds,
    lookup,
    needed_secrets,
    sign_headers,
)
from runtime.jobs.job_run import JobRun
from runtime.system_settings import connector_secrets


def client(allow: str) -> httpx.Client:
    """One client per process (and allowance) for HTTP steps and their logins, keeping no cookies: a session is
    only what a login's `use` sends, so one connector's cookie never rides along on another's call (nor
    survives the session's end). Its calls must pass the outbound policy (jobs/outbound.py)."""
    return outbound.client("http_request", allow, cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])))


for _name in ("httpx", "httpcore"):  # they log each URL (用友's access token is in the query) and, at DEBUG, headers
    logging.getLogger(_name).setLevel(logging.WARNING)


def _send(run: JobRun, request: dict[str, Any], secrets: dict[str, str], token: str | None) -> httpx.Response:
    get = lookup(run.job.payload["values"], secrets, run.now, token=token)
    body = encode_body(fill(request.get("body"), get))
    headers = {"Content-Type": "application/json", "User-Agent": "Tangram-HTTP/1",
               "X-Tangram-Delivery": run.job.key or str(run.job.id), **fill(request.get("headers") or {}, get)}
    params = fill(request.get("query") or {}, get)
    auth = request.get("auth") or {}
    login = auth.get("login") or {}
    if token is not None:
        headers.update(fill((login.get("use") or {}).get("headers") or {}, get))
        params.update(fill((login.get("use") or {}).get("query") or {}, get))
    headers.update(sign_headers(auth, secrets, body))
    basic = (str(fill(auth["user"], get)), secrets[auth["secret"]]) if auth.get("type") == "basic" else None
    url = fill(request["url"], get, url=True)
    if not str(url).startswith(("http://", "https://")):
        raise LookupError("the URL does not start with http:// or https:// once filled in")
    return client(run.settings.outbound_allow).request(request.get("method", "POST"), url, params=params,
                                                       headers=headers, content=body, auth=basic,
                                                       timeout=request.get("timeout", 10))


def _call(run: JobRun, request: dict[str, Any], secrets: dict[str, str], scrub: Scrub) -> httpx.Response:
    login = (request.get("auth") or {}).get("login")
    if not login:
        return _send(run, request, secrets, None)
    sessions = Sessions(run.job.payload.get("app", ""), login, secrets)
    timeout = request.get("timeout", 10)
    http = client(run.settings.outbound_allow)
    response = _send(run, request, secrets, sessions.token(http, secrets, run.now, timeout, scrub))
    relogin = login.get("relogin")
    if response.status_code == 401 or (relogin and response.is_success and holds(relogin, answer_of(response))):
        # the session ended before its time: log in again, once
        sessions.forget()
        response = _send(run, request, secrets, sessions.token(http, secrets, run.now, timeout, scrub))
    return response


RETRIED_4XX = (408, 429)
"""Client errors worth another attempt (a timeout, too many requests); any other 4xx is the request's fault:
sending it again would be refused again, so the job ends `dead` at once, the answer's start in its log."""


def final(status: int | None) -> bool:
    """Whether an answer of this status ends the call without retrying it."""
    return status is not None and 400 <= status < 500 and status not in RETRIED_4XX


def handle(run: JobRun) -> None:
    payload = run.job.payload
    request = payload["request"]
    scrub = Scrub()
    status, error, excerpt, answer, refused = None, None, None, None, False
    try:
        with run.db.read() as conn:
            secrets = connector_secrets.reveal(conn, needed_secrets(request))
        for value in secrets.values():
            scrub.add(value)
        response = _call(run, request, secrets, scrub)
        status, excerpt, answer = response.status_code, response.text[:outbox.RESPONSE_EXCERPT], answer_of(response)
        if not response.is_success:
            error = f"HTTP {status}: {response.text[:200]}"
            refused = final(status)
        elif not holds(request.get("success"), answer):
            error = f"the answer is not a success by {request['success']['path']}: {response.text[:200]}"
    except httpx.TimeoutException:
        error = f"timed out after {request.get('timeout', 10)} s"
    except (httpx.HTTPError, LoginFailed, LookupError) as e:
        error = f"{type(e).__name__}: {e}"
    except outbound.Refused as e:  # the step's call or its login: trying again would not change that
        error, refused = str(e), True
    target = request["url"]  # the template: `{{$secret.…}}` names, never values
    with run.db.write() as conn:
        if error is None and answer is not None:
            try:
                with conn.begin_nested():
                    http_answer.keep(conn, payload["instance_id"], request, answer, run.now, run.tz)
                    # the run goes on from the step, its later steps reading the answer (engine/flows/answers.py)
                    flows.apply(conn, payload["instance_id"], Answered(payload["step"], answer), run.now, run.tz)
            except EngineError as e:  # sent and answered: calling again would make a second order
                error = f"answer not kept: {e}"
                outbox.log_delivery(conn, run.job, "http_request", target, run.now, ok=False, status_code=status,
                                    error=scrub(error), response=scrub(excerpt))
                outbox.give_up(conn, run.job, run.worker, run.now, scrub(error) or error)
                run.completed = True
                return
        outbox.log_delivery(conn, run.job, "http_request", target, run.now, ok=error is None, status_code=status,
                            error=scrub(error), response=scrub(excerpt))
        if error is None:
            run.complete(conn)
        elif refused:
            outbox.give_up(conn, run.job, run.worker, run.now, scrub(error) or error)
            run.completed = True
            return
    if error:
        raise RuntimeError(scrub(error))
