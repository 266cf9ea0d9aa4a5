"""Secrets Tangram stores to use them itself — 系统设置's passwords and robot secrets, connector secrets, inbound
hooks' secrets — sealed one way wherever they are kept.

They are sealed with the keyring when one is configured. A server without an encryption key stores them as
is, marked `plain:`: the SMTP password or a hook's HMAC secret must be usable on a server started with
`make run`, as in comparable products, and a one-way hash is impossible (the value itself is sent or signed
with). The settings page says so, and `tangram crypto rotate-key` seals them once a key is configured — and
re-seals them under a new key, so dropping the old key from the key file loses none of them."""

from __future__ import annotations

from runtime.crypto import keyring

PLAIN = "plain:"


def seal(value: str, scope: str) -> str:
    """`value` as stored: encrypted for `scope` (a ciphertext moved to another scope does not open), or marked plain."""
    ring = keyring.installed()
    return ring.encrypt(value, scope) if ring is not None else PLAIN + value


def unseal(stored: str, scope: str) -> str:
    """The value `seal` stored (EncryptionKeyMissing when it was sealed and this process has no key)."""
    if stored.startswith(PLAIN):
        return stored[len(PLAIN):]
    return keyring.current().decrypt(stored, scope)


def resealed(stored: str, scope: str) -> str:
    """`stored` sealed again under the keyring's current key (a plain one sealed for the first time); needs a key."""
    return keyring.current().encrypt(unseal(stored, scope), scope)


__all__ = ["PLAIN", "resealed", "seal", "unseal"]
