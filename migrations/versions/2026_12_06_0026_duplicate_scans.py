"""查重 groups found in the background (issue 26): a form's last duplicate scan and the pairs of records it
found, so that the 查重 page reads them instead of comparing every record on each request.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runtime.db.types import UTCDateTime

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duplicate_scans",
        sa.Column("app", sa.String(63), primary_key=True),
        sa.Column("form", sa.String(63), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("job_id", sa.BigInteger),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("generated_at", UTCDateTime),
        sa.Column("error", sa.String(2000)),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "duplicate_links",
        sa.Column("app", sa.String(63), primary_key=True),
        sa.Column("form", sa.String(63), primary_key=True),
        sa.Column("first_id", sa.BigInteger, primary_key=True),
        sa.Column("second_id", sa.BigInteger, primary_key=True),
        sa.Column("rule", sa.String(63), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("duplicate_links")
    op.drop_table("duplicate_scans")
