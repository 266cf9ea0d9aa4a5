"""Pinyin search (issue 26): a value's spellings leave out brackets and other marks (engine/pinyin.py), so
恒瑞精密机械（苏州）有限公司 is found by hrjmjxsz as it is typed. The records whose stored spellings hold such a
mark are indexed anew (their spellings and search words); the others are unchanged.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import select, text

from runtime.apps import definitions
from runtime.db.tables import record_pinyin, records
from runtime.records import search

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    conn = op.get_bind()
    # a superset: any character but the letters, digits and separators a spelling now holds
    marked = text("spelled ~ '[^a-z0-9|]'" if conn.dialect.name == "postgresql" else "spelled GLOB '*[^a-z0-9|]*'")
    for row in definitions.list_apps(conn):
        app, _ = definitions.current(conn, row.key)
        for form in app.forms:
            if not form.searched_fields:
                continue
            ids = select(record_pinyin.c.record_id).where(marked).distinct()
            query = select(records.c.id, records.c.data).where(
                records.c.app == app.key, records.c.form == form.key, records.c.id.in_(ids))
            after = 0
            while batch := conn.execute(query.where(records.c.id > after).order_by(records.c.id).limit(BATCH)).all():
                search.index_records(conn, form, [r.id for r in batch], [r.data for r in batch], replace=True)
                after = batch[-1].id


def downgrade() -> None:
    # Nothing in the schema to undo; the older code still finds these records by their spellings' start.
    pass
