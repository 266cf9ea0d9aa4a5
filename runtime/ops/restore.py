"""`tangram restore ARCHIVE`: into an empty database and data directory, after every checksum of the
archive has been verified; an archive of an older schema is upgraded after it is loaded, one of a
newer schema (or of the other kind of database) is refused. Every refusal comes before any write."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from runtime.db import schema
from runtime.db.db import Database
from runtime.ops import archive, dumps


class RestoreRefused(Exception):
    """The archive cannot go into this target; nothing has been written."""


@dataclass(frozen=True)
class Restored:
    """What a restore did."""

    revision: str
    upgraded_to: str | None
    files: int
    config: int


def _targets(unpacked: archive.Unpacked, data_dir: Path) -> dict[str, Path]:
    """Archive name -> where it goes in the data directory (files/… as is, config/… at the top)."""
    out = {name: data_dir / name for name in unpacked.names("files/")}
    out.update({name: data_dir / name.removeprefix("config/") for name in unpacked.names("config/")})
    return out


def check_target(manifest: dict[str, object], db: Database, data_dir: Path, targets: dict[str, Path]) -> None:
    """Refuse, with one line that says why, an archive this target cannot take."""
    kind = manifest.get("database")
    if kind != db.dialect:
        raise RestoreRefused(f"the archive holds a {kind} database and the target is {db.dialect}: restore into "
                             f"the same kind of database (moving between SQLite and PostgreSQL is not supported)")
    if db.dialect == "sqlite" and bool(manifest.get("jsonb")) != db.jsonb:
        mode = "jsonb" if manifest.get("jsonb") else "text"
        raise RestoreRefused(f"the archive's SQLite database stores records as {mode.upper()} JSON: set "
                             f"TANGRAM_SQLITE_JSON={mode} for the restore and the server")
    revision = str(manifest.get("schema_revision"))
    if not schema.known_revision(revision):
        raise RestoreRefused(f"the archive's schema revision {revision} is newer than this Tangram's "
                             f"({schema.expected_revision()}): restore with the Tangram version that made it "
                             f"({manifest.get('tangram_version')}) or newer")
    if not dumps.is_empty(db):
        raise RestoreRefused(f"the target database ({db.describe()}) is not empty: restore needs a new, empty one")
    files_dir = data_dir / "files"
    if files_dir.is_dir() and any(p.is_file() for p in files_dir.rglob("*")):
        raise RestoreRefused(f"{files_dir} already holds files: restore needs an empty data directory")
    taken = sorted(str(path) for path in targets.values() if path.exists())
    if taken:
        raise RestoreRefused(f"{taken[0]} already exists: restore needs an empty data directory")


def restore(db: Database, data_dir: Path, archive_path: Path) -> Restored:
    """Verify, check the target, then load the database, copy the files and upgrade the schema."""
    with tempfile.TemporaryDirectory(prefix="tangram-restore-") as staging:
        unpacked = archive.unpack(archive_path, Path(staging))
        manifest = unpacked.manifest
        targets = _targets(unpacked, data_dir)
        check_target(manifest, db, data_dir, targets)
        dumps.load(db, unpacked.path(dumps.DUMP_NAMES[db.dialect]))
        for name, target in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(unpacked.path(name), target)
            if name.startswith("config/"):
                target.chmod(0o600)  # the session key, key files: readable by the service's user only
    revision = str(manifest["schema_revision"])
    head = schema.expected_revision()
    upgraded = None
    if revision != head:
        schema.upgrade(db)
        upgraded = head
    return Restored(revision, upgraded, len(unpacked.names("files/")), len(unpacked.names("config/")))
