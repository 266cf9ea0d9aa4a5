"""Text fields sort in Chinese order, Han by pinyin (engine/text_order.py): their indexes are built
anew on the new expressions, `COLLATE "zh-x-icu"` on PostgreSQL and `tg_text_key(…)` on SQLite, and
the old ones dropped. PostgreSQL must have ICU's Chinese collation; without it this stops, saying so.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

from runtime.apps import definitions

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql" and conn.exec_driver_sql(
            "SELECT 1 FROM pg_collation WHERE collname = 'zh-x-icu'").first() is None:
        raise RuntimeError('PostgreSQL lacks the ICU collation "zh-x-icu" that sorts Chinese text: '
                           "Tangram needs a PostgreSQL built with ICU (as Debian's and the official images are)")
    definitions.sync_all_indexes(conn)


def downgrade() -> None:
    """The new indexes stay: the code of 0008 brings a form's indexes back to its own on the next
    import or upgrade of its app."""
