"""The database in a backup: SQLite through its online backup API (a consistent copy while the server
writes), PostgreSQL through pg_dump's custom format and pg_restore. Each database's own tool, because
it copies everything exactly — the per-form expression indexes, the search index (FTS5 or tsvector),
sequences, and encrypted values as stored — where a row-by-row copy would have to know each of them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from runtime.db.db import Database, sqlite_module

DUMP_NAMES = {"sqlite": "database/tangram.db", "postgresql": "database/tangram.pgdump"}


class DumpError(Exception):
    """pg_dump or pg_restore failed (their message is kept), or is not installed."""


def dump(db: Database, out: Path) -> None:
    """Write a consistent copy of `db` to `out`."""
    if db.dialect == "sqlite":
        _copy_sqlite(_sqlite_path(db), out)
    else:
        _pg_tool("pg_dump", db, ["--format=custom", "--no-owner", "--no-privileges", f"--file={out}"])


def load(db: Database, dump_file: Path) -> None:
    """Load a dump made by `dump` into `db`, which is empty."""
    if db.dialect == "sqlite":
        db.engine.dispose()  # no pooled connection of ours holds the file while it is replaced
        _copy_sqlite(dump_file, _sqlite_path(db))
    else:
        _pg_tool("pg_restore", db, ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                                    str(dump_file)], database_flag=True)


def is_empty(db: Database) -> bool:
    """No tables at all in the database (the schema search_path names, on PostgreSQL)."""
    return not inspect(db.engine).get_table_names()


def _sqlite_path(db: Database) -> Path:
    name = db.engine.url.database
    if not name or name == ":memory:":
        raise DumpError("an in-memory SQLite database cannot be backed up or restored")
    return Path(name)


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's backup API, page by page: readers and writers of `source` go on meanwhile."""
    if not source.is_file():
        raise DumpError(f"{source}: no such SQLite database")
    module = sqlite_module()
    src = module.connect(str(source))
    try:
        dst = module.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _pg_tool(tool: str, db: Database, arguments: list[str], *, database_flag: bool = False) -> None:
    """Run pg_dump / pg_restore on the database the URL names, the connection passed through libpq's
    environment (so the password is on no command line)."""
    program = shutil.which(tool)
    if program is None:
        raise DumpError(f"{tool} is not installed (PostgreSQL's client tools, the server's major version or newer)")
    url = make_url(db.engine.url.render_as_string(hide_password=False))
    env = {**os.environ, "PGDATABASE": url.database or "", "PGHOST": url.host or "", "PGPORT": str(url.port or ""),
           "PGUSER": url.username or "", "PGPASSWORD": url.password or ""}
    env = {k: v for k, v in env.items() if v != "" or not k.startswith("PG")}
    if isinstance(url.query.get("options"), str):
        env["PGOPTIONS"] = str(url.query["options"])
    command = [program, *arguments]
    if database_flag:
        command.insert(1, f"--dbname={url.database}")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DumpError(f"{tool} failed: {done.stderr.strip() or f'exit code {done.returncode}'}")
