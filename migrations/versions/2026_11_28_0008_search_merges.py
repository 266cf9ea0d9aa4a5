"""SQLite's search index stops merging its segments inside writers' commits: the server's maintenance
thread merges them (runtime/records/search.py, stop_automerge). Nothing changes on PostgreSQL.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

from runtime.records import search

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        search.stop_automerge(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":  # FTS5's default
        conn.exec_driver_sql("INSERT INTO record_search(record_search, rank) VALUES('automerge', 4)")
