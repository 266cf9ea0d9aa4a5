"""`tangram records import|export`: the spreadsheet import and export of the API, from the shell."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from engine.expr.evaluate import EvalContext
from runtime.accounts.users import user_by_name
from runtime.apps import definitions
from runtime.db.db import Database
from runtime.io import import_steps, imports
from runtime.io import records as records_io
from runtime.io.spreadsheet import SheetLimits, csv_bytes, read_sheet, xlsx_bytes
from runtime.records import listing
from runtime.records.context import Actor, Change
from runtime.records.expressions import filter_clause
from runtime.settings import Settings
from runtime.system_settings import store as system_settings

Opener = Callable[[argparse.Namespace], Database]


def _change(db: Database, username: str | None) -> Change:
    settings = Settings()
    zone, limits = system_settings.site_zone(db, settings), settings.limits()
    if username is None:
        return Change(Actor(None), timezone=zone, limits=limits)
    with db.read() as conn:
        user = user_by_name(conn, username)
    if user is None:
        raise SystemExit(f"error: no user {username!r}")
    return Change(Actor(user.username, user.id, user.is_admin), timezone=zone, limits=limits)


WIZARD_OPTIONS = ("sheet", "header_row", "map", "value", "mode", "key", "skip_bad", "errors")


def cmd_import(args: argparse.Namespace, open_db: Opener) -> int:
    if any(getattr(args, name) not in (None, False, []) for name in WIZARD_OPTIONS):
        return import_steps.cmd_wizard(args, open_db(args), _change)
    db = open_db(args)
    path = Path(args.file)
    sheet = read_sheet(path.read_bytes(), path.name, SheetLimits.from_settings(Settings()))
    change = _change(db, args.user)
    with db.read() as conn:  # every row is parsed and checked before the write lock is taken
        ref = definitions.form_ref(conn, args.app, args.form)
        prepared = imports.prepare(conn, ref, sheet, change)
    if args.dry_run:
        print(f"dry run: {prepared.rows} rows are valid, nothing imported")
        return 0
    made = imports.write(db, prepared, change)
    print(f"imported {len(made)} records into {args.app}/{args.form}")
    return 0


def cmd_export(args: argparse.Namespace, open_db: Opener) -> int:
    db = open_db(args)
    change = _change(db, args.user)
    with db.read() as conn:
        ref = definitions.form_ref(conn, args.app, args.form)
        where = []
        if args.filter:
            ctx = EvalContext(change.now, change.timezone, change.actor.username)
            where.append(filter_clause(ref, args.filter, conn.dialect.name, ctx))
        query = listing.ListQuery([], listing.parse_sort(ref, args.sort, conn.dialect.name),
                                  records_io.EXPORT_PAGE, None, False, where)
        keys = [f.key for f in ref.form.fields]
        rows = list(records_io.export_rows(conn, ref, query, keys, change))
    header = records_io.export_header(ref.form, keys)
    fmt = args.format or ("xlsx" if (args.output or "").endswith(".xlsx") else "csv")
    content = xlsx_bytes(header, rows, ref.form.name) if fmt == "xlsx" else csv_bytes(header, rows)
    if args.output:
        Path(args.output).write_bytes(content)
        print(f"exported {len(rows)} records to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(content)
    return 0


DASHED_VALUES = ("--sort",)
"""Options whose value may start with a dash (`--sort -amount,name`, as docs/cli.md writes it)."""


def attach_dashed_values(argv: Sequence[str]) -> list[str]:
    """`--sort -amount` as `--sort=-amount`: argparse reads any word starting with a dash as an option
    and would stop with "expected one argument"; `--sort=-amount` it reads as meant."""
    out: list[str] = []
    words = iter(argv)
    for word in words:
        if word in DASHED_VALUES:
            value = next(words, None)
            if value is not None and value.startswith("-") and not value.startswith("--"):
                out.append(f"{word}={value}")
                continue
            out += [word] if value is None else [word, value]
            continue
        out.append(word)
    return out


def add_commands(sub: argparse._SubParsersAction, with_db: Callable[[argparse.ArgumentParser],  # type: ignore[type-arg]
                 argparse.ArgumentParser], open_db: Opener) -> None:
    """Register `records import` and `records export` on the main parser."""
    group = sub.add_parser("records", help="import or export records as CSV / Excel").add_subparsers(
        dest="records_command", required=True)
    imp = with_db(group.add_parser("import", help="import a CSV or Excel file, all rows or none"))
    imp.add_argument("app")
    imp.add_argument("form")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    imp.add_argument("--user", help="the username the records are created by (default: the system)")
    import_steps.add_options(imp)
    imp.set_defaults(run=lambda a: cmd_import(a, open_db))
    exp = with_db(group.add_parser("export", help="export a form's records"))
    exp.add_argument("app")
    exp.add_argument("form")
    exp.add_argument("--format", choices=["csv", "xlsx"])
    exp.add_argument("--filter", help='an expression, e.g. region = "华东"')
    exp.add_argument("--sort", help="e.g. -amount,name")
    exp.add_argument("--output", "-o")
    exp.add_argument("--user", help="evaluate CURRENT_USER() as this user")
    exp.set_defaults(run=lambda a: cmd_export(a, open_db))
