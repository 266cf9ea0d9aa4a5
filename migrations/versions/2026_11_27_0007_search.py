"""Search index (issue 7): record_search, an FTS5 table on SQLite and a GIN tsvector on PostgreSQL,
filled for the records already stored (by revision 0014, see upgrade).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

from runtime.records import search

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The documents of the records already stored are written by 0014, which rebuilds every form's index:
    # today's indexing code also writes the pinyin table that revision creates.
    search.create_table(op.get_bind())


def downgrade() -> None:
    search.drop_table(op.get_bind())
