"""Inbound hooks (issue 29): hook_secrets keeps each hook's secret write-only (sealed with the keyring when
one is configured); hook_deliveries logs every delivery and answers a repeated delivery id.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from runtime.db.tables import hook_deliveries, hook_secrets

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    hook_secrets.create(op.get_bind())
    hook_deliveries.create(op.get_bind())


def downgrade() -> None:
    hook_deliveries.drop(op.get_bind())
    hook_secrets.drop(op.get_bind())
