"""Browser sessions: the signed cookie, CSRF on cookie-authenticated changes, logout that ends it at once."""

from __future__ import annotations

import os
import stat
from typing import Any

from fastapi.testclient import TestClient

from runtime.auth import sessions
from tests.factories import Maker

ME = "/api/v1/me"


def _log_in(make: Maker, client: TestClient, username: str = "admin") -> str:
    """Log in through the login page; the CSRF token of the new session."""
    make.user(username)
    r = client.post("/login", data={"username": username, "password": "password-123", "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/")
    assert page.status_code == 200
    return page.text.split('name="csrf-token" content="')[1].split('"')[0]


def test_login_page_sets_an_httponly_lax_signed_cookie(make: Maker, client: TestClient) -> None:
    make.user("admin")
    r = client.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    header = r.headers["set-cookie"].lower()
    assert header.startswith(f"{sessions.COOKIE}=")
    assert "httponly" in header and "samesite=lax" in header and "max-age=2592000" in header
    assert "secure" not in header  # plain http in the test client
    assert client.get(ME).json()["username"] == "admin"


def test_cookie_is_secure_over_https(app: Any, make: Maker) -> None:
    make.user("admin")
    with TestClient(app, base_url="https://testserver") as secure:
        r = secure.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
    assert "secure" in r.headers["set-cookie"].lower()


def test_wrong_password_shows_the_form_again_without_a_cookie(make: Maker, client: TestClient) -> None:
    make.user("admin")
    r = client.post("/login", data={"username": "admin", "password": "wrong-one!"})
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    assert sessions.COOKIE not in r.cookies


def test_login_never_redirects_off_site(make: Maker, client: TestClient) -> None:
    make.user("admin")
    r = client.post("/login", data={"username": "admin", "password": "password-123", "next": "//evil.example/x"},
                    follow_redirects=False)
    assert r.headers["location"] == "/"


def test_tampered_cookie_is_refused(make: Maker, client: TestClient) -> None:
    _log_in(make, client)
    value = client.cookies[sessions.COOKIE]
    token, _, signature = value.rpartition(".")
    client.cookies.set(sessions.COOKIE, token[:-1] + ("A" if token[-1] != "A" else "B") + "." + signature)
    assert client.get(ME).status_code == 401
    client.cookies.set(sessions.COOKIE, token + ".forged")
    assert client.get(ME).status_code == 401


def test_pages_without_a_session_redirect_to_login(client: TestClient) -> None:
    r = client.get("/apps/shop?x=1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fapps%2Fshop%3Fx%3D1"


def test_cookie_changes_need_the_csrf_header(make: Maker, client: TestClient) -> None:
    make.app_def()
    csrf = _log_in(make, client)
    url = make.url()
    refused = client.post(url, json={"data": {"name": "甲"}})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf"
    wrong = client.post(url, json={"data": {"name": "甲"}}, headers={"X-CSRF-Token": csrf[:-2] + "xx"})
    assert wrong.status_code == 403
    assert client.get(url).json()["items"] == []  # nothing was written
    ok = client.post(url, json={"data": {"name": "甲"}}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


def test_csrf_token_belongs_to_one_session(make: Maker, client: TestClient, app: Any) -> None:
    make.app_def()
    first = _log_in(make, client)
    with TestClient(app) as other:
        second = _log_in(make, other)
        assert first != second
        r = other.post(make.url(), json={"data": {"name": "乙"}}, headers={"X-CSRF-Token": first})
        assert r.status_code == 403


def test_bearer_requests_need_no_csrf_token(make: Maker, client: TestClient) -> None:
    make.app_def()
    r = client.post(make.url(), json={"data": {"name": "甲"}}, headers=make.admin)
    assert r.status_code == 201


def test_logout_ends_the_session_at_once(make: Maker, client: TestClient) -> None:
    csrf = _log_in(make, client)
    cookie = client.cookies[sessions.COOKIE]
    r = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    assert f'{sessions.COOKIE}=""' in r.headers["set-cookie"] and "max-age=0" in r.headers["set-cookie"].lower()
    client.cookies.set(sessions.COOKIE, cookie)  # a copy kept by an attacker is dead too
    assert client.get(ME).status_code == 401


def test_logout_needs_the_csrf_token(make: Maker, client: TestClient) -> None:
    _log_in(make, client)
    assert client.post("/api/v1/auth/logout").status_code == 403
    assert client.get(ME).status_code == 200


def test_logout_form_takes_the_token_as_a_field(make: Maker, client: TestClient) -> None:
    csrf = _log_in(make, client)
    cookie = client.cookies[sessions.COOKIE]
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    client.cookies.set(sessions.COOKIE, cookie)
    assert client.get(ME).status_code == 401


def test_logout_of_a_bearer_token_revokes_it(make: Maker, client: TestClient) -> None:
    headers = make.admin
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    assert client.get(ME, headers=headers).status_code == 401


def test_generated_secret_key_is_kept_private_in_the_data_dir(make: Maker, client: TestClient, app: Any) -> None:
    _log_in(make, client)
    path = app.state.settings.data_dir / sessions.KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(path.read_text()) >= 32
