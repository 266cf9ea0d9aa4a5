"""系统设置's page warns, where secrets are saved, when the server has no encryption key to seal them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from runtime.crypto import keyring
from tests.factories import Maker


def test_the_page_warns_that_secrets_are_kept_plain_without_an_encryption_key(make: Maker, client: TestClient,
                                                                              app: Any) -> None:
    make.user("boss")
    r = client.post("/login", data={"username": "boss", "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    keyring.install(None)
    page = client.get("/admin/settings")
    assert page.status_code == 200 and 'id="st-unsealed"' in page.text and "tangram crypto rotate-key" in page.text
    keyring.install(keyring.load(keyring.new_key(), None))
    try:
        assert 'id="st-unsealed"' not in client.get("/admin/settings").text
    finally:
        keyring.install(None)
