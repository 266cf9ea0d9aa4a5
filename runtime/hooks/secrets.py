"""Each inbound hook's secret, kept apart from the definition and write-only: made here, shown once to whoever
made or rotated it, never read back by any route. Sealed as every stored secret is (runtime/crypto/stored_secrets.py):
the caller's HMAC needs the secret itself, so it cannot be a one-way hash."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from runtime.crypto.stored_secrets import resealed, seal, unseal
from runtime.db.tables import hook_secrets
from runtime.jobs.handlers.webhook import signature


def _scope(app: str, hook: str) -> str:
    return f"hooks/{app}/{hook}"  # bound to its hook: a ciphertext moved to another does not decrypt


def rotate(conn: Connection, app: str, hook: str, now: datetime, by: str | None) -> str:
    """A new secret for the hook, replacing any earlier one at once; the plaintext is returned this once."""
    secret = "whsec_" + secrets.token_urlsafe(32)
    stored = seal(secret, _scope(app, hook))
    conn.execute(delete(hook_secrets).where(hook_secrets.c.app == app, hook_secrets.c.hook == hook))
    conn.execute(insert(hook_secrets).values(app=app, hook=hook, secret=stored, created_at=now, created_by=by))
    return secret


def secret_of(conn: Connection, app: str, hook: str) -> str | None:
    """The hook's secret, to check a delivery with (None: none was made yet, so nothing can be accepted)."""
    stored = conn.scalar(select(hook_secrets.c.secret).where(hook_secrets.c.app == app, hook_secrets.c.hook == hook))
    if stored is None:
        return None
    return unseal(stored, _scope(app, hook))


def made_at(conn: Connection, app: str) -> dict[str, datetime]:
    """When each of the app's hooks got its current secret (what the hooks page shows instead of it)."""
    rows = conn.execute(select(hook_secrets.c.hook, hook_secrets.c.created_at).where(hook_secrets.c.app == app))
    return {r.hook: r.created_at for r in rows}


def signed(secret: str, body: bytes, given: str | None) -> bool:
    """Whether `given` is the body's signature (with or without the `sha256=` prefix), in constant time."""
    if not given:
        return False
    wanted = signature(secret, body)  # the signature Tangram's own webhooks send: one format both ways
    given = given.strip()
    if not given.startswith("sha256="):
        given = "sha256=" + given
    return hmac.compare_digest(wanted.encode(), given.lower().encode())


def bearer_ok(secret: str, authorization: str | None) -> bool:
    """Whether the Authorization header is `Bearer <secret>`, in constant time."""
    scheme, _, token = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), secret.encode())


def forget(conn: Connection, app: str, hook: str) -> None:
    """Drop a removed hook's secret."""
    conn.execute(delete(hook_secrets).where(hook_secrets.c.app == app, hook_secrets.c.hook == hook))


def reseal(conn: Connection) -> int:
    """Every hook's secret sealed again under the current key (`tangram crypto rotate-key`); how many."""
    rows = conn.execute(select(hook_secrets.c.app, hook_secrets.c.hook, hook_secrets.c.secret)).all()
    for row in rows:
        conn.execute(update(hook_secrets).where(hook_secrets.c.app == row.app, hook_secrets.c.hook == row.hook)
                     .values(secret=resealed(row.secret, _scope(row.app, row.hook))))
    return len(rows)


__all__ = ["bearer_ok", "forget", "made_at", "reseal", "rotate", "secret_of", "signed"]
