"""SQLite's text key now orders case, width and accents as ICU does (engine/text_order.py), where it
ordered them by code point: every index over `tg_text_key(…)` is rebuilt with the new key, or its
entries would be out of order. PostgreSQL's indexes (`COLLATE "zh-x-icu"`) are unchanged.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

from engine.text_order import SQL_FUNCTION

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    names = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE ?",
                                 (f"%{SQL_FUNCTION}(%",)).scalars().all()
    for name in names:
        conn.exec_driver_sql(f'REINDEX "{name}"')


def downgrade() -> None:
    """Nothing to undo: the old code rebuilds nothing, so its indexes would keep the new key's order;
    run `REINDEX` after going back."""
