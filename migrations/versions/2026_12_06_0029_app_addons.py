"""An app remembers the add-on templates installed into it (issue 29): `apps.addons`, by add-on key, the
add-on as installed and the roles it brought — the base of the add-on's upgrade and what its removal takes
out. Add-ons installed before are recognised by their forms and taken as the bundled version (NULL here).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runtime.db.types import RecordJSON

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("apps", sa.Column("addons", RecordJSON))


def downgrade() -> None:
    # Not a batch (SQLite would copy `apps` and drop it: with foreign keys on, that cascades to app_versions).
    op.execute("ALTER TABLE apps DROP COLUMN addons")
