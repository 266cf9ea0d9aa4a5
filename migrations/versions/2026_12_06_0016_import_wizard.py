"""Import wizard (issue 26): each import from upload to result (its file, mapping, dry run, progress),
and the column mapping saved per form for the next import.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runtime.db.types import RecordJSON, UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "import_runs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("app", sa.String(63), nullable=False),
        sa.Column("form", sa.String(63), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("file_id", sa.String(32), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("spec", RecordJSON, nullable=False),
        sa.Column("result", RecordJSON, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_import_runs_form", "import_runs", ["app", "form", "id"])
    op.create_table(
        "import_mappings",
        sa.Column("app", sa.String(63), primary_key=True),
        sa.Column("form", sa.String(63), primary_key=True),
        sa.Column("spec", RecordJSON, nullable=False),
        sa.Column("updated_by", sa.String(64)),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("import_mappings")
    op.drop_index("ix_import_runs_form", "import_runs")
    op.drop_table("import_runs")
