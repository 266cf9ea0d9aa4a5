"""Every answer carries X-Request-ID (the client's when it is a sane token, else a new one), error bodies carry
it as `request_id`, and each request gets one access line with it — as text, or JSON with TANGRAM_LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.api.guard import NO_RECORDS
from runtime.cli import main
from runtime.logs import JsonLines
from tests.factories import Maker


@pytest.fixture
def access(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="tangram.access")
    return caplog


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [r.fields for r in caplog.records if r.name == "tangram.access"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("sent", ["abc-123", "req_9f.2:x", "a" * 64], ids=["plain", "punctuated", "64-chars"])
def test_a_sane_incoming_request_id_is_echoed(client: TestClient, sent: str) -> None:
    assert client.get("/api/v1/health/live", headers={"X-Request-ID": sent}).headers["x-request-id"] == sent


@pytest.mark.parametrize("sent", [None, "a" * 65, "two words", "id\\u00e9", "<script>", ""],
                         ids=["absent", "65-chars", "space", "backslash", "markup", "empty"])
def test_a_missing_or_insane_request_id_is_replaced_by_a_new_one(client: TestClient, sent: str | None) -> None:
    headers = {"X-Request-ID": sent} if sent is not None else {}
    first = client.get("/api/v1/health/live", headers=headers).headers["x-request-id"]
    second = client.get("/api/v1/health/live", headers=headers).headers["x-request-id"]
    assert first != sent and len(first) == 32 and int(first, 16) >= 0
    assert first != second  # one per request


def test_error_bodies_carry_the_request_id_of_their_answer(make: Maker) -> None:
    client = make.client
    unauthorised = client.get("/api/v1/me", headers={"X-Request-ID": "req-401"})
    assert unauthorised.status_code == 401 and unauthorised.json()["error"]["request_id"] == "req-401"
    missing = client.get("/api/v1/no-such-route")
    assert missing.status_code == 404 and missing.json()["error"]["request_id"] == missing.headers["x-request-id"]
    malformed = client.post("/api/v1/auth/login", json={"username": 1}, headers={"X-Request-ID": "req-422"})
    assert malformed.status_code == 422 and malformed.json()["error"]["request_id"] == "req-422"


def test_a_body_refused_by_its_size_before_it_is_read_carries_the_request_id(make: Maker) -> None:
    r = make.client.post("/api/v1/auth/login", content=b"{}", headers={"X-Request-ID": "req-413",
                                                                         "Content-Length": str(1 << 30)})
    assert r.status_code == 413
    assert r.headers["x-request-id"] == "req-413" and r.json()["error"]["request_id"] == "req-413"


def test_an_unexpected_error_answers_500_with_the_request_id_in_header_body_and_log(app: Any,
                                                                                    access: Any) -> None:
    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/test-boom", boom, dependencies=[NO_RECORDS])
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/v1/test-boom", headers={"X-Request-ID": "req-500"})
    assert r.status_code == 500
    assert r.headers["x-request-id"] == "req-500" and r.json()["error"]["request_id"] == "req-500"
    assert [(line["route"], line["status"], line["request_id"]) for line in _lines(access)] == [
        ("/api/v1/test-boom", 500, "req-500")]


def test_one_access_line_per_request_with_route_template_status_user_and_id(make: Maker, access: Any) -> None:
    make.app_def()
    admin = make.admin
    access.clear()
    r = make.client.get(make.url(), headers={**admin, "X-Request-ID": "req-list"})
    assert r.status_code == 200
    make.client.get("/api/v1/health/live")
    lines = _lines(access)
    assert len(lines) == 2
    listed, live = lines
    assert listed["method"] == "GET" and listed["status"] == 200 and listed["request_id"] == "req-list"
    assert listed["route"] == "/api/v1/apps/{app}/forms/{form}/records" and listed["user"] == "admin"
    assert isinstance(listed["duration_ms"], float)
    assert live["user"] is None and live["route"] == "/api/v1/health/live"
    text = [r.getMessage() for r in access.records if r.name == "tangram.access"][0]
    assert text.startswith("GET /api/v1/apps/{app}/forms/{form}/records 200 ") and "id=req-list user=admin" in text


def test_no_access_line_unless_the_logger_is_on(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="tangram.access")
    client.get("/api/v1/health/live")
    assert _lines(caplog) == []


def test_a_streamed_download_keeps_its_body_and_gets_the_request_id(make: Maker) -> None:
    make.app_def()
    make.record("customer", {"name": "流式客户"})
    made = make.client.post(make.url() + "/exports", json={}, headers=make.admin)
    assert made.status_code == 201 and made.json()["status"] == "done", made.text
    r = make.client.get(made.json()["download"], headers={**make.admin, "X-Request-ID": "req-export"})
    assert r.status_code == 200 and r.headers["x-request-id"] == "req-export"
    assert r.content.startswith(b"PK") and len(r.content) == int(r.headers["content-length"])  # the whole xlsx


def test_serve_with_json_log_format_writes_each_access_line_as_one_json_object(
        tmp_path: Path, monkeypatch: Any, capsys: Any, tangram_loggers: None) -> None:
    import uvicorn

    url = f"sqlite:///{tmp_path}/json.db"
    assert main(["db", "upgrade", "--db", url]) == 0

    def one_request(app: Any, **_kw: Any) -> None:
        with TestClient(app) as client:
            client.get("/api/v1/health/live", headers={"X-Request-ID": "req-json"})

    monkeypatch.setattr(uvicorn, "run", one_request)
    monkeypatch.setenv("TANGRAM_MIRROR_INTERVAL", "0")
    monkeypatch.setenv("TANGRAM_LOG_FORMAT", "json")
    capsys.readouterr()
    assert main(["serve", "--db", url, "--access-log"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "tangram.access"]
    assert len(access) == 1
    assert access[0] | {"time": "", "duration_ms": 0} == {
        "time": "", "level": "info", "logger": "tangram.access", "request_id": "req-json", "method": "GET",
        "route": "/api/v1/health/live", "status": 200, "duration_ms": 0, "user": None,
        "message": access[0]["message"]}


def test_the_json_format_puts_the_request_id_on_other_lines_of_the_request_too() -> None:
    from runtime.api.request_log import REQUEST_ID

    record = logging.LogRecord("tangram", logging.WARNING, __file__, 1, "database unavailable", None, None)
    token = REQUEST_ID.set("req-other")
    try:
        entry = json.loads(JsonLines().format(record))
    finally:
        REQUEST_ID.reset(token)
    assert entry["request_id"] == "req-other" and entry["message"] == "database unavailable"
