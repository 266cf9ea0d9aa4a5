"""Login throttling without a lock-out weapon (issue 21): login_attempts says which name and address a count
is about (an administrator's unlock clears a name's rows), and login_addresses remembers where each user
has logged in before. The old counts (per name, per address) are dropped: their meaning changed, and
they are only minutes of state.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runtime.db.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.execute("DELETE FROM login_attempts")
    with op.batch_alter_table("login_attempts") as batch:
        batch.add_column(sa.Column("username", sa.String(200)))
        batch.add_column(sa.Column("address", sa.String(64)))
    op.create_index("ix_login_attempts_username", "login_attempts", ["username"])
    op.create_table(
        "login_addresses",
        sa.Column("user_id", Id, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("address", sa.String(64), primary_key=True),
        sa.Column("last_login_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("login_addresses")
    op.execute("DELETE FROM login_attempts")
    op.drop_index("ix_login_attempts_username", "login_attempts")
    with op.batch_alter_table("login_attempts") as batch:
        batch.drop_column("address")
        batch.drop_column("username")
