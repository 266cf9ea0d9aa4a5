"""Record history as deltas: a version stores the fields that changed, and reading rebuilds full versions.

A history row's `data` is either a full version (the record's whole data after the write) or a delta
from the version before it: the values that differ, and under DELTA the keys that were removed. The
first version of a record is full, and so is every SNAPSHOT_EVERY-th after it (versions 1, 17, 33, …),
so rebuilding any version reads at most SNAPSHOT_EVERY rows, and so does a write, which takes its
delta from the version before as history has it rebuilt (not from the records row: derived values and
type conversions change that row without a version, and a delta from it would lose them).

A row without DELTA is read as full, so rows written whole (an older release, an import's publish)
stay correct. Deltas work on sealed data too (runtime/crypto/fields.py): the ciphertexts of the
encrypted values a delta carries go with it, which is what migration 0024 needs, having no key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from engine.forms.model import FormDefinition
from runtime.crypto.fields import SEALED, seal
from runtime.db.tables import record_history

DELTA = "~delta"
"""The member of a delta listing the keys the version removed; cannot be a field key (keys start with a letter)."""

SNAPSHOT_EVERY = 16
"""A full version every this many versions: rebuilding one, and writing one, reads at most this many rows."""

_META = (SEALED, DELTA)


def is_snapshot(version: int) -> bool:
    """Whether this version is stored whole."""
    return version % SNAPSHOT_EVERY == 1


def is_delta(stored: dict[str, Any]) -> bool:
    return DELTA in stored


def delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What turns `before` into `after`: the values that differ, the removed keys under DELTA, and for
    sealed data the ciphertexts of the values carried."""
    changed = {k: v for k, v in after.items() if k not in _META and (k not in before or before[k] != v)}
    removed = sorted(k for k in before if k not in _META and k not in after)
    sealed = after.get(SEALED)
    if sealed is not None:
        ciphers = {k: c for k, c in sealed["v"].items() if k in changed}
        if ciphers:
            changed[SEALED] = {"at": sealed["at"], "v": ciphers}
    changed[DELTA] = removed
    return changed


def apply(full: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """The version a stored row holds, given the full version before it (a full row stands alone)."""
    if not is_delta(stored):
        return dict(stored)
    out = {k: v for k, v in full.items() if k not in stored[DELTA]}
    out.update((k, v) for k, v in stored.items() if k not in _META)
    if SEALED in full or SEALED in stored:
        gone = set(stored) | set(stored[DELTA])  # values replaced or removed lose their old ciphertext
        ciphers = {k: c for k, c in full.get(SEALED, {}).get("v", {}).items() if k not in gone}
        ciphers.update(stored.get(SEALED, {}).get("v", {}))
        out.pop(SEALED, None)
        if ciphers:
            out[SEALED] = {"at": (stored.get(SEALED) or full[SEALED])["at"], "v": ciphers}
    return out


def to_store(version: int, before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """What a history row of `version` keeps: `after` whole at a snapshot or with no version before, else
    its delta from `before`."""
    return after if before is None or is_snapshot(version) else delta(before, after)


def row_data(conn: Connection, app: str, form: FormDefinition, record_id: int, version: int, data: dict[str, Any],
             sealed: dict[str, Any]) -> dict[str, Any]:
    """The `data` of the history row a write of `version` adds: `sealed` (the record's data as stored) at a
    snapshot, else the delta from the version before, sealed likewise."""
    kept = to_store(version, latest(conn, record_id), data)
    return sealed if kept is data else seal(app, form, kept)


@dataclass(frozen=True)
class Version:
    """One version of a record with its whole data, as history readers see it."""

    id: int
    record_id: int
    version: int
    action: str
    changed: list[str]
    data: dict[str, Any]
    at: datetime
    by: str | None


def rebuilt(rows: Iterable[Any]) -> list[Version]:
    """Full versions from history rows ordered by record, then version."""
    out: list[Version] = []
    full: dict[str, Any] = {}
    record = None
    for row in rows:
        full = apply(full if row.record_id == record else {}, row.data)
        record = row.record_id
        out.append(Version(row.id, row.record_id, row.version, row.action, list(row.changed), full, row.at, row.by))
    return out


def versions_of(conn: Connection, record_ids: list[int]) -> list[Version]:
    """Every version of these records, whole, ordered by record and version."""
    if not record_ids:
        return []
    h = record_history.c
    return rebuilt(conn.execute(select(record_history).where(h.record_id.in_(record_ids))
                                .order_by(h.record_id, h.version)))


def latest(conn: Connection, record_id: int) -> dict[str, Any] | None:
    """The record's last version as history has it, whole (None: no history yet). Reads back to the last
    full row: at most SNAPSHOT_EVERY rows, or all of a history with gaps in its versions."""
    h = record_history.c
    query = select(h.version, h.data).where(h.record_id == record_id).order_by(h.version.desc())
    rows = conn.execute(query.limit(SNAPSHOT_EVERY)).all()
    if len(rows) == SNAPSHOT_EVERY and all(is_delta(r.data) for r in rows):
        rows = conn.execute(query).all()
    chain = []
    for row in rows:
        chain.append(row.data)
        if not is_delta(row.data):
            break
    full: dict[str, Any] = {}
    for stored in reversed(chain):
        full = apply(full, stored)
    return full if chain else None


__all__ = ["DELTA", "SNAPSHOT_EVERY", "Version", "apply", "delta", "is_delta", "is_snapshot", "latest", "rebuilt",
           "row_data", "to_store", "versions_of"]
