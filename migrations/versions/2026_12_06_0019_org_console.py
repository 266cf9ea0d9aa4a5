"""The admin console (issue 27): users' mobile and e-mail, a forced password change at next login,
departments that can be deactivated, and the audit log indexed by action (the viewer's filter, the login
history); user, time and record filters already have theirs (0003).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("mobile", sa.String(32)))
        batch.add_column(sa.Column("email", sa.String(254)))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("departments") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_index("ix_audit_log_action", "audit_log", ["action", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_action", "audit_log")
    with op.batch_alter_table("departments") as batch:
        batch.drop_column("active")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
        batch.drop_column("email")
        batch.drop_column("mobile")
