"""Admin roles (issue 27): a department member of a role may count its sub-departments (含下级部门), and the
members of roles the published definition no longer has are removed (a role created again under the same
key must start without members); and users are searched through an index of their words (user_search_words:
every suffix of their username, display name and its pinyin, mobile and e-mail), filled here for those there are.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runtime.accounts import user_search
from runtime.db.tables import app_versions, apps, role_departments, role_members, user_search_words

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def _drop_orphan_members() -> None:
    conn = op.get_bind()
    current = conn.execute(sa.select(app_versions.c.app, app_versions.c.definition).join(
        apps, sa.and_(apps.c.key == app_versions.c.app, apps.c.version == app_versions.c.version)))
    for row in current:
        definition = row.definition if isinstance(row.definition, dict) else {}
        keep = sorted({r["key"] for r in definition.get("roles") or [] if isinstance(r, dict) and "key" in r})
        for table in (role_members, role_departments):
            conn.execute(sa.delete(table).where(table.c.app == row.app, table.c.role.not_in(keep)))


def upgrade() -> None:
    with op.batch_alter_table("role_departments") as batch:
        batch.add_column(sa.Column("with_subdepartments", sa.Boolean(), nullable=False, server_default=sa.false()))
    _drop_orphan_members()
    user_search_words.create(op.get_bind())
    user_search.refresh_all(op.get_bind())


def downgrade() -> None:
    user_search_words.drop(op.get_bind())
    with op.batch_alter_table("role_departments") as batch:
        batch.drop_column("with_subdepartments")
