"""`tangram backup [-o ARCHIVE]` and `tangram restore ARCHIVE` (docs/deployment.md, "Backup and restore")."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runtime.db.db import open_database
from runtime.ops.archive import ArchiveError
from runtime.ops.backup import backup
from runtime.ops.dumps import DumpError
from runtime.ops.restore import RestoreRefused, restore
from runtime.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    update: dict[str, Any] = {}
    if args.db:
        update["database_url"] = args.db
    if args.data_dir:
        update["data_dir"] = Path(args.data_dir)
    return Settings().model_copy(update=update)


def _failed(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_backup(args: argparse.Namespace) -> int:
    settings = _settings(args)
    now = datetime.now(UTC)
    target = Path(args.output or f"tangram-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz")
    db = open_database(settings.url(), sqlite_json=settings.sqlite_json)
    try:
        manifest = backup(db, settings.data_dir, target, now)
    except DumpError as e:
        return _failed(str(e))
    finally:
        db.engine.dispose()
    print(f"{target}: {manifest['database']} database at revision {manifest['schema_revision']}, "
          f"{manifest['file_count']} file(s), {len(manifest['members'])} member(s)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    settings = _settings(args)
    db = open_database(settings.url(), sqlite_json=settings.sqlite_json)
    try:
        done = restore(db, settings.data_dir, Path(args.archive))
    except (ArchiveError, RestoreRefused, DumpError) as e:
        return _failed(str(e))
    finally:
        db.engine.dispose()
    upgraded = f", upgraded to {done.upgraded_to}" if done.upgraded_to else ""
    print(f"restored {args.archive} into {db.describe()}: revision {done.revision}{upgraded}, "
          f"{done.files} file(s), {done.config} config file(s) in {settings.data_dir}")
    return 0


def add_commands(sub: Any, with_db: Callable[[argparse.ArgumentParser], argparse.ArgumentParser]) -> None:
    def with_data_dir(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--data-dir", help="the data directory (default: TANGRAM_DATA_DIR or ./data)")
        return with_db(sp)

    back = with_data_dir(sub.add_parser("backup", help="write the database, files and config to one archive"))
    back.add_argument("--output", "-o", help="the archive (default: tangram-backup-<UTC time>.tar.gz)")
    back.set_defaults(run=cmd_backup)
    rest = with_data_dir(sub.add_parser("restore", help="restore an archive into an empty database and data dir"))
    rest.add_argument("archive")
    rest.set_defaults(run=cmd_restore)
