"""The import wizard's steps, shared by the API (runtime/api/import_wizard.py), the web UI (which calls that
API) and the CLI: upload → mapping (sheet, header row, columns, values) → dry run → run (a background job)
→ result and error report.

Every step goes through the permission gate of the actor who started the import: the import right to
upload, then create (create, upsert) and update (upsert, update) for the dry run and the run; the job
opens the same gate again with the same actor when it runs. The run is all or nothing unless the user
chose to skip bad rows; either way its audit entry is written in the transaction that commits it."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from engine.errors import Conflict, EngineError, Issue, NotFound
from runtime.db.db import Database
from runtime.db.tables import records
from runtime.io import checked_plans, import_duplicates, import_plan, import_runs, import_stream, retention
from runtime.io.column_mapping import (
    ColumnChoice,
    option_known,
    saved_columns,
    suggest_columns,
    suggest_header_row,
    suggest_option,
)
from runtime.io.import_files import error_report_bytes
from runtime.io.records import cell_names, records_named
from runtime.io.sheet_limits import SheetLimits
from runtime.io.spreadsheet import first_rows, naming, read_sheet, sheet_names
from runtime.jobs import outbox
from runtime.permissions.check import FormGate, Guard
from runtime.records.context import Actor, Change
from runtime.records.files import file_path
from runtime.schemas.imports import ImportSpec

log = logging.getLogger("tangram.import_wizard")
DISTINCT_VALUES = 200  # per column, the value mapping lists at most these texts
ANALYSED_ROWS = 20_000
"""Rows read for the value mapping, so that the mapping step of a large file answers in seconds; a value
first seen further down is still checked, and flagged in its cell, by the dry run."""
CANDIDATES = 10


def gate_for(guard: Guard, conn: Connection, app: str, form: str, spec: ImportSpec | None = None) -> FormGate:
    """The importer's gate: the import right, and the rights the mode needs (create and/or update)."""
    gate = guard.form(conn, app, form, "import")
    if spec is not None:
        if spec.mode in ("create", "upsert"):
            gate.require("create")
        if spec.mode in ("upsert", "update"):
            gate.require("update")
    return gate


def upload_bytes(root: Path, run: Any) -> bytes:
    """The import's uploaded file; 410 once it has expired (runtime/io/retention.py)."""
    path = file_path(root, run.file_id)
    if not path.is_file():
        raise retention.upload_expired(run)
    return path.read_bytes()


def analyse(conn: Connection, gate: FormGate, data: bytes, filename: str, spec: ImportSpec, limits: SheetLimits,
            change: Change) -> dict[str, Any]:
    """What the mapping step shows: the sheets, the top rows (to choose the header row), each column with
    its field (chosen, else suggested), the form's fields and the value mapping the mapped columns need.
    A file that cannot be read is refused naming it (BadFile, FileOverLimit)."""
    with naming(filename):
        return _analysed(conn, gate, data, filename, spec, limits, change)


def header_row(gate: FormGate, data: bytes, filename: str, limits: SheetLimits, saved: Mapping[str, Any]) -> int:
    """The header row suggested for a new upload: the top row that names the most fields (1 by default);
    `saved` is the form's saved mapping (import_runs.saved_mapping)."""
    with naming(filename):
        top = [[_text(c) for c in row] for row in first_rows(data, filename, limits)]
    return suggest_header_row(gate.ref.form, top, saved.get("columns"), gate.hidden | gate.masked)


