"""Tokens checked a moment ago are trusted for at most token_cache.SECONDS; a change to users, tokens or
departments made in this process takes effect at once, one made by another process within SECONDS."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.auth import token_cache
from runtime.auth.token_cache import TokenCache
from runtime.db import recent
from tests.factories import Maker

ME = "/api/v1/me"


def _deactivate_behind_our_back(make: Maker, username: str) -> None:
    """As another process would: straight through the driver, past this engine's events."""
    raw = make.app.state.db.engine.raw_connection()
    try:
        raw.cursor().execute(f"UPDATE users SET active = false WHERE username = '{username}'")
        raw.commit()
    finally:
        raw.close()


def test_deactivating_a_user_through_the_api_refuses_their_next_request(make: Maker) -> None:
    rep = make.user("rep", admin=False)
    assert make.client.get(ME, headers=rep).status_code == 200  # now cached
    r = make.client.patch("/api/v1/users/rep", json={"active": False}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert make.client.get(ME, headers=rep).status_code == 401


def test_logging_out_refuses_the_token_at_once(make: Maker) -> None:
    rep = make.user("rep", admin=False)
    assert make.client.get(ME, headers=rep).status_code == 200
    assert make.client.post("/api/v1/auth/logout", headers=rep).status_code in (200, 204)
    assert make.client.get(ME, headers=rep).status_code == 401


def test_a_change_by_another_process_takes_effect_within_the_cache_lifetime(make: Maker, monkeypatch: Any) -> None:
    rep = make.user("rep", admin=False)
    assert make.client.get(ME, headers=rep).status_code == 200
    _deactivate_behind_our_back(make, "rep")
    assert make.client.get(ME, headers=rep).status_code == 200  # trusted from the cache for now
    later = recent.monotonic() + token_cache.SECONDS
    monkeypatch.setattr(recent, "monotonic", lambda: later)
    assert make.client.get(ME, headers=rep).status_code == 401


def test_without_the_cache_the_same_change_is_seen_at_once(make: Maker) -> None:
    """The test above fails for the right reason: it is the cache that kept the token alive."""
    rep = make.user("rep", admin=False)
    make.app.state.token_cache.seconds = 0
    assert make.client.get(ME, headers=rep).status_code == 200
    _deactivate_behind_our_back(make, "rep")
    assert make.client.get(ME, headers=rep).status_code == 401


def test_a_lookup_begun_before_a_clear_is_not_kept() -> None:
    cache = TokenCache()
    begun = cache.generation
    cache.clear()  # a write to users or tokens committed meanwhile
    cache.put("secret", object(), begun)
    assert cache.get("secret") is None
    cache.put("secret", row := object(), cache.generation)
    assert cache.get("secret") is row


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recent, "MAX_ENTRIES", 3)
    cache = TokenCache()
    for i in range(4):
        cache.put(f"t{i}", i, cache.generation)
    assert len(cache._entries) <= 3 and cache.get("t3") == 3
