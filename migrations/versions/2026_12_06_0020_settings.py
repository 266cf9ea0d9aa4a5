"""System settings (issue 27): system_settings holds the values administrators set in 系统设置, each
overriding the environment's default; secrets are stored encrypted with the keyring.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from runtime.db.tables import system_settings

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    system_settings.create(op.get_bind())


def downgrade() -> None:
    system_settings.drop(op.get_bind())
