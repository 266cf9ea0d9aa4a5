"""Exports from the list page (issue 26): a whole filtered list exported to xlsx or CSV, in the background
past a threshold, with its progress and the finished file.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runtime.db.types import RecordJSON, UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("app", sa.String(63), nullable=False),
        sa.Column("form", sa.String(63), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("encoding", sa.String(8), nullable=False),
        sa.Column("params", RecordJSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer()),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.String(32)),
        sa.Column("error", sa.String(2000)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime),
    )
    op.create_index("ix_exports_user", "exports", ["username", "id"])


def downgrade() -> None:
    op.drop_index("ix_exports_user", "exports")
    op.drop_table("exports")
