"""Cheap password hashing for the suite.

argon2 at its production cost (64 MiB, 3 passes, 4 lanes) takes 0.1–2.5 s a hash or a check on the shared
two cores, and nearly every test signs a user in; the hash is under test in one place,
tests/runtime/accounts/test_password_hashing.py, with `PRODUCTION`."""

from __future__ import annotations

from argon2 import PasswordHasher

from runtime.auth import passwords

PRODUCTION = passwords._hasher


def cheap() -> None:
    """Every in-process hash and check from now on at the cheapest parameters (a `tangram` subprocess keeps
    the production ones)."""
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
