"""Flows: instances, tasks, the durable job queue (outbox), deliveries, in-app messages, round-robin counters.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runtime.db.types import RecordJSON, UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "flow_instances",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("app", sa.String(63), nullable=False),
        sa.Column("flow", sa.String(63), nullable=False),
        sa.Column("def_version", sa.Integer, nullable=False),
        sa.Column("form", sa.String(63), nullable=False),
        sa.Column("record_id", sa.BigInteger),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitter", sa.String(64)),
        sa.Column("locks_record", sa.Boolean, nullable=False),
        sa.Column("state", RecordJSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime),
    )
    op.create_index("ix_flow_instances_record", "flow_instances", ["record_id", "status"])
    op.create_table(
        "flow_tasks",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("instance_id", Id, sa.ForeignKey("flow_instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("step", sa.String(200), nullable=False),
        sa.Column("step_name", sa.String(200), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("app", sa.String(63), nullable=False),
        sa.Column("form", sa.String(63), nullable=False),
        sa.Column("record_id", sa.BigInteger),
        sa.Column("comment", sa.String(2000)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("due_at", UTCDateTime),
        sa.Column("decided_at", UTCDateTime),
        sa.Column("decided_by", sa.String(64)),
        sa.UniqueConstraint("instance_id", "key"),
    )
    op.create_index("ix_flow_tasks_assignee", "flow_tasks", ["assignee", "status"])
    op.create_table(
        "jobs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), unique=True),
        sa.Column("payload", RecordJSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("run_at", UTCDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("locked_by", sa.String(64)),
        sa.Column("locked_until", UTCDateTime),
        sa.Column("last_error", sa.String(2000)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_jobs_due", "jobs", ["status", "run_at"])
    op.create_table(
        "deliveries",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.BigInteger, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("error", sa.String(2000)),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_deliveries_job_id", "deliveries", ["job_id"])
    op.create_table(
        "messages",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.String(4000), nullable=False),
        sa.Column("app", sa.String(63)),
        sa.Column("record_id", sa.BigInteger),
        sa.Column("instance_id", sa.BigInteger),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("read_at", UTCDateTime),
    )
    op.create_index("ix_messages_user", "messages", ["username", "id"])
    op.create_table(
        "flow_counters",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("flow_counters", "messages", "deliveries", "jobs", "flow_tasks", "flow_instances"):
        op.drop_table(table)