def _analysed(conn: Connection, gate: FormGate, data: bytes, filename: str, spec: ImportSpec, limits: SheetLimits,
              change: Change) -> dict[str, Any]:
    saved = import_runs.saved_mapping(conn, gate.ref.app_key, gate.ref.form.key)
    sheet = read_sheet(data, filename, limits, sheet=spec.sheet, header_row=spec.header_row)
    choices = suggest_columns(gate.ref.form, sheet.header, saved.get("columns"), gate.hidden | gate.masked)
    if spec.columns is not None:
        choices = [ColumnChoice(c.index, c.header, spec.columns.get(c.index), "chosen") for c in choices]
    fields = {f.key: f for f in gate.ref.form.writable if f.key not in gate.hidden | gate.masked}
    return {
        "sheets": sheet_names(data, filename, limits),
        "first_rows": [[_text(c) for c in row] for row in first_rows(data, filename, limits, sheet=spec.sheet)],
        "header": sheet.header,
        "columns": [c.as_json() for c in choices],
        "fields": [{"key": f.key, "label": f.label, "type": f.type, "required": f.required, "unique": f.unique,
                    "options": [o.value for o in f.options] if f.type in ("select", "multi_select") else None}
                   for f in fields.values()],
        "saved": saved,
        "values": _values(conn, gate, sheet.rows, {c.index: fields[c.field] for c in choices if c.field in fields},
                          spec, change),
    }


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell)


def _values(conn: Connection, gate: FormGate, rows: Any, columns: dict[int, Any], spec: ImportSpec,
            change: Change) -> dict[str, list[dict[str, Any]]]:
    """Per select or relation column, the cell texts the field would not read as they are: a select's
    unknown options with a suggested one, a relation's names that match no record or several (with the
    candidates). The user's own mapping (spec.values) is shown as chosen."""
    wanted = {i: f for i, f in columns.items()
              if f.type in ("select", "multi_select") or f.refers_to == "record"}
    seen: dict[int, dict[str, int]] = {i: {} for i in wanted}
    for row in itertools.islice(rows, ANALYSED_ROWS):
        for i, field in wanted.items():
            if i < len(row) and row[i] not in (None, ""):
                texts = cell_names(row[i]) if field.type == "multi_select" or field.refers_to == "record" else [
                    str(row[i]).strip()]
                counts = seen[i]
                for text in texts:
                    if text in counts or len(counts) < DISTINCT_VALUES:
                        counts[text] = counts.get(text, 0) + 1
    out: dict[str, list[dict[str, Any]]] = {}
    for i, field in wanted.items():
        chosen = spec.values.get(field.key, {})
        if field.refers_to == "record":
            names = [t for t in seen[i] if not t.isdigit()]
            found = records_named(conn, gate.ref, field, names, change.reads)
            entries = [{"text": t, "count": seen[i][t], "problem": "missing" if not found.get(t) else "ambiguous",
                        "candidates": found.get(t, [])[:CANDIDATES], "chosen": chosen.get(t)}
                       for t in names if len(found.get(t, [])) != 1]
        else:
            entries = [{"text": t, "count": n, "problem": "unknown_option", "suggestion": suggest_option(field, t),
                        "chosen": chosen.get(t)} for t, n in seen[i].items() if not option_known(field, t)]
        if entries:
            out[field.key] = entries
    return out


def dry_run(db: Database, guard: Guard, run: Any, data: bytes, limits: SheetLimits, change: Change) -> dict[str, Any]:
    """Check every row as the run would, write nothing: the counts, the preview and every problem. The
    file is checked a chunk at a time (runtime/io/import_stream.py), the chunks kept packed for the run."""
    spec = ImportSpec.model_validate(run.spec)
    with db.read() as conn:
        gate = gate_for(guard, conn, run.app, run.form, spec)
    with naming(run.filename):
        report, checked = import_stream.check(db, gate.ref, data, run.filename, limits, spec, change,
                                              lambda conn: gate_for(guard, conn, run.app, run.form, spec))
    checked_plans.keep(run.id, run.file_id, run.spec, gate.rights, frozenset(gate.hidden | gate.masked), checked)
    return report


def start(conn: Connection, run: Any, actor: Actor, now: datetime) -> None:
    """Queue the run of a dry-run import (409 unless its last dry run is the current one and found nothing
    wrong, or the user chose to skip bad rows)."""
    spec = ImportSpec.model_validate(run.spec)
    if run.status != "checked":
        raise Conflict("请先试运行，再开始导入", "run the dry run first, then the import", status=run.status)
    if run.expired:  # the job would find no file to read
        raise retention.upload_expired(run)
    failed = run.result.get("counts", {}).get("failed", 0)
    if failed and not spec.skip_bad:
        raise Conflict(f"试运行有 {failed} 行错误：请修正后重新上传，或选择跳过错误行",
                       f"the dry run found {failed} bad row(s): fix them, or choose to skip bad rows")
    if not import_runs.claim(conn, run.id, now, "checked", "queued"):
        raise Conflict("这次导入已经开始", "this import has started already")
    # no idempotency key: the claim above starts an import once, and a failed one may be started again
    outbox.enqueue(conn, "import_run", {"run": run.id, "actor": _actor_json(actor)}, now, max_attempts=1)


