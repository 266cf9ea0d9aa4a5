"""The recycle bin's index (issue 26): a form's deleted records, newest deletion first, without a scan of
the form. The list's index (ix_records_form_id) covers only live records; this one only deleted ones.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_form_deleted", "records", ["app", "form", "deleted_at", "id"],
                    postgresql_where=sa.text("deleted_at IS NOT NULL"), sqlite_where=sa.text("deleted_at IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_records_form_deleted", table_name="records")
