"""Security: API token scopes (apps, read/write), login throttling, the append-only audit log, record
shares (协作人), and the records indexes row scopes use (owner, department).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runtime.db.types import RecordJSON, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")


LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_records_owner", "records", ["app", "form", "owner", "id"], postgresql_where=LIVE,
                    sqlite_where=LIVE)
    op.create_index("ix_records_department", "records", ["app", "form", "department", "id"], postgresql_where=LIVE,
                    sqlite_where=LIVE)
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("apps", RecordJSON))
        batch.add_column(sa.Column("scope", sa.String(8)))
    op.create_table(
        "login_attempts",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", UTCDateTime, nullable=False),
        sa.Column("locked_until", UTCDateTime),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(64)),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("app", sa.String(63)),
        sa.Column("form", sa.String(63)),
        sa.Column("record_id", sa.BigInteger),
        sa.Column("ip", sa.String(64)),
        sa.Column("detail", RecordJSON, nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at", "id"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor", "id"])
    op.create_index("ix_audit_log_record", "audit_log", ["app", "form", "record_id", "id"])
    op.create_table(
        "record_shares",
        sa.Column("record_id", Id, sa.ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("who", sa.String(64), primary_key=True),
    )
    op.create_index("ix_record_shares_who", "record_shares", ["kind", "who"])


def downgrade() -> None:
    op.drop_index("ix_records_department", "records")
    op.drop_index("ix_records_owner", "records")
    op.drop_table("record_shares")
    op.drop_table("audit_log")
    op.drop_table("login_attempts")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("scope")
        batch.drop_column("apps")
