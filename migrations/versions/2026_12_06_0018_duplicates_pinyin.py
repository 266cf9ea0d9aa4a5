"""Duplicates and pinyin search (issue 26): record_dedup_keys (each record's blocking keys under its form's
duplicate rules) and record_pinyin (the pinyin spellings of its searched text fields), filled for the records
already stored; the search documents are rebuilt so they carry the spellings' words; record_merges (a
merged record's survivor and what undoing the merge puts back).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from runtime.apps import definitions
from runtime.db.tables import record_dedup_keys, record_merges, record_pinyin
from runtime.records import duplicates, search

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    record_dedup_keys.create(conn)
    record_pinyin.create(conn)
    record_merges.create(conn)
    for row in definitions.list_apps(conn):
        app, _ = definitions.current(conn, row.key)
        for form in app.forms:
            search.rebuild(conn, app.key, form)
            duplicates.rebuild(conn, app.key, form)


def downgrade() -> None:
    conn = op.get_bind()
    record_merges.drop(conn)
    record_pinyin.drop(conn)
    record_dedup_keys.drop(conn)
