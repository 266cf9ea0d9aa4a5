"""An app remembers the template version it was installed from (issue 29): `apps.template`, the base of a
template upgrade's three-way merge. Apps installed before keep their first version as that base: it is
the template as it was imported.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runtime.db.types import RecordJSON

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("apps", sa.Column("template", RecordJSON))
    op.execute("UPDATE apps SET template = (SELECT definition FROM app_versions "
               "WHERE app_versions.app = apps.\"key\" AND app_versions.version = 1)")


def downgrade() -> None:
    # Not a batch (SQLite would copy `apps` and drop it: with foreign keys on, that cascades to app_versions).
    op.execute("ALTER TABLE apps DROP COLUMN template")
