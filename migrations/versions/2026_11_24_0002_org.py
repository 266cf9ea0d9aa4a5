"""Organisation: departments (a tree with heads), department members, app role members.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runtime.db.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("key", sa.String(63), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent", sa.String(63), sa.ForeignKey("departments.key")),
        sa.Column("head", sa.String(64)),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_departments_parent", "departments", ["parent"])
    op.create_table(
        "department_members",
        sa.Column("user_id", Id, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("department", sa.String(63), sa.ForeignKey("departments.key", ondelete="CASCADE"), primary_key=True),
        sa.Column("is_primary", sa.Boolean, nullable=False),
    )
    op.create_index("ix_department_members_department", "department_members", ["department"])
    op.create_table(
        "role_members",
        sa.Column("app", sa.String(63), sa.ForeignKey("apps.key", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.String(63), primary_key=True),
        sa.Column("user_id", Id, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_role_members_user_id", "role_members", ["user_id"])


def downgrade() -> None:
    op.drop_table("role_members")
    op.drop_table("department_members")
    op.drop_table("departments")
