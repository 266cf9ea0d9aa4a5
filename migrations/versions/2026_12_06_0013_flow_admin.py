"""The administrator's view of a flow (issue 24): a delivery remembers the start of the receiver's answer
(on success too; only the answer, never the request: the signing secret and the body sent stay in the
job), and a flow's instances are listed newest first through an index of their own.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("response", sa.String(500)))
    op.create_index("ix_flow_instances_flow", "flow_instances", ["app", "flow", "id"])


def downgrade() -> None:
    op.drop_index("ix_flow_instances_flow", "flow_instances")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("response")
