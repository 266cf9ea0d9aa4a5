"""An in-app message remembers the flow step that sent it (`messages.step`, a cc / notify step's path), so
抄送我 shows the text a cc sent beside its run-log line (issue 24). Messages sent before stay without one.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("step", sa.String(200)))


def downgrade() -> None:
    # Not a batch (SQLite would copy the table): a plain DROP COLUMN, which SQLite 3.35+ and PostgreSQL take.
    op.execute("ALTER TABLE messages DROP COLUMN step")
