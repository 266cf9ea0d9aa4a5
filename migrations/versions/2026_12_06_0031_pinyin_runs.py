"""Pinyin search (issue 26): the search index writes a spelling's words as runs of five letters (and the
shorter runs that end it) instead of runs of three in hex (engine/search.py `spelling_document`), so the
documents of every form that searches a field are written anew. The spellings themselves (record_pinyin)
are unchanged; rebuild writes them again with the documents.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from runtime.apps import definitions
from runtime.records import search

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    for row in definitions.list_apps(conn):
        app, _ = definitions.current(conn, row.key)
        for form in app.forms:
            search.rebuild(conn, app.key, form)


def downgrade() -> None:
    # Nothing in the schema to undo. The documents stay in the newer form: the older code's pinyin search
    # finds nothing through them until a form's index is rebuilt (a change of its searched fields).
    pass
