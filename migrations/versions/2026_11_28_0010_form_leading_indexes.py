"""SQLite: every form index leads with the `form` column, so that without planner statistics a list
sorted by an indexed field walks that field's index instead of sorting the whole form
(runtime/records/indexes.py says why). The indexes are built anew and the old ones dropped;
PostgreSQL's stay as they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

from runtime.apps import definitions

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    definitions.sync_all_indexes(op.get_bind())


def downgrade() -> None:
    """The new indexes stay: the code of 0009 brings a form's indexes back to its own on the next
    import or upgrade of its app."""
