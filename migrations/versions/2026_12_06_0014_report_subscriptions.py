"""Dashboard subscriptions (issue 25): who gets a dashboard's snapshot, how often and through which channel.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runtime.db.types import RecordJSON, UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_subscriptions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("app", sa.String(63), nullable=False),
        sa.Column("report", sa.String(63), nullable=False),
        sa.Column("spec", RecordJSON, nullable=False),
        sa.Column("created_by", sa.String(64)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_sent_at", UTCDateTime),
    )
    op.create_index("ix_report_subscriptions_report", "report_subscriptions", ["app", "report"])


def downgrade() -> None:
    op.drop_index("ix_report_subscriptions_report", "report_subscriptions")
    op.drop_table("report_subscriptions")
