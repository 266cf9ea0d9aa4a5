"""Whole departments as members of an app role (issue 27): their members hold the role, resolved at check time.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "role_departments",
        sa.Column("app", sa.String(63), sa.ForeignKey("apps.key", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.String(63), primary_key=True),
        sa.Column("department", sa.String(63), sa.ForeignKey("departments.key", ondelete="CASCADE"),
                  primary_key=True),
    )
    op.create_index("ix_role_departments_department", "role_departments", ["department"])


def downgrade() -> None:
    op.drop_index("ix_role_departments_department", "role_departments")
    op.drop_table("role_departments")
