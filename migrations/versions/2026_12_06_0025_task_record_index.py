"""The approver read grant's index (issue 24): which of these records hold a task of this user, looked up per
record. Without it PostgreSQL answered the inbox page's "may the approver read these 50 records" by hashing
every task of the user (10,000 for a busy approver: 43 ms a page); with it, 50 index probes (0.1 ms).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_flow_tasks_record", "flow_tasks", ["record_id", "assignee"])


def downgrade() -> None:
    op.drop_index("ix_flow_tasks_record", table_name="flow_tasks")
