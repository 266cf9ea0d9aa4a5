"""Search index (issue 7): record_search, an FTS5 table on SQLite and a GIN tsvector on PostgreSQL,
filled for the records already stored.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

from runtime.apps import definitions
from runtime.records import search

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    search.create_table(conn)
    for row in definitions.list_apps(conn):
        app, _ = definitions.current(conn, row.key)
        for form in app.forms:
            search.rebuild(conn, app.key, form)


def downgrade() -> None:
    search.drop_table(op.get_bind())
