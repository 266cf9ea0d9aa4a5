"""The import wizard's steps from the shell: `tangram records import APP FORM FILE` with any of --sheet,
--header-row, --map, --value, --mode, --key, --skip-bad or --errors runs them in order — the columns
matched (the form's saved mapping, labels, synonyms, then --map), a dry run whose counts, preview and
problems are printed, then (without --dry-run) the run itself, in the foreground."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine.errors import BadQuery
from runtime.apps import definitions
from runtime.db.db import Database
from runtime.io import import_runs, import_stream, import_wizard
from runtime.io.column_mapping import suggest_columns
from runtime.io.import_files import error_report_bytes
from runtime.io.sheet_limits import SheetLimits
from runtime.io.spreadsheet import read_sheet
from runtime.permissions.check import Guard
from runtime.records.context import Change
from runtime.schemas.imports import ImportSpec
from runtime.settings import Settings

PREVIEW = 5


def add_options(parser: argparse.ArgumentParser) -> None:
    """The wizard's choices as options of `records import`."""
    parser.add_argument("--sheet", type=int, help="the sheet to read, 1 = the first")
    parser.add_argument("--header-row", type=int, help="the row holding the column names (default 1)")
    parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                        help="fill FIELD (a key) from the column headed COLUMN; COLUMN=- ignores it (repeatable)")
    parser.add_argument("--value", action="append", default=[], metavar="FIELD:TEXT=VALUE",
                        help="read TEXT in FIELD's column as VALUE, e.g. level:A类=A (repeatable)")
    parser.add_argument("--mode", choices=["create", "upsert", "update"], help="default: create")
    parser.add_argument("--key", help="the business key for upsert/update: field keys, comma-separated")
    parser.add_argument("--skip-bad", action="store_true", help="write the good rows, skip the bad ones")
    parser.add_argument("--errors", metavar="FILE.xlsx", help="write the bad rows with what is wrong to this file")


def cmd_wizard(args: argparse.Namespace, db: Database, change_of: Callable[[Database, str | None], Change]) -> int:
    settings = Settings()
    limits = SheetLimits.from_settings(settings)
    path = Path(args.file)
    data = path.read_bytes()
    change = change_of(db, args.user)
    with db.read() as conn:
        gate = None
        if change.actor.username is not None:
            gate = import_wizard.gate_for(Guard(change.actor, change.now, change.timezone), conn, args.app, args.form)
        ref = gate.ref if gate is not None else definitions.form_ref(conn, args.app, args.form)
        spec = _spec(args, ref, data, path.name, limits, import_runs.saved_mapping(conn, args.app, args.form))
        if gate is not None:
            gate = import_wizard.gate_for(Guard(change.actor, change.now, change.timezone), conn, args.app, args.form,
                                          spec)
    guard = Guard(change.actor, change.now, change.timezone)
    gate_of = None if gate is None else (lambda conn: import_wizard.gate_for(guard, conn, args.app, args.form, spec))
    result, checked = import_stream.check(db, ref, data, path.name, limits, spec, change, gate_of)
    _print(result)
    if args.errors and result["issues"]:
        problems = import_wizard.problems_by_row(result["issues"])
        Path(args.errors).write_bytes(error_report_bytes(data, path.name, limits, spec.sheet, spec.header_row,
                                                         problems, "错误行"))
        print(f"bad rows written to {args.errors}")
    if args.dry_run:
        print("dry run: nothing imported")
        return 1 if result["counts"]["failed"] else 0
    if result["counts"]["failed"] and not spec.skip_bad:
        print("nothing imported: fix the bad rows, or pass --skip-bad")
        return 1
    done = import_wizard.write(db, import_stream.unpacked(checked, spec), checked.ref, spec, change.actor, change,
                               path.name)
    counts = done["counts"]
    print(f"imported into {args.app}/{args.form}: {counts['new']} created, {counts['updated']} updated, "
          f"{counts['unchanged']} unchanged, {counts['failed']} skipped")
    return 0


def _spec(args: argparse.Namespace, ref: Any, data: bytes, filename: str, limits: SheetLimits,
          saved: dict[str, Any]) -> ImportSpec:
    """The options as the wizard's choices, the columns starting from the suggestion (saved mapping first)."""
    sheet, header_row = (args.sheet or 1) - 1, args.header_row or 1
    read = read_sheet(data, filename, limits, sheet=sheet, header_row=header_row)
    read.rows.close()  # type: ignore[attr-defined]
    columns: dict[int, str | None] = {c.index: c.field for c in suggest_columns(ref.form, read.header,
                                                                               saved.get("columns"))}
    for item in args.map:
        header, _, key = item.partition("=")
        if header.strip() not in read.header:
            raise BadQuery(f"--map：文件中没有列“{header}”", f"--map: no column {header!r} in the file", field="map")
        columns[read.header.index(header.strip())] = None if key.strip() in ("", "-") else key.strip()
    values: dict[str, dict[str, Any]] = dict(saved.get("values", {}))
    for item in args.value:
        key, _, pair = item.partition(":")
        text, _, value = pair.partition("=")
        values.setdefault(key.strip(), {})[text.strip()] = value.strip()
    try:
        return ImportSpec(sheet=sheet, header_row=header_row, columns=columns, values=values,
                          mode=args.mode or "create", key=[k.strip() for k in (args.key or "").split(",") if k.strip()],
                          skip_bad=args.skip_bad)
    except ValidationError as e:
        raise BadQuery(f"选项有误：{e.errors()[0]['msg']}", f"bad option: {e.errors()[0]['msg']}") from None


def _print(result: dict[str, Any]) -> None:
    c = result["counts"]
    print(f"dry run: {c['rows']} rows — {c['new']} new, {c['updated']} updated, {c['unchanged']} unchanged, "
          f"{c['failed']} failed")
    for row in result["preview"][:PREVIEW]:
        cells = " | ".join(f"{k}={v}" for k, v in row["cells"].items() if v)
        print(f"  row {row['row']} [{row['action']}] {cells}")
    for issue in result["issues"][:20]:
        print(f"  ! {issue['message']}")
    if len(result["issues"]) > 20:
        print(f"  … and {len(result['issues']) - 20} more problem(s)")


__all__ = ["add_options", "cmd_wizard"]
