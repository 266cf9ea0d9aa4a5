"""Passwords are stored as argon2id at RFC 9106's parameters (the rest of the suite hashes cheaply, see
tests/conftest.py): the hash names its parameters, verifies, refuses a wrong password, and an unknown user is
checked against a hash of the same cost."""

from __future__ import annotations

import pytest

from runtime.auth import passwords
from tests.hashing import PRODUCTION


@pytest.fixture
def production_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", PRODUCTION)


def test_a_password_is_stored_as_argon2id_at_the_rfc_9106_cost(production_hasher: None) -> None:
    stored = passwords.hash_password("销售-2026-春")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert "销售-2026-春" not in stored
    assert passwords.verify_password(stored, "销售-2026-春")
    assert not passwords.verify_password(stored, "销售-2026-夏")
    assert passwords.hash_password("销售-2026-春") != stored  # salted


def test_an_unknown_user_is_checked_against_a_hash_of_the_same_cost(production_hasher: None) -> None:
    assert passwords._DUMMY.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not passwords.verify_password(None, "tangram-dummy-password")  # the dummy's own password opens nothing
