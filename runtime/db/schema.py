"""Creating and upgrading the platform's tables with alembic (migrations/)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from runtime.db.db import Database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent)."""
    config = _config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def downgrade(db: Database, revision: str) -> None:
    """Take the schema back to `revision` (a rollback: docs/deployment.md)."""
    config = _config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return revision_on(conn)


def revision_on(conn: Connection) -> str | None:
    """The revision the database of this connection is at (None: never upgraded)."""
    return MigrationContext.configure(conn).get_current_revision()


@cache
def _revisions() -> tuple[str | None, frozenset[str]]:
    """The head and every revision of migrations/ (read once: the scripts do not change while we run)."""
    script = ScriptDirectory.from_config(_config())
    return script.get_current_head(), frozenset(r.revision for r in script.walk_revisions())


def expected_revision() -> str | None:
    """The revision this code needs: the head of migrations/ (cached)."""
    return _revisions()[0]


def problem(db: Database) -> str | None:
    """Why this code cannot run on the database's schema, as one line naming the command that fixes it;
    None when the schema is at the head. `tangram serve` and `tangram worker` refuse to start on it."""
    head, known = _revisions()
    current = current_revision(db)
    if current == head:
        return None
    where = f"the database ({db.describe()})"
    if current is None:
        return (f"{where} has no Tangram schema: run `tangram serve --init` (schema, CRM template, admin user) "
                "or `tangram db upgrade`")
    if current in known:
        return (f"{where} has schema revision {current}, this version needs {head}: back up, then run "
                "`tangram db upgrade`")
    return (f"{where} has schema revision {current}, which this version of Tangram does not know (it needs {head}): "
            "run the newer Tangram that wrote it, or restore a backup")


def known_revision(revision: str) -> bool:
    """Whether `revision` is one of this code's migrations (a revision it does not know is newer)."""
    return revision in _revisions()[1]
