"""`tangram user import FILE`: 通讯录导入 on the command line, as POST /api/v1/user-imports does it (all rows or none,
audited); `--dry-run` prints what it would do. New users' initial passwords go to `--passwords FILE` (a CSV),
else to the standard output — shown this once."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runtime import audit
from runtime.accounts import user_import
from runtime.io.sheet_limits import SheetLimits
from runtime.io.spreadsheet import csv_bytes
from runtime.records.context import Actor
from runtime.settings import Settings

CLI = Actor(None, ip="cli")


def cmd_user_import(args: argparse.Namespace, database: Callable[[argparse.Namespace], Any]) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise SystemExit(f"error: {path}: no such file")
    data, limits, now = path.read_bytes(), SheetLimits.from_settings(Settings()), datetime.now(UTC)
    db = database(args)
    if args.dry_run:
        with db.read() as conn:
            planned = user_import.plan(conn, data, path.name, limits, create_departments=args.create_departments)
        print(json.dumps(planned.as_json(), ensure_ascii=False, indent=2))
        return 1 if planned.problems else 0
    with db.write() as conn:
        planned = user_import.plan(conn, data, path.name, limits, create_departments=args.create_departments)
        done = user_import.apply(conn, planned, now)
        audit.write(conn, "user.import", CLI, now, detail={
            "file": path.name, "counts": done["counts"], "new_departments": done["new_departments"],
            "created": [p["username"] for p in done["passwords"]],
            "updated": [r.username for r in planned.rows if r.status == "updated"]})
    counts = done["counts"]
    print(f"imported: {counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged, "
          f"{counts['new_departments']} new departments")
    rows = [[p["username"], p["password"]] for p in done["passwords"]]
    if args.passwords:
        Path(args.passwords).write_bytes(csv_bytes(["用户名", "初始密码"], rows))
        Path(args.passwords).chmod(0o600)
        print(f"initial passwords written to {args.passwords} (they must be changed at first login)")
    else:
        for username, password in rows:
            print(f"{username}\t{password}")
    return 0


def add_command(user: Any, with_db: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
                database: Callable[[argparse.Namespace], Any]) -> None:
    """`tangram user import FILE [--dry-run] [--create-departments] [--passwords OUT.csv]`."""
    command = with_db(user.add_parser("import", help="import users and departments from an xlsx or CSV file"))
    command.add_argument("file")
    command.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    command.add_argument("--create-departments", action="store_true", help="create departments the paths name")
    command.add_argument("--passwords", help="write new users' initial passwords to this CSV file")
    command.set_defaults(run=lambda args: cmd_user_import(args, database))


__all__ = ["add_command", "cmd_user_import"]
