"""History keeps the changed fields per version (issue 28): each stored full version that is not a
snapshot (runtime/records/history.py: the first version, then every SNAPSHOT_EVERY-th) becomes its delta
from the version before. The downgrade writes every version whole again.

Rows are read as JSON text and written back as the column stores them (JSONB or TEXT on SQLite), and
sealed data stays sealed: a delta carries the ciphertexts of its encrypted values, so no key is needed.
The records are walked in ranges of ids, a few thousand history rows at a time.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from runtime.db.types import dumps
from runtime.records.history import apply, is_delta, to_store

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

RECORDS_PER_PASS = 1000


def upgrade() -> None:
    _rewrite(lambda version, before, full: to_store(version, before, full))


def downgrade() -> None:
    _rewrite(lambda _version, _before, full: full)


def _rewrite(keep: Callable[[int, dict[str, Any] | None, dict[str, Any]], dict[str, Any]]) -> None:
    """Store each history row as `keep(version, the version before whole or None, this version whole)`."""
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    read = sa.text("SELECT id, record_id, version, {data} AS data, {kind} AS kind FROM record_history "
                   "WHERE record_id >= :low AND record_id < :high ORDER BY record_id, version".format(
                       data="data::text" if postgres else "json(data)", kind="'jsonb'" if postgres else "typeof(data)"))
    write = {kind: sa.text(f"UPDATE record_history SET data = {mark} WHERE id = :id")
             for kind, mark in (("jsonb", "CAST(:data AS jsonb)"), ("blob", "jsonb(:data)"), ("text", ":data"))}
    low, top = conn.execute(sa.text("SELECT min(record_id), max(record_id) FROM record_history")).one()
    while low is not None and low <= top:
        changes: dict[str, list[dict[str, Any]]] = {}
        record, full = None, None
        for row in conn.execute(read, {"low": low, "high": low + RECORDS_PER_PASS}):
            stored = json.loads(row.data)
            before = full if row.record_id == record else None
            full = apply(before or {}, stored)
            record = row.record_id
            kept = keep(row.version, before, full)
            if kept != stored or is_delta(kept) != is_delta(stored):
                changes.setdefault(row.kind, []).append({"id": row.id, "data": dumps(kept)})
        for kind, params in changes.items():
            conn.execute(write[kind], params)
        low += RECORDS_PER_PASS