def _actor_json(actor: Actor) -> dict[str, Any]:
    return {"username": actor.username, "user_id": actor.user_id, "is_admin": actor.is_admin,
            "department": actor.department, "apps": sorted(actor.apps) if actor.apps is not None else None,
            "ip": actor.ip}


def actor_from(payload: dict[str, Any]) -> Actor:
    apps = payload.get("apps")
    return Actor(payload["username"], payload.get("user_id"), bool(payload.get("is_admin")),
                 department=payload.get("department"), ip=payload.get("ip"),
                 apps=frozenset(apps) if apps is not None else None)


def execute(db: Database, root: Path, limits: SheetLimits, run_id: int, actor: Actor, change: Change,
            tick: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
    """Run a queued import (the job's work): check again, write, record the result; any refusal is the
    import's result (status failed, nothing written unless bad rows are skipped), never the job's."""
    with db.write() as conn:
        if not import_runs.claim(conn, run_id, tick(), "queued", "running"):
            _interrupted(conn, run_id, tick())
            return
        run = import_runs.by_id(conn, run_id)
    assert run is not None
    spec = ImportSpec.model_validate(run.spec)
    guard = Guard(actor, change.now, change.timezone)

    def progress(done: int) -> None:
        with db.write() as conn:
            import_runs.change(conn, run_id, tick(), done=done)

    def finished(conn: Connection, result: dict[str, Any]) -> None:
        import_runs.change(conn, run_id, tick(), status="done", result=result, done=result["counts"]["rows"])

    try:
        with db.read() as conn:
            gate = gate_for(guard, conn, run.app, run.form, spec)
            checked = checked_plans.take(run.id, run.file_id, run.spec, gate.ref.version, gate.rights,
                                         frozenset(gate.hidden | gate.masked))
        ref = gate.ref
        with db.write() as conn:
            import_runs.change(conn, run_id, tick(), done=0, total=checked.rows if checked is not None else int(
                run.result.get("counts", {}).get("rows", 0)))
        try:
            if checked is None:
                raise _Stale
            write(db, _rechecked(db, guard, run, spec, change, checked), ref, spec, actor, change, run.filename,
                  progress=progress, finished=finished, run_id=run_id)
            log.info("import %s: the dry run's %d rows reused", run.id, checked.rows)
        except _Stale:  # no dry run kept in this process, or it no longer holds: the file planned anew
            plans = import_stream.chunks(db, ref, upload_bytes(root, run), run.filename, limits, spec, change,
                                         lambda conn: gate_for(guard, conn, run.app, run.form, spec))
            write(db, plans, ref, spec, actor, change, run.filename, progress=progress, finished=finished,
                  run_id=run_id)
    except EngineError as e:
        _failed(db, run_id, e, tick())
    except Exception as e:  # a bug or the database gone: the import failed, said so, nothing half-written
        log.exception("import %s failed", run_id)
        _failed(db, run_id, e, tick())


class _Stale(Exception):
    """The dry run's chunks no longer hold (a key names another record now): what the run staged from them
    is removed (import_stream.write) and the file is planned anew."""


def _rechecked(db: Database, guard: Guard, run: Any, spec: ImportSpec, change: Change,
               checked: import_stream.Checked) -> Iterator[import_plan.Plan]:
    """The chunks of the import's dry run (kept by this process: checked_plans), each checked again as the
    run comes to it: by the importer's gate as the run finds it, for an upsert matched again (_Stale when
    a row names another record or version now), and 可能重复 looked for among the records filed since."""
    seen: dict[tuple[Any, ...], int] = {}
    with db.read() as conn:  # the newest record before this run stages any (staged rows are filed under no key)
        newest = conn.scalar(select(func.max(records.c.id))) or 0
    for plan in import_stream.unpacked(checked, spec):
        with db.read() as conn:
            gate = gate_for(guard, conn, run.app, run.form, spec)
            if gate.ref.version != checked.ref.version:
                raise _Stale
            gate.check_write(plan.parsed.items, prefix=True)
            scope = gate.where("update") if spec.mode != "create" else None
            if not import_plan.same_matches(conn, plan, gate.writing(change), scope, seen):
                raise _Stale
            if plan.duplicates_seen_to < newest:  # records filed since the dry run
                import_duplicates.recheck(conn, plan, gate.writing(change), gate)
        yield plan


def write(db: Database, plans: Iterable[import_plan.Plan], ref: Any, spec: ImportSpec, actor: Actor, change: Change,
          filename: str, *, progress: Callable[[int], None] | None = None,
          finished: Callable[[Connection, dict[str, Any]], None] | None = None,
          run_id: int | None = None) -> dict[str, Any]:
    """Write an import's plans (chunks of its rows, in order): the created rows staged chunk by chunk and
    published with the updates in one transaction, all or nothing (ValidationFailed by row) unless the spec
    skips bad rows; audited, and the mapping saved for the form's next import (import_stream.write). The
    result: counts and the problems of the rows skipped."""
    return import_stream.write(db, plans, ref, spec, actor, change, filename, mapping=_mapping_of, progress=progress,
                               finished=finished, run_id=run_id)


def _mapping_of(plan: import_plan.Plan) -> dict[str, Any]:
    """What the form's next import starts from: this one's columns by header text, values, mode and key."""
    choices = [ColumnChoice(i, h, f.key if f is not None else None, "chosen")
               for i, (h, f) in enumerate(zip(plan.header, plan.columns, strict=False))]
    spec = plan.spec
    return {"columns": saved_columns(choices), "values": spec.values, "mode": spec.mode, "key": spec.key}


def _interrupted(conn: Connection, run_id: int, now: datetime) -> None:
    """The job delivered again while its import is `running`: the worker running it died (its lease
    passed). What it staged is removed by the worker's clean-up and nothing was published (the publish
    and the status `done` commit together), so the import failed as a whole and may be started anew."""
    run = import_runs.by_id(conn, run_id)
    if run is not None and run.status == "running":
        import_runs.change(conn, run_id, now, status="failed", result={**run.result, "error": {
            "code": "interrupted", "message": "导入被中断（服务重启或进程退出），未导入任何记录，请重新试运行后导入"}})


def _failed(db: Database, run_id: int, error: Exception, now: datetime) -> None:
    issues: list[Issue] = error.issues if isinstance(error, EngineError) else []
    message = str(error) if isinstance(error, EngineError) else "导入失败（服务器内部错误），未导入任何记录"
    result = {"error": {"code": getattr(error, "code", "error"), "message": message},
              "issues": import_plan.issue_list(issues),
              "counts": {"rows": 0, "new": 0, "updated": 0, "unchanged": 0,
                         "failed": len({i.path.split(".")[0] for i in issues})}}
    with db.write() as conn:
        import_runs.change(conn, run_id, now, status="failed", result=result)


def error_report(run: Any, data: bytes, limits: SheetLimits) -> bytes:
    """The failed rows of the import's last dry run or run, as uploaded, with what is wrong in each."""
    spec = ImportSpec.model_validate(run.spec)
    problems = problems_by_row(run.result.get("issues", []))
    if not problems:
        raise NotFound("这次导入没有错误行", "this import has no bad rows")
    return error_report_bytes(data, run.filename, limits, spec.sheet, spec.header_row, problems, "错误行")


def problems_by_row(issues: list[dict[str, Any]]) -> dict[int, list[str]]:
    """An import result's problems (import_plan.issue_list) by spreadsheet row, as the error report lists them."""
    problems: dict[int, list[str]] = {}
    for issue in issues:
        problems.setdefault(issue["row"], []).append(issue["message"])
    return problems


__all__ = ["gate_for", "upload_bytes", "analyse", "dry_run", "start", "execute", "write",
           "actor_from", "error_report", "problems_by_row"]
