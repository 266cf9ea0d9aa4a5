"""Tasks moved by 离职交接 close as `handed_over` (issue 27), no longer as `transferred` with the handover's
comment: the leaver's read grant ends by the status, so an ordinary 转交 whose comment happens to read
离职交接 keeps its grant. The tasks handed over before this revision are marked so here.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE flow_tasks SET status = 'handed_over' WHERE status = 'transferred' AND comment = '离职交接'")


def downgrade() -> None:
    op.execute("UPDATE flow_tasks SET status = 'transferred' WHERE status = 'handed_over'")
