"""`tangram backup`: one archive holding the database, the uploaded files and the data directory's
config, with a manifest (versions, schema revision, checksums). The DuckDB mirror is left out: the
server rebuilds it from the database."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from runtime.db import schema
from runtime.db.db import Database
from runtime.ops import archive, dumps

SKIPPED = ("tangram.db", "analytics.")
"""Names in the data directory that are not config: the SQLite database (with its -wal and -shm),
which the dump holds, and the analytics mirror (with its .wal, its published copies and their pointer,
its owner's lock: runtime/analytics/owner.py), which is rebuilt."""


def tangram_version() -> str:
    try:
        return version("tangram")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def data_members(data_dir: Path, exclude: set[Path]) -> dict[str, Path]:
    """Archive name -> file for the data directory: `files/…` (uploads, exports) and `config/…` (the
    rest: the session key, key files …) without the database, the mirror and `exclude`."""
    members: dict[str, Path] = {}
    if not data_dir.is_dir():
        return members
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if not path.is_file() or path.resolve() in exclude or relative.name.endswith(".partial"):
            continue
        if relative.parts[0] == "files":
            members[relative.as_posix()] = path
        elif not (len(relative.parts) == 1 and relative.name.startswith(SKIPPED)):
            members[f"config/{relative.as_posix()}"] = path
    return members


def backup(db: Database, data_dir: Path, target: Path, now: datetime | None = None) -> dict[str, Any]:
    """Write the archive to `target`; returns its manifest."""
    revision = schema.current_revision(db)
    if revision is None:
        raise dumps.DumpError(f"{db.describe()} has no Tangram schema: nothing to back up")
    with tempfile.TemporaryDirectory(prefix="tangram-backup-") as staging:
        dump_name = dumps.DUMP_NAMES[db.dialect]
        dump_file = Path(staging) / "database.dump"
        dumps.dump(db, dump_file)
        members = {dump_name: dump_file, **data_members(data_dir, {target.resolve()})}
        manifest = {"tangram_version": tangram_version(), "schema_revision": revision, "database": db.dialect,
                    "jsonb": db.jsonb,
                    "created_at": (now or datetime.now(UTC)).isoformat(),
                    "file_count": sum(1 for name in members if name.startswith("files/"))}
        return archive.write_archive(target, members, manifest)
